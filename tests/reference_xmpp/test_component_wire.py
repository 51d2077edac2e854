"""The component's bytes and limits, against a server driven by hand over a raw socket:
what it writes, and what Prosody would never do (stay silent, send broken XML)."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pytest
from lxml import etree

from conformance.ports import LOOPBACK
from conformance.protocol import namespaces as ns
from conformance.reference.xmpp.component import Component, ComponentError

from .c2s_helpers import TIMEOUT, RecordingCore

SECRET = "s3cret"
STREAM_ID = "stream-42"
HEADER = (
    f"<?xml version='1.0'?><stream:stream xmlns='{ns.COMPONENT}' xmlns:stream='{ns.STREAM}'"
    f" id='{STREAM_ID}' from='rayo.localhost'>"
)


class RawServer:
    """Accepts one component connection; keeps every byte it sends, and writes what the test says."""

    def __init__(self) -> None:
        self.received = b""
        self.arrived = asyncio.Event()  # more bytes came in
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.Event()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.connected.set()
        while data := await reader.read(65536):
            self.received += data
            self.arrived.set()

    async def until(self, text: str) -> None:
        async with asyncio.timeout(TIMEOUT):
            while text.encode() not in self.received:
                self.arrived.clear()
                await self.arrived.wait()

    def write(self, text: str) -> None:
        assert self.writer is not None
        self.writer.write(text.encode())

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self._server.close()
        await self._server.wait_closed()


async def handshaken(server: RawServer, core: RecordingCore | None = None, **options: object) -> Component:
    """A component connected to `server`, which accepts its handshake."""
    port = await server.start()
    component = Component(handler=core or RecordingCore(), domain="rayo.localhost", secret=SECRET, port=port, **options)
    connecting = asyncio.create_task(component.connect(TIMEOUT))
    await server.until('to="rayo.localhost">')
    server.write(HEADER)
    await server.until("</handshake>")
    server.write("<handshake/>")
    await connecting
    return component


def test_the_handshake_is_the_hex_sha1_of_the_stream_id_and_the_secret():
    async def scenario():
        server = RawServer()
        component = await handshaken(server)
        await component.close(timeout=0.1)
        await server.close()
        return server.received.decode()

    sent = asyncio.run(scenario())
    assert sent.startswith(f"<?xml version='1.0'?><stream:stream xmlns='{ns.COMPONENT}' xmlns:stream='{ns.STREAM}'")
    digest = hashlib.sha1((STREAM_ID + SECRET).encode()).hexdigest()
    assert f"<handshake>{digest}</handshake>" in sent


def test_stanzas_of_the_core_go_out_in_the_component_namespace():
    async def scenario():
        server = RawServer()
        component = await handshaken(server)
        event = etree.Element(ns.qname(ns.CLIENT, "presence"), nsmap={None: ns.CLIENT}, to="alice@localhost/a")
        etree.SubElement(event, ns.qname(ns.CLIENT, "status")).text = "ringing"
        etree.SubElement(event, ns.qname(ns.RAYO, "ringing"), nsmap={None: ns.RAYO})
        component.send(event)
        await server.until("</presence>")
        await component.close(timeout=0.1)
        await server.close()
        return server.received.decode()

    sent = asyncio.run(scenario())
    presence = sent[sent.index("<presence") : sent.index("</presence>") + len("</presence>")]
    assert presence == (
        f'<presence xmlns="{ns.COMPONENT}" to="alice@localhost/a"><status>ringing</status>'
        f'<ringing xmlns="{ns.RAYO}"/></presence>'
    )


def test_stanzas_from_the_server_reach_the_core_in_jabber_client():
    async def scenario():
        server = RawServer()
        core = RecordingCore()
        component = await handshaken(server, core)
        server.write("<presence from='a@localhost/x' to='rayo.localhost'><show>chat</show></presence>")
        seen = await core.next()
        await component.close(timeout=0.1)
        await server.close()
        return seen

    seen = asyncio.run(scenario())
    assert seen.tag == ns.qname(ns.CLIENT, "presence") and seen.nsmap[None] == ns.CLIENT
    assert seen.findtext(ns.qname(ns.CLIENT, "show")) == "chat"


def test_a_server_that_never_answers_fails_the_connect_within_its_bound():
    async def scenario():
        server = RawServer()
        component = Component(handler=RecordingCore(), domain="rayo.localhost", secret=SECRET, port=await server.start())
        started = time.monotonic()
        with pytest.raises(ComponentError, match=r"no answer within 0.3 s \(waiting for the server's stream header\)"):
            await component.connect(0.3)
        took = time.monotonic() - started
        await server.close()
        return took

    assert asyncio.run(scenario()) < 1.0


def test_nobody_listening_is_a_clear_error():
    async def scenario():
        server = RawServer()
        port = await server.start()
        await server.close()  # the port is free again: nothing listens there
        with pytest.raises(ComponentError, match=f"cannot connect to 127.0.0.1:{port}: Connection refused"):
            await Component(handler=RecordingCore(), domain="rayo.localhost", secret=SECRET, port=port).connect(TIMEOUT)

    asyncio.run(scenario())


def test_broken_xml_from_the_server_gets_a_stream_error_and_is_reported_as_a_loss():
    async def scenario():
        server = RawServer()
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await handshaken(server, on_lost=lost.set_result)
        server.write("<presence from='a@localhost/x' to='rayo.localhost'></iq>")
        reason = await asyncio.wait_for(lost, TIMEOUT)
        await server.until("</stream:stream>")
        await server.close()
        return reason, server.received.decode()

    reason, sent = asyncio.run(scenario())
    assert reason.startswith("the server's stream broke the rules (not-well-formed")
    assert f"<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in sent
