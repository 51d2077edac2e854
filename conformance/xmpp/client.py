"""The harness's XMPP client: logs in as the Rayo client and keeps every stanza raw.

slixmpp (login.py) does the login. The harness reads both directions of the
stream through its own splitter, so what it records, checks and delivers is
exactly what was on the wire; it also decides from those bytes whether the
login failed and why.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from dataclasses import dataclass, field
from typing import Callable, Literal
from xml.etree import ElementTree as ET

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.jid import JID
from ..protocol.stanza import MalformedXML, Stanza, build, local_name, namespace, parse_stanza
from ..transcript import Record, Transcript
from .answers import answer
from .login import MECHANISMS, LoginXMPP
from .records import label, redact
from .splitter import DEFAULT_MAX_STANZA, Piece, StreamSplitter

TLS_MODES = ("starttls", "plain")
PRESENCE_MODES = ("directed-chat", "broadcast", "none")
_STREAM_ERROR = "<stream:error><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"


@dataclass(frozen=True)
class Account:
    jid: str  # user@domain[/resource]
    password: str = field(repr=False)  # never logged, never in a repr
    host: str
    port: int
    tls: str = "starttls"  # "starttls" (required, verified) | "plain" (no TLS; PLAIN allowed on plaintext)
    ca_file: str | None = None  # trust anchor for the server's certificate; None: the system's
    service: str = ""  # the Rayo service domain, target of the initial presence
    presence: str = "directed-chat"  # "directed-chat" | "broadcast" | "none"
    max_stanza_size: int = DEFAULT_MAX_STANZA  # bytes; a longer stanza from the server ends the stream
    source: str | None = None  # the harness's own address to connect from; None: the route's

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"tls must be one of {', '.join(TLS_MODES)}, not {self.tls!r}")
        if self.presence not in PRESENCE_MODES:
            raise ValueError(f"presence must be one of {', '.join(PRESENCE_MODES)}, not {self.presence!r}")
        if self.presence == "directed-chat" and not self.service:
            raise ValueError("presence 'directed-chat' needs the Rayo service domain (service)")
        JID.parse(self.jid)


class ConnectError(Exception):
    """The login failed; the message is a sentence for the report."""


class NotConnected(ConnectionError):
    """send() before the login completed or after the stream closed."""


State = Literal["new", "login", "open", "closed"]


class HarnessClient:
    """One harness party on XMPP. `on_stanza` gets every iq, message and presence
    the harness does not answer itself (disco#info, ping); `on_closed` gets the
    reason, once, when an established stream ends other than by close()."""

    def __init__(
        self,
        name: str,
        account: Account,
        transcript: Transcript,
        on_stanza: Callable[[Stanza], None],
        on_closed: Callable[[str], None],
    ):
        self.name = name
        self.account = account
        self.transcript = transcript
        self.full_jid = ""  # as the server bound it
        self.closed_reason = ""  # why the stream ended; "" while it lives
        self._on_stanza = on_stanza
        self._on_closed = on_closed
        self._server = JID.parse(account.jid).domain
        self._state: State = "new"
        self._stage = ""  # what the login is waiting for, for error messages
        self._received_splitter = StreamSplitter(account.max_stanza_size)
        self._sent_splitter = StreamSplitter()
        self._login_iqs: dict[str, str] = {}  # id -> what it does, for the iqs of the login
        self._encrypted = False
        self._authenticated = False
        self._last_sent: Stanza | None = None
        self._xmpp: LoginXMPP | None = None
        self._login: asyncio.Future[None] | None = None

    # --- the owner's side ---------------------------------------------------------

    async def connect(self, timeout: float) -> None:
        """Log in through the session and the initial presence, or raise ConnectError."""
        account = self.account
        self._state = "login"
        self._stage = f"connecting to {account.host}:{account.port}"
        self._login = asyncio.get_running_loop().create_future()
        self._xmpp = LoginXMPP(
            account.jid, account.password, account.tls, account.ca_file, self._received, self._sent, self._is_login_element,
            account.source,
        )
        self._xmpp.add_event_handler("connection_failed", self._connection_failed)
        self._xmpp.add_event_handler("connected", lambda _: self._set_stage("waiting for the server's stream header"))
        self._xmpp.add_event_handler("session_start", self._logged_in)
        self._xmpp.add_event_handler("disconnected", self._disconnected)
        self._xmpp.connect(account.host, account.port)
        try:
            await asyncio.wait_for(self._login, timeout)
        except asyncio.TimeoutError:
            self._end(f"login timed out after {timeout:g} s {self._stage}")
            self._drop()
            raise ConnectError(self.closed_reason) from None
        except ConnectError:
            self._drop()
            raise

    def send(self, text: str) -> Stanza:
        """Send one stanza as raw text; returns it as recorded in the transcript."""
        if self._state != "open":
            raise NotConnected(self.closed_reason or "not logged in")
        parse_stanza(text, self._sent_splitter.declarations)  # refuse what is not one stanza before it is sent
        return self._write(text)

    async def close(self, timeout: float) -> None:
        """Close the stream, wait up to `timeout` for the server to close its own, then drop the connection."""
        if self._xmpp is None:
            return
        if self._state == "open":
            self._state, self.closed_reason = "closed", "closed by the harness"
            try:
                await asyncio.wait_for(self._xmpp.disconnect(wait=timeout), timeout)
            except asyncio.TimeoutError:
                pass  # the server did not close its side in time; the connection is dropped anyway
        else:
            self._end("closed by the harness")  # a login still in progress fails with this reason
        self._drop()

    # --- login ------------------------------------------------------------------------

    def _set_stage(self, stage: str) -> None:
        self._stage = stage

    def _connection_failed(self, error: OSError | str) -> None:
        reason = os.strerror(error.errno) if isinstance(error, OSError) and error.errno else str(error)
        self._end(f"cannot connect to {self.account.host}:{self.account.port}: {reason}")

    def _tls_failed(self, error: ssl.SSLError) -> None:
        if isinstance(error, ssl.SSLCertVerificationError):
            self._end(f"TLS certificate verification failed: {error.verify_message}")
        else:
            self._end(f"TLS handshake failed: {error.reason or error}")

    def _logged_in(self, _event: object) -> None:
        if self._state != "login":
            return
        self._state = "open"
        self._send_initial_presence()
        self._login.set_result(None)

    def _send_initial_presence(self) -> None:
        mode = self.account.presence
        if mode == "directed-chat":  # XEP-0327 §6.1: available to the Rayo server, ready for calls
            show = etree.Element(ns.qname(ns.CLIENT, "show"))
            show.text = "chat"
            self._write(build("presence", to=self.account.service, children=[show]))
        elif mode == "broadcast":
            self._write(build("presence"))

    def _check_features(self, features: etree._Element) -> None:
        """Fail at once where slixmpp would wait forever or do what the account forbids."""
        starttls = features.find(ns.qname(ns.TLS, "starttls"))
        tls = self.account.tls
        if tls == "starttls" and not self._encrypted and starttls is None:
            self._end("the server does not offer STARTTLS, which the account requires (tls = starttls)")
        elif tls == "plain" and starttls is not None and starttls.find(ns.qname(ns.TLS, "required")) is not None:
            self._end("the server requires STARTTLS, but the account says tls = plain")
        elif not self._authenticated and (self._encrypted or tls == "plain"):
            offered = [m.text or "" for m in features.iter(ns.qname(ns.SASL, "mechanism"))]
            if not set(offered) & MECHANISMS[tls]:
                self._end(
                    f"no acceptable SASL mechanism: the server offers {', '.join(offered) or 'none'}; "
                    f"the harness uses {', '.join(sorted(MECHANISMS[tls]))} with tls = {tls}"
                )
        elif self._authenticated and features.find(ns.qname(ns.BIND, "bind")) is None:
            self._end("the server offers no resource binding after authentication")

    def _negotiate(self, element: etree._Element) -> None:
        """A stream-level element: features, TLS, SASL, stream error."""
        tag = element.tag
        if tag == ns.qname(ns.STREAM, "features"):
            self._check_features(element)
        elif tag == ns.qname(ns.STREAM, "error"):
            self._end(f"the server sent a stream error: {_condition(element)}")
        elif tag == ns.qname(ns.TLS, "proceed"):
            self._encrypted = True
        elif tag == ns.qname(ns.TLS, "failure"):
            self._end("the server refused STARTTLS")
        elif tag == ns.qname(ns.SASL, "success"):
            self._authenticated = True
        elif tag == ns.qname(ns.SASL, "failure"):
            self._end(f"authentication failed: {_condition(element)}")

    def _note_login_step(self, element: etree._Element) -> None:
        """What the login is waiting for, from what slixmpp just sent."""
        if element.tag == ns.qname(ns.TLS, "starttls"):
            self._stage = "negotiating TLS"
        elif element.tag == ns.qname(ns.SASL, "auth"):
            self._stage = f"authenticating with SASL {element.get('mechanism')}"
        elif local_name(element) == "iq":
            for child, purpose in ((ns.qname(ns.BIND, "bind"), "resource binding"), (ns.qname(ns.SESSION, "session"), "session establishment")):
                if element.find(child) is not None:
                    self._login_iqs[element.get("id", "")] = purpose
                    self._stage = f"waiting for the {purpose}"

    def _login_reply(self, stanza: Stanza) -> None:
        purpose = self._login_iqs[stanza.id]
        error = stanza.error()
        if stanza.type == "error":
            self._end(f"{purpose} failed: {error[0] if error and error[0] else 'error'}")
        elif purpose == "resource binding":
            self.full_jid = stanza.element.findtext(f"{{{ns.BIND}}}bind/{{{ns.BIND}}}jid") or ""

    def _is_login_element(self, element: ET.Element) -> bool:
        """Whether slixmpp may see this element: only what its login needs, while it lasts."""
        if self._state == "closed":
            return False
        tag = element.tag
        if tag == ns.qname(ns.STREAM, "features") or tag.startswith((f"{{{ns.TLS}}}", f"{{{ns.SASL}}}")):
            return True
        return tag == ns.qname(ns.CLIENT, "iq") and element.get("type") in ("result", "error") and element.get("id") in self._login_iqs

    # --- the stream, both directions -------------------------------------------------

    def _received(self, data: bytes) -> bool:
        """Bytes from the server; returns whether slixmpp may read them too."""
        t = self.transcript.clock()
        for piece in self._received_splitter.feed(data):
            self._take(piece, t)
        return not self._received_splitter.failed

    def _take(self, piece: Piece, t: float) -> None:
        if piece.kind != "stanza":
            self._record("received", self._server, _piece_label(piece), piece.raw, t)
            if piece.kind == "malformed":
                self._refuse(f"malformed XML from the server: {piece.error}", "not-well-formed")
            elif piece.kind == "oversized":
                # RFC 6120 §4.9.3.18: policy-violation is the condition for a stanza over a size limit.
                self._refuse(f"the server sent {piece.error} (max_stanza_size in the target's [xmpp])", "policy-violation")
            elif piece.kind == "end":
                self._end("the server closed the stream" + (f" while {self._stage}" if self._state == "login" else ""))
            elif self._state == "login":
                self._stage = "waiting for the stream features"
            return
        try:
            element = parse_stanza(piece.raw, piece.declarations)
        except MalformedXML as err:
            self._record("received", self._server, f"malformed XML: {err}", piece.raw, t)
            self._refuse(f"malformed XML from the server: {err}", "not-well-formed")
            return
        text = redact(piece.raw, element)
        record = self._record("received", element.get("from") or self._server, label(element, "received"), text, t)
        stanza = Stanza(element, text, t, self.name, record.seq)
        if self._state != "closed":  # after the end, stanzas are kept as evidence only
            self._dispatch(stanza)

    def _dispatch(self, stanza: Stanza) -> None:
        if namespace(stanza.element) != ns.CLIENT:
            self._negotiate(stanza.element)
        elif stanza.kind == "iq" and stanza.type in ("result", "error") and stanza.id in self._login_iqs:
            self._login_reply(stanza)
        elif (reply := answer(stanza, JID.parse(self.full_jid or self.account.jid).bare)) is not None:
            self._write(reply)
        else:
            self._on_stanza(stanza)

    def _sent(self, data: bytes) -> None:
        """Bytes going to the server, from slixmpp or the harness."""
        t = self.transcript.clock()
        for piece in self._sent_splitter.feed(data):
            if piece.kind != "stanza":
                self._record("sent", self._server, _piece_label(piece), piece.raw, t)
                continue
            element = parse_stanza(piece.raw, piece.declarations)
            text = redact(piece.raw, element)
            record = self._record("sent", element.get("to") or self._server, label(element, "sent"), text, t)
            self._last_sent = Stanza(element, text, t, self.name, record.seq)
            if self._state == "login":
                self._note_login_step(element)

    def _write(self, text: str) -> Stanza:
        self._xmpp.send_raw(text)
        return self._last_sent

    def _record(self, direction: Literal["sent", "received"], peer: str, what: str, text: str, t: float) -> Record:
        return self.transcript.add("xmpp", direction, self.name, peer, what, text, t=t)

    # --- the end ----------------------------------------------------------------------

    def _refuse(self, reason: str, condition: str) -> None:
        """The stream cannot go on (RFC 6120 §4.9.3): report, tell the server with a stream error, drop."""
        if self._state == "closed":
            return
        self._end(reason)
        if self._xmpp.transport is not None:
            self._xmpp.send_raw(_STREAM_ERROR.format(condition=condition))
            self._xmpp.abort()

    def _disconnected(self, reason: object) -> None:
        if isinstance(reason, ssl.SSLError):  # a failed handshake closes the connection before slixmpp says why
            self._tls_failed(reason)
        elif self._state == "login":
            self._end(f"the server closed the connection while {self._stage}")
        else:
            self._end("the connection was closed")

    def _end(self, reason: str) -> None:
        """The stream is over: say why, once, to whoever is waiting."""
        state, self._state = self._state, "closed"
        if state == "closed":
            return
        self.closed_reason = reason
        if state == "login" and not self._login.done():
            self._login.set_exception(ConnectError(reason))
        elif state == "open":
            self._on_closed(reason)

    def _drop(self) -> None:
        """Leave nothing running: the socket, slixmpp's reconnection attempts, its send queue task."""
        xmpp = self._xmpp
        xmpp.cancel_connection_attempt()
        xmpp.abort()
        if xmpp._run_out_filters is not None:  # slixmpp has no public way to stop this task
            xmpp._run_out_filters.cancel()


def _piece_label(piece: Piece) -> str:
    if piece.kind == "malformed":
        return f"malformed XML: {piece.error}"
    if piece.kind == "oversized":
        return f"{piece.error}: its first {len(piece.raw)} characters"
    return f"stream {piece.kind}"


def _condition(element: etree._Element) -> str:
    """'not-authorized', or 'conflict (Replaced by new connection)' when a text is given."""
    children = [c for c in element if isinstance(c.tag, str)]
    condition = next((local_name(c) for c in children if local_name(c) != "text"), "no condition given")
    text = next((c.text for c in children if local_name(c) == "text" and c.text), "")
    return f"{condition} ({text})" if text else condition
