"""The component against a real Prosody: the handshake, routing both ways, presence, stream errors."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from lxml import etree

from conformance.protocol import namespaces as ns
from conformance.reference.prosody import Prosody
from conformance.reference.xmpp.component import Component, ComponentError

from .c2s_helpers import ACCOUNTS, TIMEOUT, RawClient, RecordingCore, stanza_error

IQ = ns.qname(ns.CLIENT, "iq")
PRESENCE = ns.qname(ns.CLIENT, "presence")
RAYO_ANSWER = "<answer xmlns='urn:xmpp:rayo:1'><header name='X-Skill' value='sales'/></answer>"


def _started(directory: Path) -> Prosody:
    server = Prosody(directory)
    server.start()
    for user, password in ACCOUNTS.items():
        server.register(user, password)
    return server


@pytest.fixture(scope="module")
def prosody(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prosody]:
    server = _started(tmp_path_factory.mktemp("prosody-component"))
    yield server
    server.stop()


def component_for(server: Prosody, core: RecordingCore, **options: object) -> Component:
    settings: dict = {"domain": server.component, "secret": server.component_secret, "port": server.component_port} | options
    component = Component(handler=core, **settings)
    core.sender = component  # type: ignore[assignment]  # the core's side of the seam: any StanzaSender
    return component


@contextlib.asynccontextmanager
async def connected(server: Prosody, **options: object) -> AsyncIterator[tuple[Component, RecordingCore]]:
    core = RecordingCore()
    component = component_for(server, core, **options)
    await component.connect(TIMEOUT)
    try:
        yield component, core
    finally:
        await component.close()


async def client(server: Prosody, resource: str, user: str = "alice") -> RawClient:
    raw = await RawClient.connect(("127.0.0.1", server.c2s_port))
    assert await raw.login(user, resource) == f"{user}@localhost/{resource}"
    return raw


def core_stanza(kind: str, to: str, payload: str = "", sender: str = "call1@rayo.localhost", **attributes: str) -> etree._Element:
    stanza = etree.Element(ns.qname(ns.CLIENT, kind), nsmap={None: ns.CLIENT}, to=to, **attributes)
    stanza.set("from", sender)
    if payload:
        stanza.append(etree.fromstring(payload))
    return stanza


def test_an_iq_reaches_the_core_as_from_the_embedded_listener_and_its_result_reaches_the_client(prosody):
    async def scenario():
        async with connected(prosody) as (_, core):
            alice = await client(prosody, "desk")
            reply = await alice.iq(RAYO_ANSWER, to="call1@rayo.localhost", id="a1")
            assert (reply.get("type"), reply.get("from"), reply.get("id")) == ("result", "call1@rayo.localhost", "a1")
            seen = await core.next()
            # What the c2s listener would hand over: jabber:client, `from` stamped by the server
            assert seen.tag == IQ and seen.nsmap[None] == ns.CLIENT
            assert (seen.get("from"), seen.get("to"), seen.get("type")) == ("alice@localhost/desk", "call1@rayo.localhost", "set")
            assert seen[0].tag == ns.qname(ns.RAYO, "answer") and seen[0][0].get("value") == "sales"
            await alice.close()

    asyncio.run(scenario())


def test_an_event_of_the_core_reaches_the_client_and_the_core_keeps_its_element(prosody):
    async def scenario():
        async with connected(prosody) as (component, _):
            alice = await client(prosody, "events")
            event = core_stanza("presence", "alice@localhost/events", "<ringing xmlns='urn:xmpp:rayo:1'/>")
            before = etree.tostring(event)
            component.send(event)
            got = await alice.element()
            assert got.tag == PRESENCE and got.get("from") == "call1@rayo.localhost"
            assert got[0].tag == ns.qname(ns.RAYO, "ringing")
            assert etree.tostring(event) == before  # the component sent a copy in its own namespace
            await alice.close()

    asyncio.run(scenario())


def test_directed_presence_and_the_unavailable_presence_of_a_disconnect_reach_the_core(prosody):
    async def scenario():
        async with connected(prosody) as (_, core):
            alice = await client(prosody, "phone")
            await alice.send("<presence to='rayo.localhost'><show>chat</show></presence>")
            available = await core.next()
            assert available.tag == PRESENCE and available.get("type") is None
            assert available.get("from") == "alice@localhost/phone"
            assert available.findtext(ns.qname(ns.CLIENT, "show")) == "chat"  # children in jabber:client too
            await alice.close()  # TCP closed without a goodbye: Prosody speaks for the client
            gone = await core.next()
            assert (gone.tag, gone.get("type")) == (PRESENCE, "unavailable")
            assert (gone.get("from"), gone.get("to")) == ("alice@localhost/phone", "rayo.localhost")

    asyncio.run(scenario())


def test_raw_text_of_the_core_goes_out_as_is(prosody):
    async def scenario():
        async with connected(prosody) as (component, _):
            alice = await client(prosody, "raw")
            component.send("<message from='call1@rayo.localhost' to='alice@localhost/raw'><body>as&#32;is</body></message>")
            got = await alice.element()
            assert (got.get("from"), got.findtext(ns.qname(ns.CLIENT, "body"))) == ("call1@rayo.localhost", "as is")
            await alice.close()

    asyncio.run(scenario())


def test_a_fault_in_the_core_does_not_take_the_connection_down(prosody):
    class FailingOnce(RecordingCore):
        failed = False

        def receive(self, stanza: etree._Element) -> None:
            if not self.failed:
                self.failed = True
                raise RuntimeError("a bug in the core")
            super().receive(stanza)

    async def scenario():
        core = FailingOnce()
        component = component_for(prosody, core)
        await component.connect(TIMEOUT)
        alice = await client(prosody, "bugs")
        await alice.send("<presence to='rayo.localhost'/>")
        reply = await alice.iq("<ping xmlns='urn:xmpp:ping'/>", to="rayo.localhost", kind="get")
        assert reply.get("type") == "result"
        await alice.close()
        await component.close()
        assert core.failed

    asyncio.run(scenario())


def test_a_wrong_secret_is_refused_with_the_servers_reason(prosody):
    async def scenario():
        component = component_for(prosody, RecordingCore(), secret="not-the-secret")
        with pytest.raises(ComponentError, match=r"not-authorized \(Given token does not match calculated token\)"):
            await component.connect(TIMEOUT)

    asyncio.run(scenario())


def test_a_domain_the_server_does_not_serve_is_refused(prosody):
    async def scenario():
        component = component_for(prosody, RecordingCore(), domain="other.localhost")
        with pytest.raises(ComponentError, match="host-unknown"):
            await component.connect(TIMEOUT)

    asyncio.run(scenario())


def test_a_second_component_for_the_domain_is_refused_while_the_first_is_connected(prosody):
    async def scenario():
        async with connected(prosody):
            with pytest.raises(ComponentError, match="conflict"):
                await component_for(prosody, RecordingCore()).connect(TIMEOUT)

    asyncio.run(scenario())


def test_close_is_prompt_and_then_prosody_answers_for_the_missing_component(prosody):
    async def scenario():
        lost: list[str] = []
        async with connected(prosody, on_lost=lost.append) as (component, _):
            started = time.monotonic()
            await component.close()
            took = time.monotonic() - started
        alice = await client(prosody, "after")
        reply = await alice.iq(RAYO_ANSWER, to="call1@rayo.localhost")
        assert (reply.get("type"), stanza_error(reply)) == ("error", "remote-server-timeout")
        await alice.close()
        async with connected(prosody):  # Prosody let the first one go: no conflict
            pass
        return took, lost

    took, lost = asyncio.run(scenario())
    assert took < 1.0, f"close waited {took:.2f} s for Prosody to close its stream"
    assert lost == []  # a close of our own is not a loss


def test_malformed_raw_text_ends_the_stream_and_the_loss_is_reported(prosody):
    async def scenario():
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        async with connected(prosody, on_lost=lost.set_result) as (component, _):
            component.send("<presence from='call1@rayo.localhost' to='alice@localhost/x'><end></presence>")
            reason = await asyncio.wait_for(lost, TIMEOUT)
            component.send(core_stanza("presence", "alice@localhost/x"))  # dropped, not raised
        return reason

    assert asyncio.run(scenario()) == "the server ended the stream with an error: not-well-formed"


def test_prosody_stopping_is_reported_as_a_loss(tmp_path):
    server = _started(tmp_path)

    async def scenario():
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        async with connected(server, on_lost=lost.set_result):
            server.stop()
            return await asyncio.wait_for(lost, TIMEOUT)

    try:
        reason = asyncio.run(scenario())
    finally:
        server.stop()
    assert reason == "the server closed the connection"  # Prosody drops components at SIGTERM without a word
