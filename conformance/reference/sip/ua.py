"""The reference server's SIP user agent: one UDP endpoint, many calls.

The endpoint routes what arrives: responses to their client transactions,
new INVITEs to `on_incoming`, in-dialog requests to their call, CANCEL to the
call of the INVITE it names, and answers what no call owns (OPTIONS, 481).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType

from .address import NameAddr, SipUri, tag_of
from .call import SDP, TERMINAL_KINDS, Call, CallStateError, IncomingCall, OutgoingCall, SipCallEvent
from .dialog import Dialog, new_call_id, new_tag, response_to
from .message import SipMessage, SipParseError
from .sdp import MediaDescription, SdpError, negotiate, parse_sdp
from .transactions import InviteServerTransaction, ServerKey, ServerTransaction, Timers, TransactionLayer, new_branch
from .transport import Address, SipTransport, TraceHandler

__all__ = ["TERMINAL_KINDS", "CallStateError", "IncomingCall", "OutgoingCall", "SipCallEvent", "SipEndpoint"]

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO"
Headers = Iterable[tuple[str, str]]


class SipEndpoint:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        user_agent: str = "rayo-reference",
        t1: float = 0.5,
        timer_b: float = 32.0,
        contact_user: str = "rayo",
    ) -> None:
        self.host = host
        self.port = port
        self.user_agent = user_agent
        self.contact_user = contact_user
        self.timers = Timers(t1=t1, timer_b=timer_b)
        self.on_incoming: Callable[[IncomingCall], None] | None = None
        self.transport = SipTransport(self._receive)
        self.layer = TransactionLayer(self.transport, self.timers, self._on_request)
        self._calls: dict[tuple[str, str], Call] = {}  # (Call-ID, our tag) -> call
        self._ringing: dict[ServerKey, IncomingCall] = {}  # INVITE transaction -> call, for CANCEL

    # -- life cycle -------------------------------------------------------------

    async def start(self) -> None:
        await self.transport.open(self.host, self.port)

    async def stop(self) -> None:
        """Close the socket and drop every call without signalling."""
        for call in list(self._calls.values()):
            call.close()
        self.layer.close()
        self.transport.close()

    async def __aenter__(self) -> SipEndpoint:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def address(self) -> Address:
        return self.transport.address

    @property
    def contact(self) -> str:
        host, port = self.address
        return f"<sip:{self.contact_user}@{host}:{port}>"

    @property
    def on_trace(self) -> TraceHandler | None:
        """Called with ("in" | "out", message, peer address) for every message."""
        return self.transport.on_trace

    @on_trace.setter
    def on_trace(self, handler: TraceHandler | None) -> None:
        self.transport.on_trace = handler

    @property
    def calls(self) -> list[Call]:
        return list(self._calls.values())

    # -- placing calls ----------------------------------------------------------

    def invite(
        self,
        target: str,
        *,
        from_uri: str,
        headers: Headers = (),
        to_uri: str | None = None,
        destination: Address | None = None,
        call_id: str | None = None,
    ) -> OutgoingCall:
        """Send an INVITE with an SDP offer; `headers` follow the standard ones, in order.

        `destination` overrides where the INVITE goes (default: the target
        URI's host and port). Set `on_event` on the result before the loop
        runs again.
        """
        dialog = Dialog(
            call_id=call_id or new_call_id(self.host),
            local=NameAddr.parse(from_uri).with_tag(new_tag()),
            remote=NameAddr.parse(to_uri or target),
            remote_target=target,
            local_contact=self.contact,
        )
        call = OutgoingCall(self, dialog, destination or SipUri.parse(target).hostport, headers)
        self._calls[(dialog.call_id, dialog.local_tag)] = call
        call.start()
        return call

    # -- helpers for calls ------------------------------------------------------

    def add_via(self, request: SipMessage) -> None:
        host, port = self.address
        request.headers.insert(0, ("Via", f"SIP/2.0/UDP {host}:{port};branch={new_branch()};rport"))

    def response(
        self,
        request: SipMessage,
        code: int,
        reason: str | None = None,
        *,
        to_tag: str | None = None,
        headers: Headers = (),
        body: bytes = b"",
        content_type: str | None = None,
    ) -> SipMessage:
        """A response to `request` carrying our Server header before `headers`."""
        headers = [("Server", self.user_agent), *headers]
        return response_to(request, code, reason, to_tag=to_tag, headers=headers, body=body, content_type=content_type)

    def options_response(self, request: SipMessage, to_tag: str) -> SipMessage:
        headers = [("Allow", ALLOW), ("Accept", SDP)]
        return self.response(request, 200, to_tag=to_tag, headers=headers)

    def forget(self, call: Call) -> None:
        self._calls.pop((call.call_id, call.dialog.local_tag), None)
        if isinstance(call, IncomingCall):
            self._ringing.pop(call.transaction.key, None)

    # -- routing ------------------------------------------------------------------

    def _receive(self, message: SipMessage, source: Address) -> None:
        try:
            self.layer.receive(message, source)
        except SipParseError as error:  # a header we needed is malformed
            if message.is_request and message.method != "ACK":
                self.transport.send_response(response_to(message, 400, str(error)))

    def _on_request(self, request: SipMessage, transaction: ServerTransaction | None) -> None:
        to_tag = tag_of(request.get("To"))
        if request.method == "CANCEL":
            assert transaction is not None
            self._on_cancel(request, transaction)
        elif to_tag:
            call = self._calls.get((request.call_id, to_tag))
            if call is not None:
                call.handle_request(request, transaction)
            elif transaction is not None:
                transaction.respond(self.response(request, 481))
        elif transaction is None:
            return  # an ACK outside any dialog: nothing to do
        elif isinstance(transaction, InviteServerTransaction):
            self._on_invite(transaction)
        elif request.method == "OPTIONS":
            transaction.respond(self.options_response(request, to_tag=new_tag()))
        else:
            transaction.respond(self.response(request, 481))

    def _on_invite(self, transaction: InviteServerTransaction) -> None:
        request = transaction.request
        transaction.respond(self.response(request, 100))
        try:
            offer = _offer_of(request)
        except SdpError as error:
            warning = [("Warning", f'399 rayo "{error}"')]
            transaction.respond(self.response(request, 488, to_tag=new_tag(), headers=warning))
            return
        call = IncomingCall(self, transaction, offer)
        self._calls[(call.call_id, call.dialog.local_tag)] = call
        self._ringing[transaction.key] = call
        if self.on_incoming is None:
            call.reject(480)
        else:
            self.on_incoming(call)

    def _on_cancel(self, cancel: SipMessage, transaction: ServerTransaction) -> None:
        invite = self.layer.invite_server_for(cancel)
        call = self._ringing.get(invite.key) if invite is not None else None
        if call is not None:
            call.handle_cancel(cancel, transaction)
        elif invite is not None:
            transaction.respond(self.response(cancel, 200))  # the INVITE has its final already
        else:
            transaction.respond(self.response(cancel, 481))


def _offer_of(request: SipMessage) -> MediaDescription | None:
    """The SDP offer of an INVITE, checked to be one we can answer; None without a body."""
    if not request.body:
        return None
    if request.content_type != SDP:
        raise SdpError(f"unsupported body type {request.content_type!r}")
    offer = parse_sdp(request.body)
    negotiate(offer)
    return offer
