"""Calls from SIPp to the reference UA: SIPp plays the caller, our UA the callee.

SIPp's scenario checks what it receives (a failed check makes it exit
non-zero); the test checks what our UA reported. Short SIP timers keep the
retransmission paths fast.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from conformance.reference.sip.call import IncomingCall, SipCallEvent
from conformance.reference.sip.transactions import InviteServerTransaction
from conformance.reference.sip.ua import SipEndpoint

T1 = 0.05
DTMF_PCAP = Path("/usr/share/sip-tester/dtmf_2833_1.pcap")


def endpoint() -> SipEndpoint:
    return SipEndpoint(t1=T1, timer_b=2.0)


def answer_on_offer(ua: SipEndpoint, events, *, ring: int | None = None, early_media: bool = False) -> list[IncomingCall]:
    """Answer every incoming call at once (after a provisional if asked), with a header on each."""
    calls: list[IncomingCall] = []

    def incoming(call: IncomingCall) -> None:
        calls.append(call)
        call.on_event = events
        if ring is not None:
            call.provisional(ring, headers=[("X-Ring", "accepted")], with_sdp=early_media)
        call.answer(headers=[("X-Agent", "7")])

    ua.on_incoming = incoming
    return calls


def acked(ua: SipEndpoint) -> bool:
    """Whether a rejected INVITE's transaction got its ACK (and stopped retransmitting)."""
    states = [tx.state for tx in ua.layer.servers.values() if isinstance(tx, InviteServerTransaction)]
    return states == ["confirmed"]


