"""Stanzas from another client reach the owner exactly as the server sent them;
the harness answers disco#info and ping by itself, and nothing else."""

from __future__ import annotations

import asyncio

from conformance.protocol import namespaces as ns
from conformance.protocol.stanza import Stanza
from conformance.reference.prosody import Prosody

from .xmpp_kit import ACCOUNTS, TIMEOUT, Harness, Relay, disconnect, slixmpp_client


def test_stanzas_arrive_raw_and_parsed_several_in_one_read(prosody: Prosody) -> None:
    async def main() -> tuple[Harness, Relay, list[Stanza]]:
        relay = Relay(prosody.c2s_port)
        harness = Harness(await relay.start(), "inbox")
        await harness.client.connect(TIMEOUT)
        bob, _ = await slixmpp_client(prosody.c2s_port, "bob@localhost/sender", ACCOUNTS["bob"])
        to = harness.client.full_jid
        relay.hold_until(b"</iq>")  # the three come to the harness in one write
        bob.send_raw(
            f"<message to='{to}' id='m1' type='chat'/>"
            f"<message to='{to}' id='m2'><body a='x&gt;y' b=\"'>\">call &lt;now&gt;</body></message>"
            f"<iq to='{to}' type='set' id='i1'><answer xmlns='urn:xmpp:rayo:1'/></iq>"
        )
        arrived = [await asyncio.wait_for(harness.arrived.get(), TIMEOUT) for _ in range(3)]
        await disconnect(bob)
        await harness.client.close(TIMEOUT)
        await relay.close()
        return harness, relay, arrived

    harness, relay, arrived = asyncio.run(main())
    assert [s.id for s in arrived] == ["m1", "m2", "i1"]
    wire = relay.from_server.decode()
    for stanza in arrived:
        assert stanza.text in wire  # byte for byte what the server wrote
        assert stanza.party == "inbox" and stanza.sender == "bob@localhost/sender"
    assert len({s.t for s in arrived}) == 1, "the three came in one read"
    self_closing, body, iq = arrived
    assert self_closing.text.endswith("/>") and self_closing.payload() == [] and self_closing.type == "chat"
    element = body.payload()[0]
    assert (element.get("a"), element.get("b"), element.text) == ("x>y", "'>", "call <now>")
    assert iq.payload()[0].tag == ns.qname(ns.RAYO, "answer")
    received = [r for r in harness.records("received") if r.label != "stream end"]
    assert [r.text for r in received[-3:]] == [s.text for s in arrived]
    assert [r.label for r in received[-3:]] == ["message chat", "message body", "iq set answer"]


def test_disco_info_and_ping_are_answered_and_nothing_else_is(prosody: Prosody) -> None:
    async def main() -> tuple[Harness, dict[str, object]]:
        harness = Harness(prosody.c2s_port, "answers")
        await harness.client.connect(TIMEOUT)
        bob, replies = await slixmpp_client(prosody.c2s_port, "bob@localhost/asker", ACCOUNTS["bob"])
        to = harness.client.full_jid
        bob.send_raw(
            f"<iq to='{to}' type='get' id='disco'><query xmlns='{ns.DISCO_INFO}' node='{ns.RAYO_CLIENT}#v1'/></iq>"
            f"<iq to='{to}' type='set' id='rayo'><hangup xmlns='urn:xmpp:rayo:1'/></iq>"
            f"<iq to='{to}' type='get' id='ping'><ping xmlns='{ns.PING}'/></iq>"
        )
        got: dict[str, object] = {}
        while "ping" not in got:  # the harness answers in order: by the ping's answer, all is in
            reply = await asyncio.wait_for(replies.get(), TIMEOUT)
            if reply["from"] == to:  # not bob's own login
                got[reply["id"]] = reply.xml
        await disconnect(bob)
        await harness.client.close(TIMEOUT)
        return harness, got

    harness, got = asyncio.run(main())
    assert sorted(got) == ["disco", "ping"], "the Rayo iq was left for the owner to answer"
    disco = got["disco"]
    assert disco.get("type") == "result"
    query = disco.find(ns.qname(ns.DISCO_INFO, "query"))
    assert query.get("node") == f"{ns.RAYO_CLIENT}#v1"
    features = {f.get("var") for f in query.iter(ns.qname(ns.DISCO_INFO, "feature"))}
    assert ns.RAYO_CLIENT in features and ns.PING in features
    assert got["ping"].get("type") == "result" and len(got["ping"]) == 0
    assert [s.id for s in harness.stanzas] == ["rayo"]  # only what the harness did not answer
    after_login = [r.label for r in harness.records("sent")][5:]  # header, auth, header, bind, session
    assert after_login == ["iq result query → bob@localhost/asker", "iq result → bob@localhost/asker", "stream end"]
