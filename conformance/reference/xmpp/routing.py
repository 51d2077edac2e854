"""Where a stanza goes: the Rayo core, a client's session, or the server itself.

The addressing is the one clients meet behind Prosody: client JIDs live in
the client domain (user@localhost/resource); the Rayo core owns the service
domain and every JID in it (rayo.localhost, calls, components). Presence
follows RFC 6121 with rosters that stay empty: a bare JID reaches only the
resources that sent available presence, except a subscription request or
answer, which reaches the resources that requested the roster (§3.1.6); a
session that ends sends unavailable presence to everyone it had sent directed
presence to.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Protocol

from lxml import etree

from conformance.protocol import namespaces as ns
from conformance.protocol.jid import JID

from . import stanzas
from .interface import StanzaHandler
from .stanzas import IQ, MESSAGE, PRESENCE

SUBSCRIPTION_TYPES = ("subscribe", "subscribed", "unsubscribe", "unsubscribed")
ROSTER_QUERY = ns.qname(ns.ROSTER, "query")

log = logging.getLogger(__name__)

# The 'to' of the first start tag of raw text: enough to route text that may
# be malformed on purpose, which no parser would accept.
_RAW_TO = re.compile(r"""\s*<[^>]*?\sto\s*=\s*(["'])(.*?)\1""", re.DOTALL)


class Client(Protocol):
    """A client session, as routing sees it."""

    jid: str  # the full JID, once bound

    @property
    def routable(self) -> bool: ...

    def send(self, stanza: etree._Element | str) -> None: ...


class Router:
    def __init__(self, client_domain: str, service_domain: str, core: StanzaHandler):
        self._client_domain = client_domain
        self._service_domain = service_domain
        self._core = core
        self._clients: dict[str, Client] = {}  # full JID -> bound session
        self._available: set[str] = set()  # full JIDs that sent available presence
        self._interested: set[str] = set()  # full JIDs that requested the roster (RFC 6121 §2.1.3)
        self._directed: dict[str, set[str]] = {}  # full JID -> JIDs it sent directed presence to

    def bind(self, jid: str, client: Client) -> bool:
        """Claim a full JID for a session; False if another session holds it."""
        if jid in self._clients:
            return False
        self._clients[jid] = client
        return True

    def release(self, client: Client) -> None:
        """The session ended: forget it, and tell those it had sent presence to."""
        if self._clients.get(client.jid) is not client:
            return
        del self._clients[client.jid]
        self._available.discard(client.jid)
        self._interested.discard(client.jid)
        self._announce_unavailable(client.jid)

    def from_client(self, client: Client, stanza: etree._Element) -> None:
        """A stanza from an established session, `from` already stamped."""
        to = stanza.get("to")
        if stanza.tag == PRESENCE:
            if to is None:
                self._own_presence(client.jid, stanza.get("type"))
                return
            self._track_directed(client.jid, to, stanza.get("type"))
        elif _asks_roster(stanza) and to in (None, JID.parse(client.jid).bare):
            self._interested.add(client.jid)
        # RFC 6120 10.3: a stanza without 'to' is for the sender's own account
        self._route(stanza, to if to is not None else JID.parse(client.jid).bare)

    def from_core(self, stanza: etree._Element | str) -> None:
        if isinstance(stanza, str):
            self._raw(stanza)
        else:
            self._route(stanza, stanza.get("to") or "")

    def _route(self, stanza: etree._Element, to: str) -> None:
        try:
            target = JID.parse(to)
        except ValueError:
            self._bounce(stanza, "jid-malformed", "modify")
            return
        if target.domain == self._service_domain or target.domain.endswith("." + self._service_domain):
            self._to_core(stanza)  # §5.2: calls and mixers may live on sub-domains of the service
        elif target.domain != self._client_domain:
            self._bounce(stanza, "remote-server-not-found")  # no s2s here
        elif not target.local:
            self._answer(stanza, account=False)
        elif target.resource:
            self._to_full(stanza, target)
        elif stanza.tag == IQ:
            self._answer(stanza, account=True)  # RFC 6121 8.5.2: the server answers for the account
        elif stanza.tag == PRESENCE and stanza.get("type") in SUBSCRIPTION_TYPES:
            self._to_interested(stanza, target.bare)
        else:
            self._to_available(stanza, target.bare)

    def _to_core(self, stanza: etree._Element) -> None:
        # Always on the next loop turn: the core may be the sender (a bounce),
        # and it must not be re-entered from inside its own send().
        asyncio.get_running_loop().call_soon(self._hand_to_core, stanza)

    def _hand_to_core(self, stanza: etree._Element) -> None:
        try:
            self._core.receive(stanza)
        except Exception:  # a fault in the core must not take the listener down
            log.exception("the Rayo core failed on %s", stanzas.serialize(stanza))

    def _to_full(self, stanza: etree._Element, target: JID) -> None:
        client = self._clients.get(str(target))
        if client is not None and client.routable:
            client.send(stanza)
        elif stanza.tag == MESSAGE:
            self._to_available(stanza, target.bare)  # RFC 6121 8.5.3.2.1
        else:
            self._bounce(stanza, "service-unavailable")

    def _to_available(self, stanza: etree._Element, bare: str) -> None:
        clients = self._available_resources(bare)
        for client in clients:
            client.send(stanza)
        if not clients:
            self._bounce(stanza, "service-unavailable")

    def _to_interested(self, stanza: etree._Element, bare: str) -> None:
        # RFC 6121 8.5.2.1.1; with none interested the stanza is dropped, as
        # this server keeps nothing for later delivery (8.5.2.2.1 would).
        for jid, client in self._clients.items():
            if jid in self._interested and JID.parse(jid).bare == bare:
                client.send(stanza)

    def _available_resources(self, bare: str) -> list[Client]:
        return [
            client for jid, client in self._clients.items()
            if jid in self._available and JID.parse(jid).bare == bare
        ]

    def _answer(self, stanza: etree._Element, account: bool) -> None:
        """The server's own replies: XEP-0199 ping and a minimal disco#info."""
        if not stanzas.is_request(stanza):
            self._bounce(stanza, "service-unavailable")
            return
        query = stanza[0].tag if len(stanza) else None
        if stanza.get("type") == "get" and query == ns.qname(ns.PING, "ping"):
            reply = stanzas.result(stanza)
        elif stanza.get("type") == "get" and query == ns.qname(ns.DISCO_INFO, "query"):
            reply = stanzas.result(stanza, _disco_info(account))
        elif account and _asks_roster(stanza):
            reply = stanzas.result(stanza, etree.Element(ROSTER_QUERY, nsmap={None: ns.ROSTER}))  # the roster is empty
        else:
            reply = stanzas.error(stanza, "service-unavailable")
        self._route(reply, reply.get("to") or "")

    def _bounce(self, stanza: etree._Element, condition: str, error_type: str = "cancel") -> None:
        if stanzas.can_bounce(stanza):
            reply = stanzas.error(stanza, condition, error_type)
            self._route(reply, reply.get("to") or "")

    def _own_presence(self, jid: str, kind: str | None) -> None:
        # Undirected presence only changes availability. With no rosters there
        # is nobody to broadcast it to, and the core does not see it (behind
        # Prosody a component would not either).
        if kind is None:
            self._available.add(jid)
        elif kind == "unavailable":
            self._available.discard(jid)
            self._announce_unavailable(jid)

    def _track_directed(self, jid: str, to: str, kind: str | None) -> None:
        targets = self._directed.setdefault(jid, set())
        if kind is None:
            targets.add(to)
        elif kind == "unavailable":
            targets.discard(to)

    def _announce_unavailable(self, jid: str) -> None:
        for target in sorted(self._directed.pop(jid, set())):
            self._route(stanzas.unavailable(jid, target), target)

    def _raw(self, text: str) -> None:
        match = _RAW_TO.match(text)
        if match is None:
            raise ValueError("raw text can only be routed with a 'to' attribute in its first tag")
        target = JID.parse(match.group(2))
        if target.domain != self._client_domain or not target.local:
            raise ValueError(f"raw text can only be sent to a client JID, not {target}")
        if target.resource:
            client = self._clients.get(str(target))
            clients = [client] if client is not None and client.routable else []
        else:
            clients = self._available_resources(target.bare)
        for client in clients:
            client.send(text)
        if not clients:
            log.info("raw text for %s dropped: no such session", target)


def _asks_roster(stanza: etree._Element) -> bool:
    return stanza.tag == IQ and stanza.get("type") == "get" and len(stanza) == 1 and stanza[0].tag == ROSTER_QUERY


def _disco_info(account: bool) -> etree._Element:
    query = etree.Element(ns.qname(ns.DISCO_INFO, "query"), nsmap={None: ns.DISCO_INFO})
    category, kind = ("account", "registered") if account else ("server", "im")
    etree.SubElement(query, ns.qname(ns.DISCO_INFO, "identity"), category=category, type=kind)
    for feature in (ns.DISCO_INFO, ns.PING):
        etree.SubElement(query, ns.qname(ns.DISCO_INFO, "feature"), var=feature)
    return query
