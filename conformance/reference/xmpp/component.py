"""The Rayo core as an XEP-0114 component of a real XMPP server (Prosody).

The server routes every stanza for the component's domain (and any JID in
it: calls, their components) over one TCP stream in the
jabber:component:accept namespace, and takes stanzas from that domain back.
The core works in jabber:client, as it does behind the embedded listener:
stanzas are moved between the two namespaces at this edge, so the core
cannot tell the modes apart. Routing, `from` stamping and presence tracking
of clients are the server's job here, not ours.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
import os
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from conformance.ports import LOOPBACK
from conformance.protocol import namespaces as ns

from .interface import StanzaHandler
from .parser import Event, StreamClosed, StreamError, StreamOpened, StreamParser, TopLevel
from .stanzas import IQ, MESSAGE, PRESENCE, serialize

log = logging.getLogger(__name__)

STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams"
CONNECT_TIMEOUT = 10.0  # TCP connect through the server's <handshake/>
CLOSE_TIMEOUT = 2.0  # seconds a closing stream waits for the server before dropping TCP
READ_SIZE = 64 * 1024

HANDSHAKE = ns.qname(ns.COMPONENT, "handshake")
SERVER_STREAM_ERROR = ns.qname(ns.STREAM, "error")


class ComponentError(Exception):
    """The component could not connect, or its stream ended; the message says why."""


class Component:
    """One XEP-0114 connection. Implements StanzaSender for the core.

    `on_lost` is told why, once, if the stream ends without close() having
    been called (a stream error from the server, the server gone).
    """

    def __init__(
        self,
        *,
        handler: StanzaHandler,
        domain: str,
        secret: str,
        port: int,
        host: str = LOOPBACK,
        on_lost: Callable[[str], None] | None = None,
    ):
        self.domain = domain
        self._handler = handler
        self._secret = secret
        self._address = (host, port)
        self._on_lost = on_lost
        self._parser = StreamParser(ns.COMPONENT)
        self._events: collections.deque[Event] = collections.deque()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._closing = False

    async def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Open the stream and complete the handshake, or raise ComponentError."""
        host, port = self._address
        stage = f"connecting to {host}:{port}"
        try:
            async with asyncio.timeout(timeout):
                self._reader, self._writer = await asyncio.open_connection(host, port)
                stage = "waiting for the server's stream header"
                self._write(
                    f"<?xml version='1.0'?><stream:stream xmlns='{ns.COMPONENT}' xmlns:stream='{ns.STREAM}'"
                    f" to={quoteattr(self.domain)}>"
                )
                stream_id = await self._stream_id()
                stage = "waiting for the server's <handshake/>"
                self._write(f"<handshake>{handshake_digest(stream_id, self._secret)}</handshake>")
                await self._handshake_accepted()
        except TimeoutError:
            self._drop()
            raise ComponentError(f"the component {self.domain} got no answer within {timeout:g} s ({stage})") from None
        except OSError as err:
            self._drop()
            raise ComponentError(f"the component {self.domain} cannot connect to {host}:{port}: {_reason(err)}") from None
        except ComponentError:
            self._drop()
            raise
        self._reading = asyncio.create_task(self._read_stanzas())

    def send(self, stanza: etree._Element | str) -> None:
        """A stanza of the core; raw text (a deliberate fault) goes out as is."""
        text = stanza if isinstance(stanza, str) else serialize(requalified(stanza, ns.CLIENT, ns.COMPONENT))
        if self._closing or self._writer is None or self._writer.transport.is_closing():
            log.info("not connected: stanza for the server dropped: %s", text)
            return
        self._write(text)

    async def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close our stream and wait (bounded) for the server to close its own."""
        if self._writer is None or self._closing:
            return
        self._closing = True
        if not self._writer.transport.is_closing():
            self._write("</stream:stream>")
            with contextlib.suppress(OSError):  # the server may be gone already
                self._writer.write_eof()
        if self._reading is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._reading), timeout)
            except TimeoutError:
                self._reading.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._reading
        self._drop()

    # The handshake

    async def _stream_id(self) -> str:
        event = await self._next_event()
        if not isinstance(event, StreamOpened):
            raise ComponentError(f"the server sent {_describe(event)} instead of its stream header")
        stream_id = event.attributes.get("id")
        if not stream_id:
            # A server that refuses us opens its stream only to send the stream
            # error (Prosody: with id=''); that error, if it comes, says why.
            await self._next_event()
            raise ComponentError("the server's stream header has no id, which the handshake needs")
        return stream_id

    async def _handshake_accepted(self) -> None:
        event = await self._next_event()
        if not (isinstance(event, TopLevel) and event.element.tag == HANDSHAKE):
            raise ComponentError(f"the server sent {_describe(event)} instead of <handshake/>")

    # Stanzas in

    async def _read_stanzas(self) -> None:
        try:
            while True:
                self._stanza(await self._next_event())
        except ComponentError as err:
            reason = str(err)
        except OSError as err:
            reason = f"the connection to the server failed: {_reason(err)}"
        self._drop()
        if not self._closing:
            log.error("the component %s lost its stream: %s", self.domain, reason)
            if self._on_lost is not None:
                self._on_lost(reason)

    def _stanza(self, event: Event) -> None:
        if not isinstance(event, TopLevel):
            raise ComponentError(f"the server sent {_describe(event)}")
        stanza = requalified(event.element, ns.COMPONENT, ns.CLIENT)
        if stanza.tag not in (IQ, MESSAGE, PRESENCE):
            raise ComponentError(f"the server sent {_describe(event)}")
        try:
            self._handler.receive(stanza)
        except Exception:  # a fault in the core must not take the connection down
            log.exception("the Rayo core failed on %s", serialize(stanza))

    async def _next_event(self) -> Event:
        """The next stream event; the ends of the stream raise ComponentError."""
        assert self._reader is not None
        while not self._events:
            data = await self._reader.read(READ_SIZE)
            if not data:
                raise ComponentError("the server closed the connection")
            self._events.extend(self._parser.feed(data))
        event = self._events.popleft()
        if isinstance(event, StreamError):
            self._send_stream_error(event)
            raise ComponentError(f"the server's stream broke the rules ({event}); the component closed it")
        if isinstance(event, StreamClosed):
            raise ComponentError("the server closed the stream")
        if isinstance(event, TopLevel) and event.element.tag == SERVER_STREAM_ERROR:
            raise ComponentError(f"the server ended the stream with an error: {stream_error_text(event.element)}")
        return event

    # Writing

    def _write(self, text: str) -> None:
        assert self._writer is not None
        self._writer.write(text.encode("utf-8"))

    def _send_stream_error(self, err: StreamError) -> None:
        text = f"<text xmlns='{STREAM_ERRORS}'>{escape(err.text)}</text>" if err.text else ""
        self._write(f"<stream:error><{err.condition} xmlns='{STREAM_ERRORS}'/>{text}</stream:error></stream:stream>")

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()


def handshake_digest(stream_id: str, secret: str) -> str:
    """XEP-0114 §3: the hex SHA-1 of the stream id followed by the shared secret."""
    return hashlib.sha1((stream_id + secret).encode("utf-8")).hexdigest()


def stream_error_text(error: etree._Element) -> str:
    """'condition (text)' of a <stream:error/>."""
    condition = next((etree.QName(c).localname for c in error if c.tag != f"{{{STREAM_ERRORS}}}text"), "undefined-condition")
    text = error.findtext(f"{{{STREAM_ERRORS}}}text")
    return f"{condition} ({text})" if text else condition


def requalified(element: etree._Element, old: str, new: str) -> etree._Element:
    """A copy of `element` with every name in namespace `old` moved to `new`.

    jabber:client and jabber:component:accept qualify the same stanzas and
    their own children (<error/>, <show/>, ...). A copy, so that the core's
    elements are never changed under it.
    """
    tag = element.tag
    if tag.startswith(f"{{{old}}}"):
        tag = f"{{{new}}}{tag[len(old) + 2:]}"
    nsmap = {prefix: new if uri == old else uri for prefix, uri in element.nsmap.items()}
    copy = etree.Element(tag, dict(element.attrib), nsmap=nsmap)
    copy.text = element.text
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions cannot occur in stanzas
            moved = requalified(child, old, new)
            moved.tail = child.tail
            copy.append(moved)
    return copy


def _reason(err: OSError) -> str:
    return os.strerror(err.errno) if err.errno else str(err)


def _describe(event: Event) -> str:
    if isinstance(event, TopLevel):
        return f"<{etree.QName(event.element).localname}/> ({etree.QName(event.element).namespace})"
    return type(event).__name__
