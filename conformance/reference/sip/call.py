"""Calls: the dialog-level behaviour of one inbound or outbound call.

A call reports everything that happens to it through `on_event`, called on the
loop after the SIP work for that message is done, so a handler may act on the
call at once. Exactly one terminal event ends a call: "failed", "cancelled",
"timeout", "bye" (the far end hung up) or "ended" (our BYE was answered or
timed out). A call we reject ends without an event: the caller knows.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.media import DtmfEvent, RtpEndpoint

from .dialog import Dialog, contact_uri, new_tag
from .message import SipMessage
from .sdp import MediaDescription, Negotiated, SdpError, SdpSession, negotiate, parse_sdp
from .transactions import InviteServerTransaction, ServerTransaction, TransactionError

if TYPE_CHECKING:
    from .ua import SipEndpoint

log = logging.getLogger(__name__)

Headers = Iterable[tuple[str, str]]
SDP = "application/sdp"
TERMINAL_KINDS = frozenset({"failed", "cancelled", "timeout", "bye", "ended"})
_DTMF_RELAY_SIGNAL = re.compile(r"^\s*signal\s*=\s*(\S)", re.IGNORECASE | re.MULTILINE)


class CallStateError(TransactionError):
    """The call cannot do that now (answer after cancel, hangup before answer, ...)."""


@dataclass(frozen=True)
class SipCallEvent:
    kind: str  # provisional answered failed cancelled timeout bye ended info dtmf reinvite ack ack-timeout
    code: int | None = None  # the status code, when a response caused it
    message: SipMessage | None = None  # the request or response that caused it
    digit: str | None = None  # "dtmf"
    hold: bool | None = None  # "reinvite": whether the far end put the call on hold
    source: str | None = None  # "dtmf": "info" or "rfc4733"


def dtmf_from_info(request: SipMessage) -> str | None:
    """The digit of an INFO body: application/dtmf-relay "Signal=" or application/dtmf."""
    body = request.body.decode("utf-8", "replace")
    if request.content_type == "application/dtmf-relay":
        match = _DTMF_RELAY_SIGNAL.search(body)
        return match.group(1) if match else None
    if request.content_type == "application/dtmf" and len(body.strip()) == 1:
        return body.strip()
    return None


class _Reliable2xx:
    """A 2xx to an INVITE, resent until its ACK (RFC 3261 13.3.1.4).

    The server transaction sent it once; this schedules the copies: T1,
    doubling up to T2, and gives up after 64*T1.
    """

    def __init__(self, call: Call, response: SipMessage) -> None:
        self._call = call
        self._response = response
        loop = asyncio.get_running_loop()
        timers = call.endpoint.timers
        self._handles = [loop.call_later(timers.long, self._give_up)]
        self._schedule(timers.t1)

    def _schedule(self, interval: float) -> None:
        self._handles.append(asyncio.get_running_loop().call_later(interval, self._resend, interval))

    def _resend(self, interval: float) -> None:
        self._call.endpoint.transport.send_response(self._response)
        self._schedule(min(interval * 2, self._call.endpoint.timers.t2))

    def _give_up(self) -> None:
        self.stop()
        self._call._on_ack_timeout(self._response)

    def stop(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()


class Call:
    """What both kinds of call share: in-dialog requests, BYE, INFO, re-INVITE, media."""

    def __init__(self, endpoint: SipEndpoint, dialog: Dialog) -> None:
        self.endpoint = endpoint
        self.dialog = dialog
        self.call_id = dialog.call_id
        self.on_event: Callable[[SipCallEvent], None] | None = None
        self.state = "early"  # early -> confirmed -> ended
        self.rtp = RtpEndpoint(endpoint.host)
        self.rtp.open()
        self.rtp.on_dtmf = self._on_rtp_dtmf
        self.sdp = SdpSession(self.rtp.address)
        self.media: Negotiated | None = None
        self._unacked: dict[int, _Reliable2xx] = {}  # our 2xx to INVITEs, by CSeq number
        self._awaiting_answer_in_ack = False  # we offered in a 2xx (the INVITE had no SDP)
        self._reinvite_pending = False
        self._deferred_reinvite: Callable[[], None] | None = None  # waits for the ACK of our 2xx
        self._bye_sent = False

    @property
    def ended(self) -> bool:
        return self.state == "ended"

    # -- public: both kinds ----------------------------------------------------

    def send_info(self, digit: str) -> asyncio.Future[int]:
        """INFO with application/dtmf-relay; the future gets the final status (408 on timeout)."""
        self._require_confirmed()
        body = f"Signal={digit}\r\nDuration=160\r\n".encode()
        return self._request("INFO", body=body, content_type="application/dtmf-relay")

    def send_message(self, text: str, *, call_id: str | None = None) -> asyncio.Future[int]:
        """MESSAGE (RFC 3428) with a text/plain body; the future gets the final status (408 on timeout).

        It goes in the call's dialog, as XEP-0327 6.8.1 has a client's message
        reach the caller. `call_id` sends it under another Call-ID instead (what
        draft-ietf-stox-im does for a new thread; a fault of the catalogue).
        """
        self._require_confirmed()
        return self._request("MESSAGE", body=text.encode(), content_type="text/plain;charset=UTF-8", call_id=call_id)

    def hold(self) -> asyncio.Future[int]:
        """re-INVITE with a=sendonly; the future gets the final status."""
        return self._reinvite("sendonly")

    def unhold(self) -> asyncio.Future[int]:
        """re-INVITE with a=sendrecv; the future gets the final status."""
        return self._reinvite("sendrecv")

    def hangup(self, headers: Headers = ()) -> None:
        raise NotImplementedError

    # -- requests from the far end (routed here by the endpoint) -------------------

    def handle_request(self, request: SipMessage, transaction: ServerTransaction | None) -> None:
        if request.method == "ACK":
            self._on_ack(request)
            return
        assert transaction is not None
        if not self.dialog.accepts(request):
            transaction.respond(self._response(request, 500, "Out Of Order"))
        else:
            handler = {
                "BYE": self._on_bye,
                "INFO": self._on_info,
                "INVITE": self._on_reinvite,
                "OPTIONS": self._on_options,
            }.get(request.method)
            if handler is None:
                transaction.respond(self._response(request, 501))
            else:
                handler(request, transaction)

    def _on_bye(self, request: SipMessage, transaction: ServerTransaction) -> None:
        transaction.respond(self._response(request, 200))
        self._finish("bye", message=request)

    def _on_info(self, request: SipMessage, transaction: ServerTransaction) -> None:
        transaction.respond(self._response(request, 200))
        self._emit("info", message=request)
        digit = dtmf_from_info(request)
        if digit is not None:
            self._emit("dtmf", message=request, digit=digit, source="info")

    def _on_options(self, request: SipMessage, transaction: ServerTransaction) -> None:
        transaction.respond(self.endpoint.options_response(request, to_tag=self.dialog.local_tag))

    def _on_reinvite(self, request: SipMessage, transaction: ServerTransaction) -> None:
        assert isinstance(transaction, InviteServerTransaction)
        if self.state != "confirmed" or self._reinvite_pending or self._unacked:
            transaction.respond(self._response(request, 491))  # an offer is already in progress
            return
        try:
            offer = parse_sdp(request.body) if request.body else None
            body = self._answer_or_offer(offer)
        except SdpError as error:
            transaction.respond(self._response(request, 488, headers=[("Warning", f'399 rayo "{error}"')]))
            return
        self.dialog.remote_target = contact_uri(request) or self.dialog.remote_target
        self._send_2xx(transaction, body)
        self._emit("reinvite", message=request, hold=offer.hold if offer else False)

    def _on_ack(self, ack: SipMessage) -> None:
        """The ACK of one of our 2xx (non-2xx ACKs stay in their transaction)."""
        waiting = self._unacked.pop(ack.cseq[0], None)
        if waiting is None:
            return  # a retransmitted ACK
        waiting.stop()
        if self._awaiting_answer_in_ack and ack.body:
            self._awaiting_answer_in_ack = False
            self._use_remote_sdp(ack.body)
        self._acked(ack)
        if self._deferred_reinvite is not None and not self._unacked and not self.ended:
            send, self._deferred_reinvite = self._deferred_reinvite, None
            send()

    def _acked(self, ack: SipMessage) -> None:
        """An ACK completed an offer/answer exchange; IncomingCall reports the first."""

    def _on_ack_timeout(self, response: SipMessage) -> None:
        """No ACK for our 2xx: RFC 3261 13.3.1.4 says end the dialog with BYE."""
        self._unacked.pop(response.cseq[0], None)
        self._emit("ack-timeout", code=response.status, message=response)
        if not self.ended and not self._bye_sent:
            self._send_bye(())

    # -- sending ---------------------------------------------------------------------

    def _new_request(
        self, method: str, headers: Headers = (), *, body: bytes = b"", content_type: str | None = None, cseq: int | None = None
    ) -> SipMessage:
        user_agent = [("User-Agent", self.endpoint.user_agent)]
        request = self.dialog.request(method, headers=[*user_agent, *headers], body=body, content_type=content_type, cseq=cseq)
        self.endpoint.add_via(request)
        return request

    def _request(self, method: str, *, body: bytes, content_type: str, call_id: str | None = None) -> asyncio.Future[int]:
        """Send a non-INVITE request in the dialog (or as it, under `call_id`); the future gets its final status."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def settle(code: int) -> None:
            if not future.done():
                future.set_result(code)

        request = self._new_request(method, body=body, content_type=content_type)
        if call_id is not None:
            request.set("Call-ID", call_id)
        self.endpoint.layer.send_request(request, self.dialog.destination(), lambda r: settle(r.status), lambda: settle(408))
        return future

    def _send_bye(self, headers: Headers) -> None:
        self._bye_sent = True
        request = self._new_request("BYE", headers)
        self.endpoint.layer.send_request(
            request,
            self.dialog.destination(),
            lambda response: self._finish("ended", response.status, response),
            lambda: self._finish("ended", 408),
        )

    def _send_2xx(self, transaction: InviteServerTransaction, body: bytes, headers: Headers = ()) -> None:
        contact = [("Contact", self.dialog.local_contact)]
        response = self._response(transaction.request, 200, headers=[*contact, *headers], body=body, content_type=SDP)
        transaction.respond(response)
        self._unacked[transaction.request.cseq[0]] = _Reliable2xx(self, response)

    def _reinvite(self, direction: str) -> asyncio.Future[int]:
        self._require_confirmed()
        if self._reinvite_pending:
            raise CallStateError("an offer/answer exchange is already in progress")
        self._reinvite_pending = True
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if self._unacked:
            # Our 2xx waits for its ACK: its INVITE transaction is not over, and a new one
            # may not start before (RFC 3261 14.1). The re-INVITE goes when the ACK comes.
            self._deferred_reinvite = lambda: self._send_reinvite(direction, future)
        else:
            self._send_reinvite(direction, future)
        return future

    def _send_reinvite(self, direction: str, future: asyncio.Future[int]) -> None:
        invite = self._new_request("INVITE", body=self.sdp.offer(direction), content_type=SDP)
        acks: list[SipMessage] = []  # the one ACK, resent for each 2xx copy

        def on_response(response: SipMessage) -> None:
            if response.status < 200:
                return
            self._reinvite_pending = False
            if response.status < 300:
                if not acks:
                    acks.append(self._ack_for(invite))
                    self._use_remote_sdp(response.body)
                self.endpoint.transport.send(acks[0], self.dialog.destination())
            if not future.done():
                future.set_result(response.status)

        def on_timeout() -> None:
            self._reinvite_pending = False
            future.set_result(408)

        self.endpoint.layer.send_invite(invite, self.dialog.destination(), on_response, on_timeout)

    def _ack_for(self, invite: SipMessage) -> SipMessage:
        """The ACK of a 2xx: a new transaction, CSeq number of the INVITE (RFC 3261 13.2.2.4)."""
        return self._new_request("ACK", cseq=invite.cseq[0])

    def _response(
        self,
        request: SipMessage,
        code: int,
        reason: str | None = None,
        *,
        headers: Headers = (),
        body: bytes = b"",
        content_type: str | None = None,
    ) -> SipMessage:
        """A response within this dialog: our tag in To."""
        return self.endpoint.response(
            request, code, reason, to_tag=self.dialog.local_tag, headers=headers, body=body, content_type=content_type
        )

    # -- media -------------------------------------------------------------------------

    def _answer_or_offer(self, offer: MediaDescription | None) -> bytes:
        """Our SDP for a 2xx: the answer to `offer`, or an offer when there was none."""
        if offer is None:
            self._awaiting_answer_in_ack = True
            return self.sdp.offer()
        body, negotiated = self.sdp.answer(offer)
        self._use_media(negotiated)
        return body

    def _use_remote_sdp(self, body: bytes) -> None:
        try:
            self._use_media(negotiate(parse_sdp(body)))
        except SdpError as error:
            log.warning("call %s: unusable SDP answer: %s", self.call_id, error)

    def _use_media(self, negotiated: Negotiated) -> None:
        self.media = negotiated
        self.rtp.audio_pt = negotiated.audio_pt
        self.rtp.dtmf_pt = negotiated.dtmf_pt
        if negotiated.remote[0] != "0.0.0.0":
            self.rtp.remote = negotiated.remote

    def _on_rtp_dtmf(self, event: DtmfEvent) -> None:
        self._emit("dtmf", digit=event.digit, source="rfc4733")

    # -- life cycle ----------------------------------------------------------------------

    def _require_confirmed(self) -> None:
        if self.state != "confirmed" or self._bye_sent:
            raise CallStateError(f"call {self.call_id} is {self.state}, not answered")

    def _emit(self, kind: str, code: int | None = None, message: SipMessage | None = None, **details: object) -> None:
        if self.on_event is not None:
            self.on_event(SipCallEvent(kind, code, message, **details))  # type: ignore[arg-type]

    def _finish(self, kind: str | None, code: int | None = None, message: SipMessage | None = None) -> None:
        """Enter the ended state once, release the media, then report `kind`."""
        assert kind is None or kind in TERMINAL_KINDS
        if self.ended:
            return
        self.close()
        if kind is not None:
            self._emit(kind, code, message)

    def close(self) -> None:
        """Drop the call without signalling: timers, RTP, registration."""
        self.state = "ended"
        for waiting in self._unacked.values():
            waiting.stop()
        self._unacked.clear()
        self.rtp.close()
        self.endpoint.forget(self)