def test_answered_call_hung_up_by_caller(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with endpoint() as ua:
            calls = answer_on_offer(ua, events)
            async with sipp("uac_answer.xml", remote=ua.address) as caller:
                await caller.succeeded()
            await events.event("bye")
        assert events.kinds == ["ack", "bye"]
        call = calls[0]
        tags = [(name, value) for name, value in call.request.headers if name.lower() == "x-tag"]
        assert tags == [("X-Tag", "one"), ("x-tag", "two")]
        assert call.request.get("x-skill") == "sales"
        assert call.rtp.remote == ("127.0.0.1", caller.media_port)
        assert call.media is not None and (call.media.audio_pt, call.media.dtmf_pt) == (0, 101)
        assert call.ended and call.rtp.closed

    asyncio.run(scenario())


@pytest.mark.parametrize("when", ["on-ack", "before-ack"])
def test_answered_call_hung_up_by_us(sipp, recorder, when: str) -> None:
    """Our BYE waits for the ACK of our 200 (RFC 3261 15) even when asked for before it.
    SIPp checks the BYE carries the header given to hangup()."""
    bye_headers = [("X-Reason", "done")]

    async def scenario() -> None:
        events = recorder()

        def on_event(event: SipCallEvent) -> None:
            events(event)
            if event.kind == "ack" and when == "on-ack":
                calls[0].hangup(bye_headers)

        async with endpoint() as ua:
            calls = answer_on_offer(ua, on_event)
            if when == "before-ack":
                ua.on_incoming = lambda call: (calls.append(call), setattr(call, "on_event", on_event), call.answer(), call.hangup(bye_headers))
            async with sipp("uac_wait_bye.xml", remote=ua.address) as caller:
                await caller.succeeded()
            ended = await events.event("ended")
        assert events.kinds == ["ack", "ended"]
        assert ended.code == 200

    asyncio.run(scenario())


@pytest.mark.parametrize("ring", [180, None], ids=["ringing", "no-180-so-sipp-fails"])
def test_ringing_then_answer(sipp, recorder, ring: int | None) -> None:
    """The scenario requires a 180 in the same dialog as the 200; without one SIPp fails."""

    async def scenario() -> None:
        events = recorder()
        async with endpoint() as ua:
            answer_on_offer(ua, events, ring=ring)
            async with sipp("uac_ring_answer.xml", remote=ua.address) as caller:
                if ring is None:
                    await caller.failed_with("while expecting '180'")
                else:
                    await caller.succeeded()

    asyncio.run(scenario())


def test_early_media_183_with_sdp(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with endpoint() as ua:
            calls = answer_on_offer(ua, events, ring=183, early_media=True)
            async with sipp("uac_early_media.xml", remote=ua.address) as caller:
                await caller.succeeded()
            await events.event("bye")
        assert calls[0].rtp.remote == ("127.0.0.1", caller.media_port)

    asyncio.run(scenario())


@pytest.mark.parametrize("code, expected", [(486, "486"), (603, "603"), (500, "500"), (486, "603")])
def test_reject(sipp, recorder, code: int, expected: str) -> None:
    """SIPp checks the status and ACKs; the last case is the control that the check can fail."""

    async def scenario() -> None:
        trace = recorder()
        async with endpoint() as ua:
            ua.on_trace = lambda direction, message, peer: trace((direction, message))
            ua.on_incoming = lambda call: call.reject(code)
            async with sipp("uac_reject.xml", remote=ua.address, sets={"expected": expected}) as caller:
                if str(code) != expected:
                    await caller.failed_with(f'strcmp code:"{code}" and expected:"{expected}"')
                    return
                await caller.succeeded()
            await trace.wait(lambda item: item[0] == "in" and item[1].method == "ACK")
            assert acked(ua)
            assert not ua.calls

    asyncio.run(scenario())


@pytest.mark.parametrize("agent", ["agent7", "agent8"], ids=["contact-matches", "control-contact-differs"])
def test_redirect_302_contact(sipp, agent: str) -> None:
    async def scenario() -> None:
        async with endpoint() as ua:
            ua.on_incoming = lambda call: call.redirect(f"<sip:{agent}@example.com>")
            expected = {"expected_contact": "<sip:agent7@example.com>"}
            async with sipp("uac_redirect.xml", remote=ua.address, sets=expected) as caller:
                if agent == "agent7":
                    await caller.succeeded()
                else:
                    await caller.failed_with(f'contact:"<sip:{agent}@example.com>"')

    asyncio.run(scenario())


def test_cancel_after_ringing(sipp, recorder) -> None:
    async def scenario() -> None:
        events, trace = recorder(), recorder()
        async with endpoint() as ua:
            ua.on_trace = lambda direction, message, peer: trace((direction, message))

            def incoming(call: IncomingCall) -> None:
                call.on_event = events
                call.provisional(180)

            ua.on_incoming = incoming
            async with sipp("uac_cancel.xml", remote=ua.address) as caller:
                await caller.succeeded()
            await trace.wait(lambda item: item[0] == "in" and item[1].method == "ACK")
            assert acked(ua)
        assert [(event.kind, event.code) for event in events.items] == [("cancelled", 487)]

    asyncio.run(scenario())


def test_info_digits(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with endpoint() as ua:
            answer_on_offer(ua, events)
            async with sipp("uac_info.xml", remote=ua.address, keys={"digit": "5", "digit2": "#"}) as caller:
                await caller.succeeded()
            await events.event("bye")
        assert events.kinds == ["ack", "info", "dtmf", "info", "dtmf", "bye"]
        digits = [(event.digit, event.source) for event in events.items if event.kind == "dtmf"]
        assert digits == [("5", "info"), ("#", "info")]

    asyncio.run(scenario())


@pytest.mark.skipif(os.geteuid() != 0, reason="SIPp's play_pcap_audio sends through a raw socket, which needs root")
@pytest.mark.skipif(not DTMF_PCAP.exists(), reason=f"{DTMF_PCAP} (Debian sip-tester) is not installed")
def test_rfc2833_digit_from_sipp_pcap(sipp, recorder) -> None:
    """The packaged capture: digit 1, PT 101, 10 packets of which 3 are end packets -> one event."""

    async def scenario() -> None:
        events, packets = recorder(), recorder()
        async with endpoint() as ua:
            calls = answer_on_offer(ua, events)
            offered = ua.on_incoming
            ua.on_incoming = lambda call: (setattr(call.rtp, "on_packet", lambda packet, source: packets(packet)), offered(call))
            async with sipp("uac_rfc2833.xml", remote=ua.address) as caller:
                digit = await events.event("dtmf")
                await packets.wait(lambda packet: len(packets.items) == 10)
                call = calls[0]
                call.hangup()
                await caller.succeeded()
            await events.event("ended")
        assert (digit.digit, digit.source) == ("1", "rfc4733")
        assert call.rtp.counters.dtmf_events == 1
        assert call.rtp.counters.by_payload_type == {101: 10}

    asyncio.run(scenario())


def test_retransmitted_invite_is_one_call(sipp, recorder) -> None:
    """SIPp drops our 100s, so it retransmits the INVITE; we answer only after seeing a copy."""

    async def scenario() -> None:
        trace = recorder()
        calls: list[IncomingCall] = []
        async with endpoint() as ua:
            ua.on_trace = lambda direction, message, peer: trace((direction, message.start_line()))
            ua.on_incoming = calls.append
            async with sipp("uac_retransmit.xml", remote=ua.address) as caller:
                invites = lambda: [item for item in trace.items if item[1].startswith("INVITE")]  # noqa: E731
                await trace.wait(lambda item: len(invites()) >= 2)
                assert len(calls) == 1
                calls[0].provisional(180)
                calls[0].answer()
                await caller.succeeded()
        assert len(calls) == 1
        trying = [item for item in trace.items if item == ("out", "SIP/2.0 100 Trying")]
        assert len(trying) >= 2, "the retransmitted INVITE gets the last response again"

    asyncio.run(scenario())


def test_reinvite_hold_and_unhold(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with endpoint() as ua:
            answer_on_offer(ua, events)
            async with sipp("uac_reinvite.xml", remote=ua.address) as caller:
                await caller.succeeded()
            await events.event("bye")
        assert [(event.kind, event.hold) for event in events.items] == [
            ("ack", None),
            ("reinvite", True),
            ("reinvite", False),
            ("bye", None),
        ]

    asyncio.run(scenario())


def test_hold_asked_for_before_the_ack_waits_for_it(sipp, recorder) -> None:
    """A re-INVITE asked for while our 200 waits for its ACK goes once the ACK is in (RFC 3261
    14.1): SIPp pauses before its ACK and fails on an INVITE that comes earlier."""
    holds: list[asyncio.Future[int]] = []

    async def scenario() -> None:
        events = recorder()

        def incoming(call: IncomingCall) -> None:
            call.on_event = events
            call.answer()
            holds.append(call.hold())

        async with endpoint() as ua:
            ua.on_incoming = incoming
            async with sipp("uac_late_ack_hold.xml", remote=ua.address) as caller:
                await caller.succeeded()
            await events.event("bye")
        assert holds[0].result() == 200
        assert events.kinds == ["ack", "bye"]

    asyncio.run(scenario())


def test_requests_outside_dialogs(sipp) -> None:
    async def scenario() -> None:
        offered: list[IncomingCall] = []
        async with endpoint() as ua:
            ua.on_incoming = offered.append
            async with sipp("uac_out_of_dialog.xml", remote=ua.address) as caller:
                await caller.succeeded()
        assert not offered

    asyncio.run(scenario())


def test_50_concurrent_inbound_calls(sipp, recorder) -> None:
    """200 calls, at most 50 at once. Each batch is answered only when 50 calls are
    ringing together, so the UA really holds 50 calls at the same time."""
    total, limit = 200, 50

    async def scenario() -> None:
        events = recorder()
        ringing: list[IncomingCall] = []
        answered = 0
        most = 0

        def incoming(call: IncomingCall) -> None:
            nonlocal answered, most
            call.on_event = events
            ringing.append(call)
            most = max(most, len(ua.calls))
            if len(ringing) == min(limit, total - answered):
                for waiting in ringing:
                    waiting.answer()
                answered += len(ringing)
                ringing.clear()

        async with endpoint() as ua:
            ua.on_incoming = incoming
            async with sipp("uac_answer.xml", remote=ua.address, calls=total, limit=limit, rate=1000) as caller:
                await caller.succeeded(timeout=30)
            await events.wait(lambda event: events.kinds.count("bye") == total)
            assert not ua.calls
        assert answered == total
        assert most == limit
        assert events.kinds.count("ack") == total

    asyncio.run(scenario())


def test_200_resent_until_ack_then_bye(sipp, recorder) -> None:
    """A caller that never ACKs: our 200 goes out at T1, 2*T1, 4*T1 ...; after 64*T1 we send BYE."""

    async def scenario() -> None:
        events, sent = recorder(), recorder()
        async with SipEndpoint(t1=0.01) as ua:  # 64*T1 = 0.64 s
            ua.on_trace = lambda direction, message, peer: direction == "out" and sent(message.start_line())
            answer_on_offer(ua, events)
            async with sipp("uac_no_ack.xml", remote=ua.address) as caller:
                await events.event("ended")
                await caller.succeeded()
        assert [(event.kind, event.code) for event in events.items] == [("ack-timeout", 200), ("ended", 200)]
        assert sent.items.count("SIP/2.0 200 OK") >= 4
        assert sent.items[-1].startswith("BYE ")

    asyncio.run(scenario())
