"""The XML stream itself: what is refused, how it closes, xml:lang."""

from __future__ import annotations

import asyncio

import pytest

from conformance.protocol import namespaces as ns
from conformance.reference.xmpp import session as session_module
from conformance.reference.xmpp.parser import MAX_STANZA_BYTES, XML_LANG

from .c2s_helpers import RawClient, running_server, slixmpp_client, start_session

PING = "<ping xmlns='urn:xmpp:ping'/>"
STREAM_OPEN = f"<stream:stream xmlns='jabber:client' xmlns:stream='{ns.STREAM}' to='localhost' version='1.0'>"


@pytest.mark.parametrize(
    "opening, condition",
    [
        (
            "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'aaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
            + STREAM_OPEN,
            "restricted-xml",
        ),
        ("<!DOCTYPE stream:stream SYSTEM 'http://127.0.0.1:9/x.dtd'>" + STREAM_OPEN, "restricted-xml"),
        ("<!-- hello -->" + STREAM_OPEN, "restricted-xml"),
        (STREAM_OPEN.replace(ns.STREAM, "urn:wrong:streams"), "invalid-namespace"),
        (STREAM_OPEN.replace("xmlns='jabber:client'", "xmlns='jabber:server'"), "invalid-namespace"),
        (STREAM_OPEN.replace("to='localhost'", "to='example.org'"), "host-unknown"),
        (STREAM_OPEN.replace("to='localhost'", "to='rayo.localhost'"), "host-unknown"),
        (STREAM_OPEN.replace("version='1.0'", "version='0.9'"), "unsupported-version"),
        ("<?xml version='1.0' encoding='ISO-8859-1'?>" + STREAM_OPEN, "unsupported-encoding"),
        ("<stream:stream xmlns='jabber:client' to='localhost'>", "bad-namespace-prefix"),
    ],
    ids=["doctype-entities", "doctype-external", "comment", "stream-ns", "content-ns", "host", "service-host",
         "version", "encoding", "unbound-prefix"],
)
def test_a_bad_stream_opening_is_a_stream_error(opening, condition):
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.send(opening)
            assert await raw.stream_error() == condition
            assert raw.header is not None  # the error came inside a stream header of the server's

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "data, condition",
    [
        ("<message><body>a</bdy></message>", "not-well-formed"),
        ("<message><body>&lol;</body></message>", "restricted-xml"),
        ("<message><body>&#0;</body></message>", "not-well-formed"),
        ("<message><!-- comment --></message>", "restricted-xml"),
        ("<?rayo please?>", "restricted-xml"),
        ("<message><x:body/></message>", "bad-namespace-prefix"),
        ("<iq xmlns='jabber:server' type='get' id='1'/>", "invalid-namespace"),
        ("<foo/>", "unsupported-stanza-type"),
        ("just text", "bad-format"),
        ("<message>" + "<x>" * 80 + "</x>" * 80 + "</message>", "policy-violation"),
    ],
    ids=["mismatched-tag", "undeclared-entity", "bad-char-ref", "comment", "pi", "unbound-prefix",
         "stanza-ns", "unknown-element", "text", "too-deep"],
)
def test_bad_xml_in_an_established_session_is_a_stream_error(data, condition):
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.login()
            await raw.send(data)
            assert await raw.stream_error() == condition
            assert core.received.empty()

    asyncio.run(scenario())


def test_an_oversized_stanza_is_refused_and_a_large_one_is_not():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.login()
            large = "x" * (MAX_STANZA_BYTES - 1024)
            await raw.send(f"<message to='call1@rayo.localhost' id='large'><body>{large}</body></message>")
            assert len((await core.next()).findtext(ns.qname(ns.CLIENT, "body"))) == len(large)
            # the oversized one never ends: the server must not wait for its end
            await raw.send("<message to='call1@rayo.localhost'><body>")
            for _ in range(MAX_STANZA_BYTES // 65536 + 1):
                await raw.send("y" * 65536)
            assert await raw.stream_error() == "policy-violation"
            assert core.received.empty()

    asyncio.run(scenario())


def test_whitespace_keepalives_between_stanzas_are_fine():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.login()
            await raw.send(" \n\t ")
            reply = await raw.iq(PING, to="localhost", kind="get")
            assert reply.get("type") == "result"
            await raw.close()

    asyncio.run(scenario())


def test_a_client_closing_its_stream_gets_the_closing_tag_back():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.login()
            await raw.send("</stream:stream>")
            await raw.until_closed()
            assert raw.stream_closed and raw.received.endswith(b"</stream:stream>")

    asyncio.run(scenario())


def test_stop_closes_every_stream_cleanly():
    async def scenario():
        async with running_server() as (server, _):
            raws = [await RawClient.connect(server.address) for _ in range(3)]
            await raws[0].login(resource="0")
            await raws[1].open_stream()  # mid-negotiation
            # raws[2] has not even opened its stream: it still gets a header and a close
            client = slixmpp_client("bob@localhost/s", "bob-pw")
            await start_session(client, server.address)
            disconnected = asyncio.get_running_loop().create_future()
            client.add_event_handler("disconnected", lambda _: disconnected.done() or disconnected.set_result(None))
            stopping = asyncio.create_task(server.stop())
            for raw in raws:
                await raw.until_closed()
                assert raw.stream_closed, raw.received
                await raw.close()  # answering the close lets the server finish at once
            await asyncio.wait_for(disconnected, 5)
            await asyncio.wait_for(stopping, 1.0)  # well before CLOSE_TIMEOUT: nobody was left hanging

    asyncio.run(scenario())


def test_a_peer_that_never_closes_is_dropped_after_the_close_timeout(monkeypatch):
    monkeypatch.setattr(session_module, "CLOSE_TIMEOUT", 0.2)

    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.login()
            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.wait_for(server.stop(), 2.0)
            assert 0.2 <= loop.time() - started < 1.0
            await raw.until_closed()
            assert raw.stream_closed
            await raw.close()

    asyncio.run(scenario())


def test_xml_lang_of_the_stream_travels_with_stanzas():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.open_stream(lang="de")
            await raw.element()
            assert raw.header.get(XML_LANG) == "de"  # echoed in the server's header
            await raw.close()

            raw = await RawClient.connect(server.address)
            await raw.login()  # this stream declares no xml:lang
            await raw.iq(PING, to="call1@rayo.localhost", kind="get")
            assert XML_LANG not in (await core.next()).attrib
            await raw.close()

            raw = await RawClient.connect(server.address)
            await raw.authenticate()
            raw.restart()
            await raw.open_stream(lang="de")
            await raw.element()
            await raw.iq(f"<bind xmlns='{ns.BIND}'><resource>lang</resource></bind>")
            await raw.iq(f"<session xmlns='{ns.SESSION}'/>")
            await raw.iq(PING, to="call1@rayo.localhost", kind="get", id="1")
            await raw.send(f"<iq type='get' id='2' to='call1@rayo.localhost' xml:lang='fr'>{PING}</iq>")
            assert [(await core.next()).get(XML_LANG) for _ in range(2)] == ["de", "fr"]
            await raw.close()

    asyncio.run(scenario())
