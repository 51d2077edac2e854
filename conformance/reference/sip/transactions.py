"""SIP transactions over UDP (RFC 3261 section 17, with the Accepted states of
RFC 6026).

A transaction owns the retransmissions of one request and its responses, so
the UA above sees each new request once and each final response once (2xx
to INVITE excepted: the UA core must ACK every copy).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .address import Via
from .message import SipMessage
from .transport import Address, SipTransport

ResponseHandler = Callable[[SipMessage], None]
TimeoutHandler = Callable[[], None]
ServerKey = tuple[str, str, str]  # (branch, sent-by, method); an ACK looks for its INVITE
ClientKey = tuple[str, str]  # (branch, CSeq method)
_C = TypeVar("_C", bound="ClientTransaction")


class TransactionError(RuntimeError):
    """The UA asked a transaction for something its state forbids."""


@dataclass(frozen=True)
class Timers:
    t1: float = 0.5  # round-trip estimate
    t2: float = 4.0  # cap on retransmission intervals
    t4: float = 5.0  # how long the network may hold a message
    timer_b: float = 32.0  # INVITE client: give up when nothing at all came back

    @property
    def long(self) -> float:
        """64*T1: Timers F, H, J, L, M, and D (which RFC 3261 sets to 32 s for UDP)."""
        return 64 * self.t1


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def top_via(message: SipMessage) -> Via:
    return Via.parse(message.get_all("Via")[0])


def server_key(request: SipMessage) -> ServerKey:
    via = top_via(request)
    method = "INVITE" if request.method == "ACK" else request.method
    return via.branch, via.sent_by, method


def client_key(message: SipMessage) -> ClientKey:
    return top_via(message).branch, message.cseq[1]


class _Transaction:
    def __init__(self, layer: TransactionLayer) -> None:
        self._layer = layer
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.state = ""

    @property
    def _t(self) -> Timers:
        return self._layer.timers

    def _start_timer(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._stop_timer(name)
        self._timers[name] = asyncio.get_running_loop().call_later(delay, callback)

    def _stop_timer(self, *names: str) -> None:
        for name in names:
            handle = self._timers.pop(name, None)
            if handle is not None:
                handle.cancel()

    def _retransmit_every(self, name: str, interval: float, cap: float | None, send: Callable[[], None]) -> None:
        """Call `send` after `interval`, then again at doubling intervals (capped)."""

        def fire() -> None:
            send()
            doubled = interval * 2 if cap is None else min(interval * 2, cap)
            self._retransmit_every(name, doubled, cap, send)

        self._start_timer(name, interval, fire)

    def terminate(self) -> None:
        self._stop_timer(*list(self._timers))
        self.state = "terminated"
        self._layer.forget(self)


# -- server side ---------------------------------------------------------------


class ServerTransaction(_Transaction):
    def __init__(self, layer: TransactionLayer, request: SipMessage) -> None:
        super().__init__(layer)
        self.request = request
        self.key = server_key(request)
        self.last_response: SipMessage | None = None

    @property
    def final_sent(self) -> bool:
        return self.last_response is not None and self.last_response.status >= 200

    def respond(self, response: SipMessage) -> None:
        raise NotImplementedError

    def on_retransmission(self) -> None:
        """The same request again: resend what we last answered, if anything."""
        if self.last_response is not None and self.state != "confirmed":
            self._send(self.last_response)

    def _send(self, response: SipMessage) -> None:
        self._layer.transport.send_response(response)

    def _check_can_respond(self) -> None:
        if self.final_sent or self.state == "terminated":
            raise TransactionError(f"{self.request.method} already has a final response")


class InviteServerTransaction(ServerTransaction):
    def __init__(self, layer: TransactionLayer, request: SipMessage) -> None:
        super().__init__(layer, request)
        self.state = "proceeding"

    def respond(self, response: SipMessage) -> None:
        self._check_can_respond()
        self.last_response = response
        self._send(response)
        if response.status < 200:
            return
        if response.status < 300:
            # RFC 6026 Accepted: the UA core retransmits the 2xx until its ACK.
            self.state = "accepted"
            self._start_timer("L", self._t.long, self.terminate)
            return
        self.state = "completed"
        self._retransmit_every("G", self._t.t1, self._t.t2, lambda: self._send(response))
        self._start_timer("H", self._t.long, self.terminate)  # no ACK ever came

    def absorb_ack(self) -> bool:
        """True if this ACK belongs to the transaction (a non-2xx final) and is used up here."""
        if self.state == "completed":
            self.state = "confirmed"
            self._stop_timer("G", "H")
            self._start_timer("I", self._t.t4, self.terminate)
            return True
        return self.state == "confirmed"  # ACK retransmissions


class NonInviteServerTransaction(ServerTransaction):
    def __init__(self, layer: TransactionLayer, request: SipMessage) -> None:
        super().__init__(layer, request)
        self.state = "trying"

    def respond(self, response: SipMessage) -> None:
        self._check_can_respond()
        self.last_response = response
        self._send(response)
        if response.status >= 200:
            self.state = "completed"
            self._start_timer("J", self._t.long, self.terminate)


# -- client side -----------------------------------------------------------------


class ClientTransaction(_Transaction):
    def __init__(
        self,
        layer: TransactionLayer,
        request: SipMessage,
        destination: Address,
        on_response: ResponseHandler,
        on_timeout: TimeoutHandler,
    ) -> None:
        super().__init__(layer)
        self.request = request
        self.destination = destination
        self.key = client_key(request)
        self._on_response = on_response
        self._on_timeout = on_timeout

    def start(self) -> None:
        raise NotImplementedError

    def receive(self, response: SipMessage) -> None:
        raise NotImplementedError

    def _send_request(self) -> None:
        self._layer.transport.send(self.request, self.destination)

    def _time_out(self) -> None:
        self.terminate()
        self._on_timeout()


class InviteClientTransaction(ClientTransaction):
    _ack: SipMessage  # built when a non-2xx final arrives, resent for its retransmissions

    def start(self) -> None:
        self.state = "calling"
        self._send_request()
        self._retransmit_every("A", self._t.t1, None, self._send_request)
        self._start_timer("B", self._t.timer_b, self._time_out)

    def receive(self, response: SipMessage) -> None:
        code = response.status
        if self.state in ("calling", "proceeding") and code < 200:
            self.state = "proceeding"
            self._stop_timer("A", "B")  # Timer B only guards the Calling state
            self._on_response(response)
        elif code < 300 and self.state in ("calling", "proceeding", "accepted"):
            if self.state != "accepted":
                self.state = "accepted"
                self._stop_timer("A", "B")
                self._start_timer("M", self._t.long, self.terminate)
            self._on_response(response)  # every copy: the UA core ACKs each
        elif code >= 300 and self.state in ("calling", "proceeding"):
            self.state = "completed"
            self._stop_timer("A", "B")
            self._ack = self._ack_for(response)
            self._layer.transport.send(self._ack, self.destination)
            self._start_timer("D", self._t.long, self.terminate)
            self._on_response(response)
        elif code >= 300 and self.state == "completed":
            self._layer.transport.send(self._ack, self.destination)  # our ACK was lost

    def _ack_for(self, response: SipMessage) -> SipMessage:
        """The ACK for a non-2xx final (RFC 3261 17.1.1.3): same branch, the response's To."""
        invite = self.request
        ack = SipMessage.request("ACK", invite.uri)
        ack.add("Via", invite.get_all("Via")[0])
        for name in ("Max-Forwards", "From"):
            ack.add(name, invite.get(name) or "")
        ack.add("To", response.get("To") or "")
        ack.add("Call-ID", invite.call_id)
        ack.add("CSeq", f"{invite.cseq[0]} ACK")
        for route in invite.lines("Route"):
            ack.add("Route", route)
        return ack


