"""Where a Rayo event may come from: the call, mixer or component that produced it
(R-5.3-a), whose JID lies in the service's domain or a sub-domain of it (R-5.2-a)."""

from __future__ import annotations

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.jid import JID
from ..protocol.stanza import Stanza
from .expectations import under_jid


def is_rayo_event(stanza: Stanza, dialect: str) -> bool:
    """A presence carrying a payload in one of the dialect's Rayo namespaces (offer, end, complete, ...)."""
    rayo = ns.RAYO_NAMESPACES[dialect]
    return stanza.kind == "presence" and any(etree.QName(child).namespace in rayo for child in stanza.payload())


def sender_problem(stanza: Stanza, service: str, own_jid: str) -> str | None:
    """Why the event cannot come from the entity that produced it, or None."""
    sender = stanza.sender
    if not sender:
        return "it has no 'from'"
    if _bare(sender) == _bare(own_jid):
        return f"it comes from the client's own JID {sender}"
    if not under_jid(sender, service):
        return f"it comes from {sender}, outside the service's domain {service} (and its sub-domains) where calls, mixers and components live"
    return None


def _bare(jid: str) -> str:
    try:
        return JID.parse(jid).bare
    except ValueError:
        return jid