class IncomingCall(Call):
    """A call the far end placed; the Rayo core answers, rejects or redirects it."""

    def __init__(self, endpoint: SipEndpoint, transaction: InviteServerTransaction, offer: MediaDescription | None) -> None:
        request = transaction.request
        super().__init__(endpoint, Dialog.as_uas(request, new_tag(), endpoint.contact))
        self.request = request
        self.transaction = transaction
        self._offer = offer
        self._local_sdp: bytes | None = None  # one description for 183 and 200 alike
        self._ack_seen = False
        self._pending_hangup: list[tuple[str, str]] | None = None

    def provisional(self, code: int = 180, headers: Headers = (), with_sdp: bool = False) -> None:
        """180, or 183 with SDP for early media."""
        self._require_unanswered()
        if not 100 < code < 200:
            raise ValueError(f"not a provisional status: {code}")
        extra = [("Contact", self.dialog.local_contact), *headers]
        body = self._session_description() if with_sdp else b""
        self.transaction.respond(self._response(self.request, code, headers=extra, body=body, content_type=SDP))

    def answer(self, headers: Headers = ()) -> None:
        """200 with SDP, resent until the ACK (event "ack", or "ack-timeout" then BYE)."""
        self._require_unanswered()
        body = self._session_description()
        self.state = "confirmed"
        self._send_2xx(self.transaction, body, headers)

    def reject(self, code: int, reason: str | None = None, headers: Headers = ()) -> None:
        """Any final status from 300 to 699; the transaction waits for the ACK."""
        self._require_unanswered()
        if not 300 <= code < 700:
            raise ValueError(f"not a rejection status: {code}")
        self.transaction.respond(self._response(self.request, code, reason, headers=headers))
        self._finish(None)

    def redirect(self, contact: str, code: int = 302, headers: Headers = ()) -> None:
        if not 300 <= code < 400:
            raise ValueError(f"not a redirection status: {code}")
        self.reject(code, headers=[("Contact", contact), *headers])

    def hangup(self, headers: Headers = ()) -> None:
        """BYE; before the ACK of our 200 it waits for it (RFC 3261 15)."""
        self._require_confirmed()
        if self._ack_seen:
            self._send_bye(headers)
        else:
            self._pending_hangup = list(headers)

    def handle_cancel(self, cancel: SipMessage, transaction: ServerTransaction) -> None:
        """CANCEL: 200 for it, and 487 for the INVITE unless a final went out already."""
        transaction.respond(self._response(cancel, 200))
        if self.transaction.final_sent:
            return
        self.transaction.respond(self._response(self.request, 487))
        self._finish("cancelled", 487, cancel)

    def _on_bye(self, request: SipMessage, transaction: ServerTransaction) -> None:
        if not self.transaction.final_sent:  # BYE in the early dialog ends the INVITE too
            self.transaction.respond(self._response(self.request, 487))
        super()._on_bye(request, transaction)

    def _acked(self, ack: SipMessage) -> None:
        if self._ack_seen:
            return  # the ACK of a re-INVITE's 2xx
        self._ack_seen = True
        self._emit("ack", message=ack)
        if self._pending_hangup is not None and not self.ended:
            self._send_bye(self._pending_hangup)

    def _on_ack_timeout(self, response: SipMessage) -> None:
        self._pending_hangup = None  # the BYE goes out now anyway
        super()._on_ack_timeout(response)

    def _session_description(self) -> bytes:
        if self._local_sdp is None:
            self._local_sdp = self._answer_or_offer(self._offer)
        return self._local_sdp

    def _require_unanswered(self) -> None:
        if self.state != "early" or self.transaction.final_sent:
            raise CallStateError(f"call {self.call_id} already has a final response")

    def _require_confirmed(self) -> None:
        if self.state == "early":
            raise CallStateError(f"call {self.call_id} is not answered: reject it instead")
        if self.ended or self._bye_sent or self._pending_hangup is not None:
            raise CallStateError(f"call {self.call_id} is already ending")


