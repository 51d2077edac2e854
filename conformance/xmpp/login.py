"""slixmpp's ClientXMPP, kept to the login: TLS, SASL, resource binding, session.

Every byte it reads or writes goes to the harness's taps first. slixmpp is
shown only the elements of the login; every other stanza is the harness's
alone, so slixmpp can never answer one on the harness's behalf.
"""

from __future__ import annotations

import ssl
from typing import Callable
from xml.etree import ElementTree as ET

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.stanzabase import StanzaBase

# What the harness will authenticate with. On a plaintext stream only PLAIN,
# and only because the account says tls = "plain" (mod_rayo offers nothing else).
MECHANISMS = {
    "starttls": frozenset({"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}),
    "plain": frozenset({"PLAIN"}),
}
_SESSION_ORDER = 10001  # where slixmpp's own session feature sits, after bind


class LoginXMPP(ClientXMPP):
    """`received` sees every byte read first and says whether slixmpp may parse
    it too; `sent` sees every byte before it is written; `is_login_element`
    says which parsed elements slixmpp may act on."""

    def __init__(
        self,
        jid: str,
        password: str,
        tls: str,
        ca_file: str | None,
        received: Callable[[bytes], bool],
        sent: Callable[[bytes], None],
        is_login_element: Callable[[ET.Element], bool],
        source: str | None = None,
    ):
        plain = tls == "plain"
        super().__init__(
            jid,
            password,
            plugin_config={"feature_mechanisms": {"unencrypted_plain": plain, "use_mechs": set(MECHANISMS[tls])}},
            ssl_context=_ssl_context(tls, ca_file),
        )
        self._received, self._sent, self._is_login_element = received, sent, is_login_element
        self._source = source  # the local address to connect from; None: the route's
        # One connection attempt, on the given port, as the account says.
        self.enable_direct_tls = False
        self.enable_starttls = not plain
        self.enable_plaintext = plain
        self.whitespace_keepalive = False  # the harness decides everything that goes on the wire
        self.unregister_feature("session", _SESSION_ORDER)
        self.register_feature("session", self._start_session, restart=False, order=_SESSION_ORDER)

    async def _attempt_connection(self, host: str, port: int, tls: bool, server_hostname: str | None) -> bool:
        """One TCP connection from the harness's own address: slixmpp's attempt cannot choose the
        source, and a host with several addresses would otherwise show the server another one than
        SIP and RTP do. Direct TLS is off (__init__), so `tls` is always False here."""
        if self._source is None:
            return await super()._attempt_connection(host, port, tls, server_hostname)
        self.event_when_connected = "connected"
        self._connect_loop_wait += 1  # slixmpp's back-off before a retry, as its own attempt keeps it
        if self._current_connection_attempt is None:  # cancelled meanwhile
            return False
        try:
            await self.loop.create_connection(lambda: self, host, port, local_addr=(self._source, 0))
        except OSError as err:
            self.event("connection_failed", err)
            return False
        self._connect_loop_wait = 0
        return True

    def data_received(self, data: bytes) -> None:
        if self._received(data):
            super().data_received(data)

    def send_raw(self, data: str | bytes) -> None:
        # Not slixmpp's send_raw: it logs every write at debug level, SASL included.
        if self.transport is None:
            raise ConnectionError("not connected")
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._sent(raw)
        self.transport.write(raw)

    def recv_stanza(self, stanza: StanzaBase) -> None:
        if self._is_login_element(stanza.xml):
            super().recv_stanza(stanza)

    async def _start_session(self, _features: object) -> None:
        """Send the legacy session iq (RFC 3921) whenever it is offered, even as
        optional (Prosody): one way of logging in everywhere, and mod_rayo
        routes nothing to a client that skipped it."""
        iq = self.Iq()
        iq["type"] = "set"
        iq.enable("session")
        try:
            await iq.send()
        except (IqError, IqTimeout):
            return  # the harness reports the refusal from its own copy of the reply
        self.sessionstarted = True
        self.event("session_start")


def _ssl_context(tls: str, ca_file: str | None) -> ssl.SSLContext:
    """Verifying, against `ca_file` or else the system's CAs. Loading the
    system's takes ~25 ms, so a plain account gets a context that is never used."""
    if tls == "plain":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ssl.create_default_context(cafile=ca_file)
