"""The only stanzas the harness answers by itself: disco#info, ping and roster pushes.

A Rayo server may ask what the client is (XEP-0327 §8: a client answers with
`urn:xmpp:rayo:client:1`) or whether it is alive (XEP-0199). A client that
requested its roster gets roster pushes from its own server, which it must
acknowledge (RFC 6121 §2.1.6). Every other stanza is for the scenario to
answer, or not.
"""

from __future__ import annotations

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.stanza import Stanza, build

FEATURES = (ns.DISCO_INFO, ns.PING, ns.RAYO_CLIENT)


def answer(stanza: Stanza, account: str) -> str | None:
    """The reply to a disco#info query, a ping or a roster push, or None for anything else.
    `account` is the client's bare JID: only its own server may push its roster."""
    if stanza.kind != "iq" or len(stanza.payload()) != 1:
        return None
    query = stanza.payload()[0]
    if stanza.type == "set":
        pushed = query.tag == ns.qname(ns.ROSTER, "query") and stanza.sender in ("", account)
        return _result(stanza) if pushed else None  # RFC 6121 §2.1.6: a push from anyone else is ignored
    if stanza.type != "get":
        return None
    if query.tag == ns.qname(ns.PING, "ping"):
        return _result(stanza)
    if query.tag == ns.qname(ns.DISCO_INFO, "query"):
        return _result(stanza, _disco_info(query.get("node")))
    return None


def _result(request: Stanza, *children: etree._Element) -> str:
    return build("iq", to=request.sender or None, type="result", id=request.id, children=children)


def _disco_info(node: str | None) -> etree._Element:
    query = etree.Element(ns.qname(ns.DISCO_INFO, "query"), nsmap={None: ns.DISCO_INFO})
    if node:  # a caps query names a node; the answer echoes it (XEP-0115 §6.2)
        query.set("node", node)
    etree.SubElement(query, ns.qname(ns.DISCO_INFO, "identity"), category="client", type="bot", name="rayo-conformance")
    for var in FEATURES:
        etree.SubElement(query, ns.qname(ns.DISCO_INFO, "feature"), var=var)
    return query