class OutgoingCall(Call):
    """A call we place: INVITE, then the far end's answer or refusal."""

    def __init__(
        self,
        endpoint: SipEndpoint,
        dialog: Dialog,
        destination: tuple[str, int],
        headers: Headers,
    ) -> None:
        super().__init__(endpoint, dialog)
        self.destination = destination
        self.request = self._new_request("INVITE", headers, body=self.sdp.offer(), content_type=SDP)
        self._provisional_seen = False
        self._cancel_wanted = False
        self._ack: SipMessage | None = None
        self._cancel_timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self.endpoint.layer.send_invite(self.request, self.destination, self._on_response, self._on_timeout)

    def cancel(self) -> None:
        """CANCEL once a provisional response came; before that, remember to."""
        if self.state != "early":
            raise CallStateError(f"call {self.call_id} is {self.state}: nothing to cancel")
        if self._cancel_wanted:
            return
        self._cancel_wanted = True
        if self._provisional_seen:
            self._send_cancel()

    def hangup(self, headers: Headers = ()) -> None:
        """BYE once answered; CANCEL before that."""
        if self.state == "early":
            self.cancel()
            return
        self._require_confirmed()
        self._send_bye(headers)

    def _on_response(self, response: SipMessage) -> None:
        if self.ended:
            return
        if response.status < 200:
            self._on_provisional(response)
        elif response.status < 300:
            self._on_answer(response)
        else:
            cancelled = self._cancel_wanted and response.status == 487
            self._finish("cancelled" if cancelled else "failed", response.status, response)

    def _on_provisional(self, response: SipMessage) -> None:
        if response.status == 100:
            return  # hop-by-hop: it says nothing about the far end
        self.dialog.update_from_response(response)
        if response.body:
            self._use_remote_sdp(response.body)  # early media
        if self._cancel_wanted and not self._provisional_seen:
            self._send_cancel()
        self._provisional_seen = True
        self._emit("provisional", response.status, response)

    def _on_answer(self, response: SipMessage) -> None:
        if self._ack is not None:
            self.endpoint.transport.send(self._ack, self.dialog.destination())  # a 2xx copy
            return
        self.dialog.update_from_response(response)
        self._use_remote_sdp(response.body)
        self._ack = self._ack_for(self.request)
        self.endpoint.transport.send(self._ack, self.dialog.destination())
        self.state = "confirmed"
        if self._cancel_wanted:
            self._send_bye(())  # the 2xx crossed our CANCEL: the call is not wanted
            return
        self._emit("answered", response.status, response)

    def _on_timeout(self) -> None:
        self._finish("timeout", 408)

    def _send_cancel(self) -> None:
        """CANCEL (RFC 3261 9.1): the INVITE's top Via, Request-URI, Call-ID, From, To, CSeq number."""
        invite = self.request
        cancel = SipMessage.request("CANCEL", invite.uri)
        cancel.add("Via", invite.get_all("Via")[0])
        for route in invite.lines("Route"):
            cancel.add("Route", route)
        for name in ("Max-Forwards", "From", "To", "Call-ID"):
            cancel.add(name, invite.get(name) or "")
        cancel.add("CSeq", f"{invite.cseq[0]} CANCEL")
        cancel.add("User-Agent", self.endpoint.user_agent)
        self.endpoint.layer.send_request(cancel, self.destination, lambda response: None, lambda: None)
        # If no final response follows within 64*T1, the INVITE is given up (RFC 3261 9.1).
        self._cancel_timer = asyncio.get_running_loop().call_later(self.endpoint.timers.long, self._finish, "cancelled")

    def close(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer.cancel()
        super().close()

