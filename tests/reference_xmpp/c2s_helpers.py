"""Test kit for the c2s listener: the core's side of the seam, a raw client, slixmpp clients.

The raw client parses what the server sends with lxml's pull parser, not
with the listener's own parser, so the two check each other.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator

import slixmpp
from lxml import etree

from conformance.protocol import namespaces as ns
from conformance.reference.xmpp import C2SServer

TIMEOUT = 5.0
ACCOUNTS = {"alice": "alice-pw", "bob": "bob-pw"}
STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams"
IQ = ns.qname(ns.CLIENT, "iq")

logging.getLogger("slixmpp").setLevel(logging.CRITICAL)  # it logs every reset at ERROR


class RecordingCore:
    """A minimal Rayo core: records every stanza and answers iq requests with an empty result."""

    def __init__(self) -> None:
        self.sender: C2SServer | None = None
        self.received: asyncio.Queue[etree._Element] = asyncio.Queue()

    def receive(self, stanza: etree._Element) -> None:
        self.received.put_nowait(stanza)
        if stanza.tag == IQ and stanza.get("type") in ("get", "set"):
            assert self.sender is not None
            reply = etree.Element(IQ, nsmap={None: ns.CLIENT}, type="result", id=stanza.get("id", ""))
            reply.set("from", stanza.get("to", ""))
            reply.set("to", stanza.get("from", ""))
            self.sender.send(reply)

    async def next(self, timeout: float = TIMEOUT) -> etree._Element:
        return await asyncio.wait_for(self.received.get(), timeout)


@contextlib.asynccontextmanager
async def running_server(**options: object) -> AsyncIterator[tuple[C2SServer, RecordingCore]]:
    core = RecordingCore()
    server = C2SServer(handler=core, accounts=ACCOUNTS, **options)  # type: ignore[arg-type]
    core.sender = server
    await server.start()
    try:
        yield server, core
    finally:
        await asyncio.wait_for(server.stop(), TIMEOUT)


def auth(user: str, password: str, authzid: str = "") -> str:
    """A SASL PLAIN <auth/> element with its initial response."""
    message = base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()
    return f"<auth xmlns='{ns.SASL}' mechanism='PLAIN'>{message}</auth>"


class RawClient:
    """An XMPP client driven by hand over a raw socket, for what a library would never send."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.received = b""  # every byte the server sent
        self.stream_closed = False  # the server sent </stream:stream>
        self.eof = False  # the server closed the TCP connection
        self.malformed = False  # what the server sent stopped being XML
        self._elements: list[etree._Element] = []
        self.restart()

    @classmethod
    async def connect(cls, address: tuple[str, int]) -> RawClient:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), TIMEOUT)
        return cls(reader, writer)

    def restart(self) -> None:
        """A new stream from the server follows (after SASL success)."""
        self._parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True)
        self._depth = 0
        self.header: etree._Element | None = None  # the server's <stream:stream>

    async def send(self, data: str | bytes) -> None:
        self.writer.write(data.encode() if isinstance(data, str) else data)
        await self.writer.drain()

    async def open_stream(self, to: str = "localhost", lang: str | None = None) -> None:
        lang_attr = f" xml:lang='{lang}'" if lang else ""
        await self.send(
            f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='{ns.STREAM}'"
            f" to='{to}' version='1.0'{lang_attr}>"
        )

    async def element(self, timeout: float = TIMEOUT) -> etree._Element:
        """The next first-level element the server sent."""
        async with asyncio.timeout(timeout):
            while not self._elements:
                if self.eof or self.stream_closed:
                    raise EOFError(f"stream ended; received: {self.received!r}")
                await self._read()
        return self._elements.pop(0)

    async def until_closed(self, timeout: float = TIMEOUT) -> None:
        """Read until the server closes the TCP connection."""
        async with asyncio.timeout(timeout):
            while not self.eof:
                await self._read()

    async def received_text(self, text: str, timeout: float = TIMEOUT) -> None:
        """Read until `text` has arrived, byte for byte."""
        async with asyncio.timeout(timeout):
            while text.encode() not in self.received:
                if self.eof:
                    raise EOFError(f"connection closed; received: {self.received!r}")
                await self._read()

    async def _read(self) -> None:
        try:
            data = await self.reader.read(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return
        self.received += data
        if self.malformed:
            return
        try:
            self._parser.feed(data)
        except etree.XMLSyntaxError:
            self.malformed = True  # the server sent broken XML (on purpose, in fault tests)
            return
        for event, element in self._parser.read_events():
            self._depth += 1 if event == "start" else -1
            if event == "start" and self._depth == 1:
                self.header = element
            if event == "end" and self._depth == 1:
                self._elements.append(element)
            elif event == "end" and self._depth == 0:
                self.stream_closed = True

    async def stream_error(self) -> str:
        """The condition of the stream error that must come next, after which the stream closes."""
        element = await self.element()
        assert element.tag == ns.qname(ns.STREAM, "error"), etree.tostring(element)
        # Well within the server's CLOSE_TIMEOUT: it half-closes at once rather
        # than leaving the client to wait for its abort timer.
        await self.until_closed(timeout=1.0)
        assert self.stream_closed, "no </stream:stream> after the stream error"
        await self.close()
        return etree.QName(next(c for c in element if c.tag != f"{{{STREAM_ERRORS}}}text")).localname

    async def starttls(self, context: ssl.SSLContext, hostname: str = "localhost") -> None:
        """Negotiate STARTTLS on a stream whose features were just read."""
        await self.send(f"<starttls xmlns='{ns.TLS}'/>")
        proceed = await self.element()
        assert proceed.tag == ns.qname(ns.TLS, "proceed"), etree.tostring(proceed)
        await asyncio.wait_for(self.writer.start_tls(context, server_hostname=hostname), TIMEOUT)
        self.restart()

    async def authenticate(self, user: str = "alice", password: str | None = None) -> etree._Element:
        await self.open_stream()
        await self.element()  # features
        await self.send(auth(user, password or ACCOUNTS[user]))
        return await self.element()

    async def login(self, user: str = "alice", resource: str = "raw", session: bool = True) -> str:
        """Authenticate, bind `resource` and (by default) start the legacy session: the full JID."""
        outcome = await self.authenticate(user)
        assert outcome.tag == ns.qname(ns.SASL, "success"), etree.tostring(outcome)
        self.restart()
        await self.open_stream()
        await self.element()  # features
        bound = await self.iq(f"<bind xmlns='{ns.BIND}'><resource>{resource}</resource></bind>")
        assert bound.get("type") == "result", etree.tostring(bound)
        if session:
            started = await self.iq(f"<session xmlns='{ns.SESSION}'/>")
            assert started.get("type") == "result", etree.tostring(started)
        return bound.findtext(f"{{{ns.BIND}}}bind/{{{ns.BIND}}}jid") or ""

    async def iq(self, payload: str, to: str | None = None, kind: str = "set", id: str = "q1") -> etree._Element:
        """Send an iq and return the next element (the reply, in these tests)."""
        to_attr = f" to='{to}'" if to else ""
        await self.send(f"<iq type='{kind}' id='{id}'{to_attr}>{payload}</iq>")
        return await self.element()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def stanza_error(stanza: etree._Element) -> str | None:
    err = stanza.find(f"{{{ns.CLIENT}}}error")
    if err is None:
        return None
    return etree.QName(err[0]).localname


def slixmpp_client(jid: str, password: str) -> slixmpp.ClientXMPP:
    """A slixmpp client that will log in with PLAIN over plain TCP, as the harness does."""
    client = slixmpp.ClientXMPP(jid, password)
    client.enable_direct_tls = False
    client.enable_plaintext = True
    client.plugin["feature_mechanisms"].unencrypted_plain = True
    return client


async def start_session(client: slixmpp.ClientXMPP, address: tuple[str, int], timeout: float = TIMEOUT) -> None:
    """Connect and wait for session_start; a failed login raises instead of hanging."""
    outcome: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def fail(reason: object) -> None:
        if not outcome.done():
            outcome.set_exception(ConnectionError(f"login failed: {reason}"))

    client.add_event_handler("session_start", lambda _: outcome.done() or outcome.set_result(None))
    client.add_event_handler("failed_all_auth", fail)
    client.add_event_handler("no_auth", fail)
    client.add_event_handler("connection_failed", fail)
    client.connect(*address)
    await asyncio.wait_for(outcome, timeout)


async def end_session(client: slixmpp.ClientXMPP) -> None:
    await asyncio.wait_for(client.disconnect(), TIMEOUT)
