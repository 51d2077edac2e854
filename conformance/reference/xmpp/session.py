"""One client connection: stream negotiation, then stanzas to the router.

The negotiation is mod_rayo's: optional STARTTLS (required when configured),
SASL PLAIN, resource binding, then the legacy RFC 3921 session iq; only an
established session is routed to and from. Protocol violations end the
stream with a stream error; every close is a clean </stream:stream>, and a
peer that does not answer ours is dropped after CLOSE_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import ssl
import uuid
from dataclasses import dataclass
from enum import Enum
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from conformance.protocol import namespaces as ns

from . import sasl
from .parser import XML_LANG, StreamClosed, StreamError, StreamOpened, StreamParser
from .routing import Router
from .stanzas import IQ, MESSAGE, PRESENCE, error, is_request, result, serialize

log = logging.getLogger(__name__)

STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams"
CLOSE_TIMEOUT = 2.0  # seconds a closing stream waits for the peer before dropping TCP
TLS_HANDSHAKE_TIMEOUT = 10.0
READ_SIZE = 64 * 1024
MAX_AUTH_FAILURES = 3  # RFC 6120 6.4.5: allow retries, but not endlessly
MAX_RESOURCE_BYTES = 1023  # RFC 7622 3.4

STARTTLS = ns.qname(ns.TLS, "starttls")
AUTH = ns.qname(ns.SASL, "auth")
BIND = ns.qname(ns.BIND, "bind")
SESSION = ns.qname(ns.SESSION, "session")
PEER_STREAM_ERROR = ns.qname(ns.STREAM, "error")
_NEGOTIATION_NAMESPACES = {ns.CLIENT, ns.STREAM, ns.TLS, ns.SASL}


@dataclass(frozen=True)
class Settings:
    accounts: dict[str, str]
    client_domain: str
    tls: ssl.SSLContext | None
    require_tls: bool
    session_required: bool


class Phase(Enum):
    CONNECTED = "connected"  # before SASL success
    AUTHENTICATED = "authenticated"  # no resource yet
    BOUND = "bound"  # resource bound; the legacy session iq not yet sent
    ESTABLISHED = "established"  # routed to and from


class _Gone(Exception):
    """The connection cannot go on (the peer closed its stream, TLS failed)."""


class Session:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, settings: Settings, router: Router
    ):
        self.jid = ""  # the full JID, once bound
        self._reader = reader
        self._writer = writer
        self._settings = settings
        self._router = router
        self._account = ""  # the bare JID, once authenticated
        self._phase = Phase.CONNECTED
        self._secure = False
        self._auth_failures = 0
        self._lang: str | None = None  # the client's xml:lang for this stream
        self._header_sent = False
        self._closing = False
        self._abort_timer: asyncio.TimerHandle | None = None

    @property
    def routable(self) -> bool:
        return self._phase is Phase.ESTABLISHED and not self._closing

    def send(self, stanza: etree._Element | str) -> None:
        self._write(stanza if isinstance(stanza, str) else serialize(stanza))

    def close(self) -> None:
        """Close our stream; the connection ends when the peer closes its own
        or after CLOSE_TIMEOUT, whichever comes first."""
        if self._closing:
            return
        self._ensure_header()
        self._write("</stream:stream>")
        self._closing = True
        transport = self._writer.transport
        if transport.can_write_eof():  # plain TCP: tell the peer at once; TLS cannot half-close
            with contextlib.suppress(OSError):  # the peer may be gone already
                transport.write_eof()
        self._abort_timer = asyncio.get_running_loop().call_later(
            CLOSE_TIMEOUT, lambda: self._writer.transport.abort()
        )

    async def run(self) -> None:
        try:
            await self._serve()
        except (_Gone, OSError) as err:  # OSError: connection reset, TLS errors
            log.debug("session %s ended: %s", self.jid or "(unbound)", err)
        finally:
            await self._end()

    async def _serve(self) -> None:
        parser: StreamParser | None = StreamParser()
        while data := await self._reader.read(READ_SIZE):
            if parser is None:
                continue  # after a stream error: discard until the peer goes
            try:
                parser = await self._feed(parser, data)
            except StreamError as err:
                self._stream_error(err)
                parser = None

    async def _feed(self, parser: StreamParser, data: bytes) -> StreamParser:
        for event in parser.feed(data):
            if isinstance(event, StreamError):
                raise event
            if isinstance(event, StreamClosed):
                self.close()
                raise _Gone("the peer closed its stream")
            if self._closing:
                continue  # after our closing tag only the peer's closing tag matters
            if isinstance(event, StreamOpened):
                self._open(event.attributes)
            elif await self._element(event.element):
                # A stream restart: a fresh parser for the new stream. Clients
                # wait for <proceed/> or <success/> before going on, so nothing
                # else can have come in this read.
                self._header_sent = False
                return StreamParser()
        return parser

    async def _end(self) -> None:
        if self._abort_timer is not None:
            self._abort_timer.cancel()
        self._closing = True
        if self.jid:
            self._router.release(self)
        self._writer.close()
        try:
            await asyncio.wait_for(self._writer.wait_closed(), CLOSE_TIMEOUT)
        except (OSError, TimeoutError):
            self._writer.transport.abort()

    def _write(self, text: str) -> None:
        # Nothing goes out after our closing tag, whoever asks.
        if not self._closing and not self._writer.transport.is_closing():
            self._writer.write(text.encode("utf-8"))

    def _stream_error(self, err: StreamError) -> None:
        log.debug("stream error for %s: %s", self.jid or "(unbound)", err)
        self._ensure_header()  # RFC 6120 4.9.1.2: an error before our header still needs one
        text = f"<text xmlns='{STREAM_ERRORS}'>{escape(err.text)}</text>" if err.text else ""
        self._write(f"<stream:error><{err.condition} xmlns='{STREAM_ERRORS}'/>{text}</stream:error>")
        self.close()

    # The stream header and features

    def _open(self, attributes: dict[str, str]) -> None:
        self._lang = attributes.get(XML_LANG)
        to = attributes.get("to")
        if to is not None and to.lower() != self._settings.client_domain:
            raise StreamError("host-unknown", f"this server serves {self._settings.client_domain}")
        if attributes.get("version", "").split(".")[0] != "1":
            raise StreamError("unsupported-version", "XMPP 1.0 streams only")
        self._ensure_header()
        self._write(self._features())

    def _ensure_header(self) -> None:
        if self._header_sent:
            return
        self._header_sent = True
        self._write(
            f"<?xml version='1.0'?><stream:stream xmlns='{ns.CLIENT}' xmlns:stream='{ns.STREAM}'"
            f" id='{secrets.token_hex(8)}' from={quoteattr(self._settings.client_domain)}"
            f" version='1.0' xml:lang={quoteattr(self._lang or 'en')}>"
        )

    def _features(self) -> str:
        if self._phase is not Phase.CONNECTED:
            optional = "" if self._settings.session_required else "<optional/>"
            return (
                f"<stream:features><bind xmlns='{ns.BIND}'/>"
                f"<session xmlns='{ns.SESSION}'>{optional}</session></stream:features>"
            )
        mechanisms = f"<mechanisms xmlns='{ns.SASL}'><mechanism>{sasl.MECHANISM}</mechanism></mechanisms>"
        if self._settings.tls is None or self._secure:
            return f"<stream:features>{mechanisms}</stream:features>"
        if self._settings.require_tls:
            return f"<stream:features><starttls xmlns='{ns.TLS}'><required/></starttls></stream:features>"
        return f"<stream:features><starttls xmlns='{ns.TLS}'/>{mechanisms}</stream:features>"

    # First-level elements

    async def _element(self, element: etree._Element) -> bool:
        """Handle one first-level element; True if the stream restarts."""
        if element.tag == STARTTLS:
            return await self._starttls()
        if element.tag == AUTH:
            return self._auth(element)
        if element.tag in (IQ, MESSAGE, PRESENCE):
            self._stanza(element)
        elif element.tag == PEER_STREAM_ERROR:
            self.close()
        elif etree.QName(element).namespace in _NEGOTIATION_NAMESPACES:
            raise StreamError("unsupported-stanza-type", f"unexpected <{etree.QName(element).localname}/>")
        else:
            raise StreamError("invalid-namespace", f"unexpected namespace {etree.QName(element).namespace}")
        return False

    async def _starttls(self) -> bool:
        if self._settings.tls is None or self._secure or self._phase is not Phase.CONNECTED:
            self._write(f"<failure xmlns='{ns.TLS}'/>")  # RFC 6120 5.4.2.2: then the stream ends
            self.close()
            return False
        self._write(f"<proceed xmlns='{ns.TLS}'/>")
        # Nothing may be awaited between <proceed/> and start_tls: the loop
        # must not read the client's ClientHello as stream data.
        try:
            await self._writer.start_tls(self._settings.tls, ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT)
        except OSError as err:
            raise _Gone(f"TLS handshake failed: {err}") from err
        self._secure = True
        return True

    def _auth(self, element: etree._Element) -> bool:
        if self._phase is not Phase.CONNECTED:
            raise StreamError("policy-violation", "already authenticated")
        if self._settings.require_tls and not self._secure:
            raise StreamError("policy-violation", "STARTTLS is required first")
        settings = self._settings
        try:
            user = sasl.authenticate(element.get("mechanism"), element.text, settings.accounts, settings.client_domain)
        except sasl.SaslFailure as failure:
            self._write(f"<failure xmlns='{ns.SASL}'><{failure.condition}/></failure>")
            self._auth_failures += 1
            if self._auth_failures >= MAX_AUTH_FAILURES:
                raise StreamError("policy-violation", "too many failed authentication attempts") from None
            return False
        self._account = f"{user}@{settings.client_domain}"
        self._phase = Phase.AUTHENTICATED
        self._write(f"<success xmlns='{ns.SASL}'/>")
        return True

    # Stanzas

    def _stanza(self, stanza: etree._Element) -> None:
        if self._phase is Phase.CONNECTED:
            raise StreamError("not-authorized", "authenticate first")
        stanza.set("from", self.jid or self._account)
        if self._lang and XML_LANG not in stanza.attrib:
            stanza.set(XML_LANG, self._lang)  # RFC 6120 4.7.4: the stream's language travels with it
        request = stanza[0].tag if stanza.tag == IQ and stanza.get("type") == "set" and len(stanza) else None
        if request == BIND:
            self._bind(stanza)
        elif request == SESSION:
            self._start_session(stanza)
        elif self._phase is Phase.ESTABLISHED:
            self._router.from_client(self, stanza)
        elif is_request(stanza):
            self.send(error(stanza, "service-unavailable"))
        # Presence and messages before the session starts go nowhere, as with mod_rayo.

    def _bind(self, iq: etree._Element) -> None:
        if self._phase is not Phase.AUTHENTICATED:
            self.send(error(iq, "not-allowed"))
            return
        requested = iq.findtext(f"{BIND}/{{{ns.BIND}}}resource") or ""
        resource = requested if requested.strip() else str(uuid.uuid4())
        if len(resource.encode("utf-8")) > MAX_RESOURCE_BYTES:
            self.send(error(iq, "bad-request", "modify"))
            return
        jid = f"{self._account}/{resource}"
        if not self._router.bind(jid, self):
            self.send(error(iq, "conflict"))
            return
        self.jid = jid
        self._phase = Phase.BOUND if self._settings.session_required else Phase.ESTABLISHED
        bind = etree.Element(BIND, nsmap={None: ns.BIND})
        etree.SubElement(bind, ns.qname(ns.BIND, "jid")).text = jid
        self.send(result(iq, bind))

    def _start_session(self, iq: etree._Element) -> None:
        if self._phase is Phase.AUTHENTICATED:
            self.send(error(iq, "service-unavailable"))  # mod_rayo: bind comes first
            return
        self._phase = Phase.ESTABLISHED
        self.send(result(iq))
