"""Which clients may be offered calls: the potential controlling parties (XEP-0327 §6.1).

Directed presence to the service with <show>chat</show> (or plain available
presence, as mod_rayo also accepts) makes a client available; <show>dnd</show>
or unavailable presence removes it.
"""

from __future__ import annotations

from lxml import etree

from ...protocol import namespaces as ns
from ...protocol.jid import JID


class Availability:
    def __init__(self) -> None:
        self._available: dict[str, None] = {}  # full JIDs, in the order they arrived

    def update(self, presence: etree._Element) -> None:
        sender = presence.get("from", "")
        show = presence.findtext(ns.qname(ns.CLIENT, "show"))
        if presence.get("type") == "unavailable" or show in ("dnd", "away", "xa"):
            self._available.pop(sender, None)
        elif presence.get("type") is None:
            self._available[sender] = None

    def is_available(self, jid: str) -> bool:
        return jid in self._available

    def for_user(self, user: str) -> list[str]:
        """Available resources of every account whose local part is `user`."""
        return [jid for jid in self._available if JID.parse(jid).local == user]
