"""Presence subscriptions to mixers (XEP-0327 §6.4, R-6.4-i).

A mixer follows RFC 6121 §3.1 as a contact whose server approves every request
from the mixer's own security zone: it answers `subscribed`, then sends its
current presence, both to the subscriber's bare JID (§3.1.5), and from then on
the subscriber gets its unavailable presence when it goes (R-6.4-o). A request
for a mixer the sender cannot see (none by that name in its zone, R-6.4-h) gets
`unsubscribed`, the answer for a contact that does not exist (§3.1.3).
Unsubscribing is not handled: the subscription lasts as long as the mixer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ...protocol import namespaces as ns
from ...protocol.jid import JID
from . import stanzas as st

if TYPE_CHECKING:
    from .rayo import RayoCore


class Subscriptions:
    def __init__(self, core: RayoCore):
        self.core = core

    def request(self, presence: etree._Element) -> None:
        """A subscription request (type subscribe) to a JID of the service other than the service itself."""
        sender, to = presence.get("from", ""), JID.parse(presence.get("to", ""))
        user = JID.parse(sender).bare
        faults = self.core.faults
        if "mixer-ignores-subscribe" in faults:
            return
        mixer = self.core.joining.mixer_for(str(to)) if self.core.mixer_seen_by(to, sender) else None
        if mixer is None or "mixer-refuses-subscribe" in faults:
            self.core.send(st.stanza("presence", to.bare, user, "unsubscribed"))
            return
        self.core.send(st.stanza("presence", mixer.jid, user, "subscribed"))
        self.core.send_presence(mixer.jid, user, [st.caps(ns.RAYO_MIXER, self.core.mixer_ver)])
        if user not in mixer.subscribers:
            mixer.subscribers.append(user)
