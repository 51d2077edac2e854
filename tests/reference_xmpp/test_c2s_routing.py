"""Routing between clients, the Rayo core and the server itself."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import pytest
from lxml import etree

from conformance.protocol import namespaces as ns

from .c2s_helpers import (
    RawClient,
    end_session,
    running_server,
    slixmpp_client,
    stanza_error,
    start_session,
)

PRESENCE = ns.qname(ns.CLIENT, "presence")
MESSAGE = ns.qname(ns.CLIENT, "message")
PING = "<ping xmlns='urn:xmpp:ping'/>"


def core_stanza(kind: str, to: str, sender: str = "call1@rayo.localhost", **attributes: str) -> etree._Element:
    stanza = etree.Element(ns.qname(ns.CLIENT, kind), nsmap={None: ns.CLIENT}, to=to, **attributes)
    stanza.set("from", sender)
    return stanza


def test_iq_to_a_call_jid_reaches_the_core_and_the_reply_reaches_the_client():
    async def scenario():
        async with running_server() as (server, core):
            client = slixmpp_client("alice@localhost/desk", "alice-pw")
            await start_session(client, server.address)
            for to in ("call1@rayo.localhost", "call1@rayo.localhost/output-1", "rayo.localhost"):
                iq = client.make_iq_set(ito=to)
                iq.xml.append(ET.fromstring("<answer xmlns='urn:xmpp:rayo:1'><header name='X' value='1'/></answer>"))
                reply = await iq.send(timeout=5)
                assert (reply["type"], reply["from"].full) == ("result", to)
                seen = await core.next()
                assert seen.tag == ns.qname(ns.CLIENT, "iq")
                assert (seen.get("to"), seen.get("from"), seen.get("type")) == (to, "alice@localhost/desk", "set")
                assert seen[0].tag == ns.qname(ns.RAYO, "answer") and seen[0][0].get("value") == "1"
            await end_session(client)

    asyncio.run(scenario())


def test_the_from_of_a_client_stanza_is_stamped_with_its_full_jid():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.login(resource="r")
            await raw.iq(PING, to="call1@rayo.localhost", kind="get")
            await raw.send(f"<iq type='get' id='forged' from='bob@localhost/x' to='call1@rayo.localhost'>{PING}</iq>")
            assert (await raw.element()).get("to") == "alice@localhost/r"
            assert [(await core.next()).get("from") for _ in range(2)] == ["alice@localhost/r"] * 2
            await raw.close()

    asyncio.run(scenario())


def test_presence_to_a_bare_jid_reaches_only_available_resources():
    async def scenario():
        async with running_server() as (server, core):
            online, silent = await RawClient.connect(server.address), await RawClient.connect(server.address)
            await online.login(resource="online")
            await silent.login(resource="silent")
            await online.send("<presence/>")
            await online.iq(PING, to="rayo.localhost", kind="get")  # the presence was handled before this

            def barrier(to: str) -> etree._Element:
                message = core_stanza("message", to, id="barrier")
                server.send(message)
                return message

            server.send(core_stanza("presence", "alice@localhost", id="offer"))
            barrier("alice@localhost/silent")
            assert (await online.element()).get("id") == "offer"
            # per connection the order is kept: had the offer gone to 'silent', it would come first
            assert (await silent.element()).get("id") == "barrier"

            server.send(core_stanza("presence", "alice@localhost/silent", id="direct"))
            assert (await silent.element()).get("id") == "direct"  # a full JID always reaches

            await online.send("<presence type='unavailable'/>")
            await online.iq(PING, to="rayo.localhost", kind="get", id="q2")
            server.send(core_stanza("presence", "alice@localhost", id="offer2"))
            barrier("alice@localhost/online")
            assert (await online.element()).get("id") == "barrier"
            await online.close()
            await silent.close()

    asyncio.run(scenario())


def test_undirected_presence_is_not_handed_to_the_core():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.login()
            await raw.send("<presence><show>chat</show></presence>")
            await raw.send("<presence to='rayo.localhost'><show>chat</show></presence>")
            directed = await core.next()
            assert directed.tag == PRESENCE and directed.get("to") == "rayo.localhost"
            assert directed.findtext(ns.qname(ns.CLIENT, "show")) == "chat"
            await raw.close()

    asyncio.run(scenario())


async def _end_by_stream_close(raw: RawClient) -> None:
    await raw.send("</stream:stream>")
    await raw.until_closed()
    assert raw.stream_closed  # the server answered with its own closing tag
    await raw.close()


async def _end_by_tcp_loss(raw: RawClient) -> None:
    raw.writer.transport.abort()


async def _end_by_stream_error(raw: RawClient) -> None:
    await raw.send("<iq><unclosed></iq>")
    assert await raw.stream_error() == "not-well-formed"


@pytest.mark.parametrize("end", [_end_by_stream_close, _end_by_tcp_loss, _end_by_stream_error])
def test_a_session_that_ends_sends_unavailable_to_its_directed_presence_targets(end):
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            jid = await raw.login()
            for to in ("rayo.localhost", "call1@rayo.localhost", "call2@rayo.localhost"):
                await raw.send(f"<presence to='{to}'/>")
                assert (await core.next()).get("to") == to
            await raw.send("<presence type='unavailable' to='call2@rayo.localhost'/>")  # withdrawn: not told again
            assert (await core.next()).get("type") == "unavailable"
            await end(raw)
            gone = [await core.next() for _ in range(2)]
            assert sorted((p.tag, p.get("type"), p.get("from"), p.get("to")) for p in gone) == [
                (PRESENCE, "unavailable", jid, "call1@rayo.localhost"),
                (PRESENCE, "unavailable", jid, "rayo.localhost"),
            ]
            # The session is gone: an iq for it bounces back to the core, and
            # nothing else came before the bounce.
            server.send(core_stanza("iq", jid, type="get", id="after"))
            bounce = await core.next()
            assert (bounce.get("id"), stanza_error(bounce)) == ("after", "service-unavailable")

    asyncio.run(scenario())


def test_slixmpp_disconnect_sends_unavailable_to_the_core():
    async def scenario():
        async with running_server() as (server, core):
            client = slixmpp_client("alice@localhost/desk", "alice-pw")
            await start_session(client, server.address)
            client.send_presence(pto="rayo.localhost", pshow="chat")
            assert (await core.next()).get("type") is None
            await end_session(client)
            gone = await core.next()
            assert (gone.get("type"), gone.get("from"), gone.get("to")) == (
                "unavailable", "alice@localhost/desk", "rayo.localhost",
            )

    asyncio.run(scenario())


def test_the_server_answers_ping_disco_and_the_roster_and_nothing_else():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            jid = await raw.login()
            pong = await raw.iq(PING, to="localhost", kind="get", id="p1")
            assert (pong.get("type"), pong.get("from"), pong.get("to")) == ("result", "localhost", jid)
            assert (await raw.iq(PING, kind="get", id="p2")).get("type") == "result"  # no 'to': the account
            info = await raw.iq(f"<query xmlns='{ns.DISCO_INFO}'/>", to="localhost", kind="get", id="d")
            identity = info.find(f"{{{ns.DISCO_INFO}}}query/{{{ns.DISCO_INFO}}}identity")
            assert (identity.get("category"), identity.get("type")) == ("server", "im")
            features = {f.get("var") for f in info.iter(ns.qname(ns.DISCO_INFO, "feature"))}
            assert {ns.DISCO_INFO, ns.PING} <= features
            roster = await raw.iq("<query xmlns='jabber:iq:roster'/>", to="localhost", kind="get", id="r")
            assert stanza_error(roster) == "service-unavailable"  # the roster is the account's, not the domain's
            await raw.send("<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='x@localhost'/></query></iq>")
            assert stanza_error(await raw.element()) == "service-unavailable"  # no roster changes
            await raw.send("<message to='localhost' id='m'><body>hi</body></message>")
            assert stanza_error(await raw.element()) == "service-unavailable"
            remote = await raw.iq(PING, to="someone@example.org", kind="get", id="x")
            assert stanza_error(remote) == "remote-server-not-found"
            await raw.close()
            assert core.received.empty()

    asyncio.run(scenario())


def test_stanzas_between_clients():
    async def scenario():
        async with running_server() as (server, core):
            alice, bob = await RawClient.connect(server.address), await RawClient.connect(server.address)
            await alice.login(resource="a")
            await bob.login(user="bob", resource="b")
            await alice.send("<message to='bob@localhost/b' id='m1'><body>full</body></message>")
            got = await bob.element()
            assert (got.get("id"), got.get("from")) == ("m1", "alice@localhost/a")
            await alice.send("<message to='bob@localhost' id='m2'><body>bare</body></message>")
            assert stanza_error(await alice.element()) == "service-unavailable"  # bob is not available
            await bob.send("<presence/>")
            await bob.iq(PING, to="localhost", kind="get")
            await alice.send("<message to='bob@localhost' id='m3'><body>bare</body></message>")
            assert (await bob.element()).get("id") == "m3"
            await alice.send(f"<iq type='get' id='i1' to='bob@localhost/b'>{PING}</iq>")
            request = await bob.element()
            await bob.send(f"<iq type='result' id='{request.get('id')}' to='{request.get('from')}'/>")
            answer = await alice.element()
            assert (answer.get("type"), answer.get("id"), answer.get("from")) == ("result", "i1", "bob@localhost/b")
            unknown = await alice.iq(PING, to="bob@localhost/nowhere", kind="get", id="i2")
            assert stanza_error(unknown) == "service-unavailable"
            await alice.close()
            await bob.close()
            assert core.received.empty()

    asyncio.run(scenario())


def test_core_stanzas_to_absent_clients_bounce_back_to_the_core():
    async def scenario():
        async with running_server() as (server, core):
            server.send(core_stanza("presence", "nobody@localhost/x", id="dropped"))  # presence: never bounced
            server.send(core_stanza("iq", "nobody@localhost/x", type="set", id="i"))
            server.send(core_stanza("message", "nobody@localhost", id="m"))
            server.send(core_stanza("iq", "nobody@localhost/x", type="result", id="r"))  # results: never bounced
            bounced = [await core.next(), await core.next()]
            assert [(b.get("id"), b.get("type"), stanza_error(b)) for b in bounced] == [
                ("i", "error", "service-unavailable"),
                ("m", "error", "service-unavailable"),
            ]
            assert all(b.get("to") == "call1@rayo.localhost" for b in bounced)
            server.send(core_stanza("message", "not a jid@", id="bad"))
            assert stanza_error(await core.next()) == "jid-malformed"

    asyncio.run(scenario())


def test_raw_text_from_the_core_is_written_as_is():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            jid = await raw.login()
            text = f"<message  to='{jid}' from='call1@rayo.localhost'><body>broken</bdy></message>"
            server.send(text)
            await raw.received_text(text)
            assert raw.malformed
            with pytest.raises(ValueError):
                server.send("<message><body>no to</body></message>")
            await raw.close()

    asyncio.run(scenario())


def test_subscription_presence_to_a_bare_jid_reaches_the_resources_that_asked_for_the_roster():
    async def scenario():
        async with running_server() as (server, core):
            asking, silent = await RawClient.connect(server.address), await RawClient.connect(server.address)
            await asking.login(resource="asking")
            await silent.login(resource="silent")
            await silent.send("<presence/>")  # available, but not interested: RFC 6121 §3.1.6
            await silent.iq(PING, to="localhost", kind="get")  # its presence was handled before this

            def answer(kind: str, id: str) -> None:
                server.send(core_stanza("presence", "alice@localhost", "conf@rayo.localhost", type=kind, id=id))
                server.send(core_stanza("message", "alice@localhost/silent", id=f"after-{id}"))

            answer("unsubscribed", "early")  # nobody interested yet: it reaches nobody
            assert (await silent.element()).get("id") == "after-early"  # had it gone to 'silent', it would come first
            roster = await asking.iq("<query xmlns='jabber:iq:roster'/>", kind="get", id="roster")
            assert roster.get("type") == "result"  # the first 'asking' gets: the early answer did not reach it
            assert [(child.tag, len(child)) for child in roster] == [(ns.qname(ns.ROSTER, "query"), 0)]

            answer("subscribed", "answer")
            assert (await asking.element()).get("id") == "answer"
            assert (await silent.element()).get("id") == "after-answer"
            await asking.close()
            await silent.close()

    asyncio.run(scenario())
