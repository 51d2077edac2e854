"""Stanzas the listener itself writes: iq results, error replies, presence, and serialization."""

from __future__ import annotations

import copy

from lxml import etree

from conformance.protocol import namespaces as ns

IQ = ns.qname(ns.CLIENT, "iq")
MESSAGE = ns.qname(ns.CLIENT, "message")
PRESENCE = ns.qname(ns.CLIENT, "presence")


def serialize(stanza: etree._Element) -> str:
    # with_tail=False: an element the core cut from a larger tree must not drag its tail along
    return etree.tostring(stanza, encoding="unicode", with_tail=False)


def is_request(stanza: etree._Element) -> bool:
    """An iq that demands an answer."""
    return stanza.tag == IQ and stanza.get("type") in ("get", "set")


def can_bounce(stanza: etree._Element) -> bool:
    """Whether an error reply may be sent for this stanza (RFC 6120 8.3.1):
    never for presence, iq results or errors, so errors cannot loop."""
    return stanza.tag != PRESENCE and stanza.get("type") not in ("result", "error")


def _reply_addresses(reply: etree._Element, stanza: etree._Element) -> None:
    sender, recipient = stanza.get("from"), stanza.get("to")
    for name, value in (("to", sender), ("from", recipient)):
        if value is None:
            reply.attrib.pop(name, None)
        else:
            reply.set(name, value)


def result(iq: etree._Element, *payload: etree._Element) -> etree._Element:
    reply = etree.Element(IQ, nsmap={None: ns.CLIENT}, type="result", id=iq.get("id", ""))
    _reply_addresses(reply, iq)
    reply.extend(payload)
    return reply


def error(stanza: etree._Element, condition: str, error_type: str = "cancel") -> etree._Element:
    """The error reply to `stanza`, echoing its payload as mod_rayo does."""
    reply = copy.deepcopy(stanza)
    _reply_addresses(reply, stanza)
    reply.set("type", "error")
    err = etree.SubElement(reply, ns.qname(ns.CLIENT, "error"), type=error_type)
    etree.SubElement(err, ns.qname(ns.STANZAS, condition), nsmap={None: ns.STANZAS})
    return reply


def unavailable(sender: str, recipient: str) -> etree._Element:
    return etree.Element(
        PRESENCE, nsmap={None: ns.CLIENT}, type="unavailable", to=recipient, attrib={"from": sender}
    )

