"""Test kit for the harness XMPP client: the harness under test with its
callbacks observed, a TCP relay that keeps an independent copy of the bytes,
plain slixmpp peers (a second client, an XEP-0114 component), and a fake
server for what no real server sends on demand (malformed or hostile input)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable

from slixmpp import ClientXMPP, ComponentXMPP
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from conformance.ports import LOOPBACK
from conformance.protocol.stanza import Stanza
from conformance.transcript import Transcript
from conformance.xmpp import Account, HarnessClient

TIMEOUT = 5.0
ACCOUNTS = {"alice": "alice-Secret-41", "bob": "bob-Secret-42"}

logging.getLogger("slixmpp").setLevel(logging.CRITICAL)  # the peers' resets are expected here


class Harness:
    """A HarnessClient for `user` on loopback (plain TCP, no presence unless told
    otherwise), and what it reported to its owner."""

    def __init__(self, port: int, resource: str, user: str = "alice", domain: str = "localhost", **account: object):
        settings: dict = {"password": ACCOUNTS.get(user, ""), "tls": "plain", "presence": "none"} | account
        self.transcript = Transcript()
        self.stanzas: list[Stanza] = []
        self.arrived: asyncio.Queue[Stanza] = asyncio.Queue()
        self.closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.client = HarnessClient(
            resource,
            Account(jid=f"{user}@{domain}/{resource}", host=LOOPBACK, port=port, **settings),
            self.transcript,
            self._stanza,
            self._closed,
        )

    def _stanza(self, stanza: Stanza) -> None:
        self.stanzas.append(stanza)
        self.arrived.put_nowait(stanza)

    def _closed(self, reason: str) -> None:
        assert not self.closed.done(), f"on_closed called twice: {self.closed.result()!r}, then {reason!r}"
        self.closed.set_result(reason)

    def records(self, direction: str) -> list:
        return [r for r in self.transcript.records if r.direction == direction]


class Relay:
    """A TCP relay between the harness and a server. It keeps its own copy of
    the bytes each way and can hold the server's bytes back until a marker
    has arrived, then pass them on in one write (one read at the harness)."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.from_server = bytearray()
        self.from_client = bytearray()
        self._hold_marker: bytes | None = None
        self._held = bytearray()
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._connection, LOOPBACK, 0)
        return self._server.sockets[0].getsockname()[1]

    def hold_until(self, marker: bytes) -> None:
        self._hold_marker = marker

    async def close(self) -> None:
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(LOOPBACK, self.upstream_port)
        self._writers += [client_writer, server_writer]
        await asyncio.gather(
            self._pipe(client_reader, server_writer, self.from_client, hold=False),
            self._pipe(server_reader, client_writer, self.from_server, hold=True),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, copy: bytearray, hold: bool) -> None:
        while data := await reader.read(65536):
            copy += data
            if hold and self._hold_marker is not None:
                data = self._held_back(data)
            if data:
                writer.write(data)
                await writer.drain()
        writer.close()

    def _held_back(self, data: bytes) -> bytes:
        self._held += data
        if self._hold_marker not in self._held:
            return b""
        self._hold_marker = None
        released, self._held = bytes(self._held), bytearray()
        return released


async def slixmpp_client(port: int, jid: str, password: str) -> tuple[ClientXMPP, asyncio.Queue]:
    """A plain slixmpp client, logged in; the queue gets every iq it receives."""
    xmpp = ClientXMPP(jid, password)
    xmpp.enable_direct_tls, xmpp.enable_starttls, xmpp.enable_plaintext = False, False, True
    xmpp.plugin["feature_mechanisms"].unencrypted_plain = True
    iqs: asyncio.Queue = asyncio.Queue()
    xmpp.register_handler(Callback("test iqs", MatchXPath("{jabber:client}iq"), iqs.put_nowait))
    await _logged_in(xmpp, lambda: xmpp.connect(LOOPBACK, port))
    return xmpp, iqs


async def component(port: int, domain: str, secret: str) -> tuple[ComponentXMPP, asyncio.Queue]:
    """A plain slixmpp XEP-0114 component; the queue gets every presence it receives."""
    xmpp = ComponentXMPP(domain, secret, LOOPBACK, port)
    presences: asyncio.Queue = asyncio.Queue()
    xmpp.register_handler(Callback("test presence", MatchXPath("{jabber:component:accept}presence"), presences.put_nowait))
    await _logged_in(xmpp, xmpp.connect)
    return xmpp, presences


async def _logged_in(xmpp: ClientXMPP | ComponentXMPP, connect: Callable[[], object]) -> None:
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(None))
    connect()
    await asyncio.wait_for(started, TIMEOUT)


async def disconnect(xmpp: ClientXMPP | ComponentXMPP) -> None:
    await asyncio.wait_for(xmpp.disconnect(wait=1.0), TIMEOUT)


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
    """A few lines of asyncio that speak just enough XMPP for a login: the one
    hand-rolled peer in these tests. Answers the stream header with `first`
    (default: a normal login), keeps reading what the client sends until it closes;
    with `then`, it answers the first iq after the login with those bytes and closes
    the connection (what a broken server does instead of answering)."""

    def __init__(self, first: bytes = HEADER + b"<stream:features>" + MECHANISMS + b"</stream:features>", then: bytes | None = None):
        self.first = first
        self.then = then
        self.received = bytearray()
        self.client_gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seen = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        return self._server.sockets[0].getsockname()[1]

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    async def write_until_gone(self, chunks: Iterable[bytes]) -> int:
        """Write chunk after chunk as the client reads them, until they run out or
        the client leaves; returns how many bytes were written."""
        written = 0
        for chunk in chunks:
            if self.client_gone.done():
                break
            self._writer.write(chunk)
            written += len(chunk)
            try:
                await self._writer.drain()
            except ConnectionError:
                break
        return written

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
            if self.then is not None:
                await self._expect(IQ)
                writer.write(self.then)
                writer.close()
        try:
            while data := await reader.read(4096):
                self.received += data
        except ConnectionError:
            pass  # the client aborted the connection
        self.client_gone.set_result(None)

    async def _expect(self, pattern: re.Pattern[bytes]) -> re.Match[bytes]:
        while (match := pattern.search(self.received, self._seen)) is None:
            data = await self._reader.read(4096)
            if not data:
                raise ConnectionError("the client left")
            self.received += data
        self._seen = match.end()
        return match
