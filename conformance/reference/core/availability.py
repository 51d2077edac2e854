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
    def __init__(self, honour_dnd: bool = True, honour_unavailable: bool = True) -> None:
        self._available: dict[str, None] = {}  # full JIDs, in the order they arrived
        # False only for the faults offer-sent-to-dnd-client and unavailable-ignored:
        self._honour_dnd = honour_dnd
        self._honour_unavailable = honour_unavailable

    def update(self, presence: etree._Element) -> None:
        sender = presence.get("from", "")
        show = presence.findtext(ns.qname(ns.CLIENT, "show"))
        away = show in ("dnd", "away", "xa") and self._honour_dnd
        gone = presence.get("type") == "unavailable" and self._honour_unavailable
        if gone or away:
            self._available.pop(sender, None)
        elif presence.get("type") is None and not away:
            self._available[sender] = None

    def is_available(self, jid: str) -> bool:
        return jid in self._available

    def for_user(self, user: str) -> list[str]:
        """Available resources of every account whose local part is `user`."""
        return [jid for jid in self._available if JID.parse(jid).local == user]
