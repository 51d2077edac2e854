"""Roster pushes: the harness acknowledges those of its own server, and only those (RFC 6121 §2.1.6)."""

from __future__ import annotations

from lxml import etree

from conformance.protocol.stanza import Stanza, parse_stanza
from conformance.xmpp.answers import answer

ACCOUNT = "usera@rayo.localhost"
PUSH = "<iq {sender} type='set' id='push1'><query xmlns='jabber:iq:roster'><item jid='conf@rayo.localhost' subscription='none' ask='subscribe'/></query></iq>"


def _received(text: str) -> Stanza:
    return Stanza(parse_stanza(text, {None: "jabber:client"}), text, 0.0, "client")


def test_a_push_from_the_own_server_gets_an_empty_result() -> None:
    for sender in ("", f"from='{ACCOUNT}'"):
        reply = etree.fromstring(answer(_received(PUSH.format(sender=sender)), ACCOUNT))
        assert (reply.get("type"), reply.get("id"), len(reply)) == ("result", "push1", 0)
        assert reply.get("to") == (ACCOUNT if sender else None)


def test_a_push_from_anyone_else_is_left_to_the_scenario() -> None:
    assert answer(_received(PUSH.format(sender="from='conf@rayo.localhost'")), ACCOUNT) is None
    assert answer(_received(PUSH.format(sender="from='usera@rayo.localhost/other'")), ACCOUNT) is None
