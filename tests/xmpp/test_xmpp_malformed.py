"""Malformed XML from the server is kept in the transcript and reported, never lost.

The server here is a few lines of asyncio that speak just enough XMPP for a
login: the one hand-rolled peer in these tests, because no real server sends
malformed XML on demand.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from conformance.ports import LOOPBACK
from conformance.xmpp import ConnectError

from .xmpp_kit import TIMEOUT, Harness

HEADER = (
    b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    b"xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='fake' version='1.0'>"
)
MECHANISMS = b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
BIND = b"<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>"
REPLIES = (
    b"<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@localhost/fake</jid></bind></iq>",
    b"<iq type='result' id='%s'/>",
)
CLIENT_HEADER = re.compile(rb"<stream:stream[^>]*>")
IQ = re.compile(rb"<iq\b[^>]*\bid=[\"']([^\"']+).*?</iq>", re.S)


class FakeServer:
    """Answers the stream header with `first` (default: a normal login), then
    keeps reading what the client sends until it closes."""

    def __init__(self, first: bytes = HEADER + b"<stream:features>" + MECHANISMS + b"</stream:features>"):
        self.first = first
        self.received = bytearray()
        self.client_gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seen = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        return self._server.sockets[0].getsockname()[1]

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    async def close(self) -> None:
        self._writer.close()
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        await self._expect(CLIENT_HEADER)
        writer.write(self.first)
        if b"<mechanism>" in self.first:
            await self._expect(re.compile(rb"</auth>"))
            writer.write(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            await self._expect(CLIENT_HEADER)
            writer.write(HEADER + b"<stream:features>" + BIND + b"</stream:features>")
            for reply in REPLIES:
                writer.write(reply % (await self._expect(IQ)).group(1))
        while data := await reader.read(4096):
            self.received += data
        self.client_gone.set_result(None)

    async def _expect(self, pattern: re.Pattern[bytes]) -> re.Match[bytes]:
        while (match := pattern.search(self.received, self._seen)) is None:
            data = await self._reader.read(4096)
            if not data:
                raise ConnectionError("the client left")
            self.received += data
        self._seen = match.end()
        return match


def test_malformed_xml_after_login_is_recorded_and_reported() -> None:
    good = "<message from='rayo@localhost' id='ok' note='1>0'/>"
    bad = "<message id='bad'><body>unclosed</message>"

    async def main() -> tuple[Harness, FakeServer, str]:
        server = FakeServer()
        harness = Harness(await server.start(), "fake")
        await harness.client.connect(TIMEOUT)
        server.write((good + bad).encode())  # one write: the good stanza must survive the bad one
        reason = await asyncio.wait_for(harness.closed, TIMEOUT)
        await asyncio.wait_for(server.client_gone, TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness, server, reason

    harness, server, reason = asyncio.run(main())
    assert [(s.text, s.element.get("note")) for s in harness.stanzas] == [(good, "1>0")]
    assert reason.startswith("malformed XML from the server: mismatched tag at line 1, column ")
    last = harness.records("received")[-1]
    assert last.text == bad and last.label == reason.replace(" from the server", "")
    told = "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"
    assert server.received.decode().endswith(told)
    assert [r.label for r in harness.records("sent")][-2:] == ["error not-well-formed", "stream end"]


def test_malformed_xml_during_login_fails_it() -> None:
    async def main() -> tuple[Harness, str]:
        server = FakeServer(first=HEADER + b"<stream:features><mechanisms>&nbsp;</mechanisms></stream:features>")
        harness = Harness(await server.start(), "fake")
        with pytest.raises(ConnectError) as failure:
            await harness.client.connect(TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness, str(failure.value)

    harness, message = asyncio.run(main())
    assert message.startswith("malformed XML from the server: undefined entity at line 1, column ")
    assert [(r.label.split(":")[0], r.text) for r in harness.records("received")] == [
        ("stream header", HEADER.decode()),
        ("malformed XML", "<stream:features><mechanisms>&nbsp;</mechanisms></stream:features>"),
    ]
    assert not harness.closed.done()