class NonInviteClientTransaction(ClientTransaction):
    def start(self) -> None:
        self.state = "trying"
        self._send_request()
        self._retransmit_every("E", self._t.t1, self._t.t2, self._send_request)
        self._start_timer("F", self._t.long, self._time_out)

    def receive(self, response: SipMessage) -> None:
        if self.state not in ("trying", "proceeding"):
            return  # retransmitted final: already reported
        if response.status < 200:
            self.state = "proceeding"
            return
        self.state = "completed"
        self._stop_timer("E", "F")
        self._start_timer("K", self._t.t4, self.terminate)
        self._on_response(response)


# -- the layer -----------------------------------------------------------------


class TransactionLayer:
    """Matches messages to transactions; hands new requests to the UA core.

    `on_request(request, transaction)` gets every new request with its server
    transaction, and every ACK the transactions do not absorb (the ACK of a
    2xx) with None.
    """

    def __init__(
        self,
        transport: SipTransport,
        timers: Timers,
        on_request: Callable[[SipMessage, ServerTransaction | None], None],
    ) -> None:
        self.transport = transport
        self.timers = timers
        self.on_request = on_request
        self.servers: dict[ServerKey, ServerTransaction] = {}
        self.clients: dict[ClientKey, ClientTransaction] = {}

    def receive(self, message: SipMessage, source: Address) -> None:
        if message.is_request:
            self._receive_request(message)
        else:
            client = self.clients.get(client_key(message))
            if client is not None:
                client.receive(message)

    def _receive_request(self, request: SipMessage) -> None:
        key = server_key(request)
        existing = self.servers.get(key)
        if request.method == "ACK":
            if isinstance(existing, InviteServerTransaction) and existing.absorb_ack():
                return
            self.on_request(request, None)
            return
        if existing is not None:
            existing.on_retransmission()
            return
        kind = InviteServerTransaction if request.method == "INVITE" else NonInviteServerTransaction
        transaction = kind(self, request)
        self.servers[key] = transaction
        self.on_request(request, transaction)

    def invite_server_for(self, cancel: SipMessage) -> InviteServerTransaction | None:
        """The INVITE transaction a CANCEL targets (same branch and sent-by)."""
        branch, sent_by, _ = server_key(cancel)
        found = self.servers.get((branch, sent_by, "INVITE"))
        return found if isinstance(found, InviteServerTransaction) else None

    def send_invite(self, request: SipMessage, destination: Address, on_response: ResponseHandler, on_timeout: TimeoutHandler) -> InviteClientTransaction:
        return self._start(InviteClientTransaction(self, request, destination, on_response, on_timeout))

    def send_request(self, request: SipMessage, destination: Address, on_response: ResponseHandler, on_timeout: TimeoutHandler) -> NonInviteClientTransaction:
        return self._start(NonInviteClientTransaction(self, request, destination, on_response, on_timeout))

    def _start(self, transaction: _C) -> _C:
        self.clients[transaction.key] = transaction
        transaction.start()
        return transaction

    def forget(self, transaction: _Transaction) -> None:
        if isinstance(transaction, ServerTransaction):
            self.servers.pop(transaction.key, None)
        elif isinstance(transaction, ClientTransaction):
            self.clients.pop(transaction.key, None)

    def close(self) -> None:
        """Stop every timer: nothing is retransmitted after the endpoint stops."""
        for transaction in [*self.servers.values(), *self.clients.values()]:
            transaction.terminate()
