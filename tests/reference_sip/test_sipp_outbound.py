"""Calls from the reference UA to SIPp: our UA is the caller, SIPp the callee.

SIPp may still be binding its port when our INVITE leaves; Timer A's
retransmission (T1 = 50 ms here) covers that, as it would any lost datagram.
"""

from __future__ import annotations

import asyncio

import pytest

from conformance.reference.sip.call import OutgoingCall, SipCallEvent
from conformance.reference.sip.ua import SipEndpoint

T1 = 0.05
CUSTOM = [("X-Skill", "sales"), ("X-Tag", "one"), ("X-Tag", "two")]


def dial(ua: SipEndpoint, callee, events, headers=(), user: str = "service") -> OutgoingCall:
    host, port = callee.address
    call = ua.invite(f"sip:{user}@{host}:{port}", from_uri="sip:rayo@127.0.0.1", headers=headers)
    call.on_event = events
    return call


@pytest.mark.parametrize("headers", [CUSTOM, CUSTOM[::-1]], ids=["in-order", "control-reordered"])
def test_answered_then_our_bye(sipp, recorder, headers) -> None:
    """The callee checks our custom headers are there in order, rings, answers, gets our ACK and BYE."""

    async def scenario() -> None:
        events = recorder()
        async with SipEndpoint(t1=T1, timer_b=2.0) as ua, sipp("uas_answer.xml") as callee:
            call = dial(ua, callee, events, headers)
            await events.event("answered")
            call.hangup()
            ended = await events.event("ended")
            if headers != CUSTOM:  # a failed check does not change SIPp's flow, only its verdict
                await callee.failed_with("with regexp 'X-Skill: sales")
                return
            await callee.succeeded()
        assert [(event.kind, event.code) for event in events.items] == [("provisional", 180), ("answered", 200), ("ended", 200)]
        assert ended.message.status == 200
        assert call.rtp.remote == ("127.0.0.1", callee.media_port)
        assert call.media is not None and call.media.dtmf_pt == 101

    asyncio.run(scenario())


def test_far_end_hangs_up(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with SipEndpoint(t1=T1, timer_b=2.0) as ua, sipp("uas_answer_bye.xml") as callee:
            dial(ua, callee, events)
            await events.event("bye")
            await callee.succeeded()
            assert not ua.calls
        assert events.kinds == ["answered", "bye"]

    asyncio.run(scenario())


@pytest.mark.parametrize("user, code", [("busy", 486), ("decline", 603)])
def test_rejected_and_acked(sipp, recorder, user: str, code: int) -> None:
    """The callee checks our ACK reuses the INVITE's branch (RFC 3261 17.1.1.3)."""

    async def scenario() -> None:
        events = recorder()
        async with SipEndpoint(t1=T1, timer_b=2.0) as ua, sipp("uas_reject.xml") as callee:
            dial(ua, callee, events, user=user)
            failed = await events.event("failed")
            await callee.succeeded()
        assert events.kinds == ["failed"]
        assert failed.code == code and failed.message.reason == "Rejected By Test"

    asyncio.run(scenario())


@pytest.mark.parametrize("when", ["after-180", "before-180"])
def test_no_answer_cancelled(sipp, recorder, when: str) -> None:
    """CANCEL goes out only after a provisional response; asked for earlier, it waits for one."""

    async def scenario() -> None:
        events = recorder()

        def on_event(event: SipCallEvent) -> None:
            events(event)
            if event.kind == "provisional" and when == "after-180":
                call.cancel()

        async with SipEndpoint(t1=T1, timer_b=2.0) as ua, sipp("uas_ring_cancel.xml") as callee:
            call = dial(ua, callee, on_event)
            if when == "before-180":
                call.cancel()
            cancelled = await events.event("cancelled")
            await callee.succeeded()
        assert events.kinds == ["provisional", "cancelled"]
        assert cancelled.code == 487

    asyncio.run(scenario())


def test_timer_b_times_out(sipp, recorder) -> None:
    """A callee that never answers: Timer A retransmits the INVITE, Timer B gives a local 408."""

    async def scenario() -> None:
        events, sent = recorder(), recorder()
        async with SipEndpoint(t1=T1, timer_b=0.5) as ua, sipp("uas_silent.xml") as callee:
            ua.on_trace = lambda direction, message, peer: direction == "out" and sent(message)
            call = dial(ua, callee, events)
            timeout = await events.event("timeout", timeout=3.0)
            assert not ua.calls and not ua.layer.clients
        assert events.kinds == ["timeout"] and timeout.code == 408
        invites = [str(message) for message in sent.items]
        assert len(invites) >= 2, "Timer A retransmits"
        assert set(invites) == {str(call.request)}, "retransmissions are the same request"

    asyncio.run(scenario())


def test_unanswered_bye_times_out(sipp, recorder) -> None:
    """A BYE nobody answers: Timer E retransmits it, Timer F (64*T1) ends the call with 408."""

    async def scenario() -> None:
        events, sent = recorder(), recorder()
        async with SipEndpoint(t1=0.01, timer_b=2.0) as ua, sipp("uas_ignore_bye.xml") as callee:
            ua.on_trace = lambda direction, message, peer: direction == "out" and sent(message)
            call = dial(ua, callee, events)
            await events.event("answered")
            call.hangup()
            ended = await events.event("ended")
            assert not ua.layer.clients
        assert events.kinds == ["answered", "ended"] and ended.code == 408
        byes = {str(message) for message in sent.items if message.method == "BYE"}
        assert len(byes) == 1 and sum(message.method == "BYE" for message in sent.items) >= 4

    asyncio.run(scenario())


def test_info_hold_unhold_bye(sipp, recorder) -> None:
    async def scenario() -> None:
        events = recorder()
        async with SipEndpoint(t1=T1, timer_b=2.0) as ua, sipp("uas_midcall.xml", sets={"digit": "7"}) as callee:
            call = dial(ua, callee, events)
            await events.event("answered")
            assert await asyncio.wait_for(call.send_info("7"), 5) == 200
            assert await asyncio.wait_for(call.hold(), 5) == 200
            assert await asyncio.wait_for(call.unhold(), 5) == 200
            call.hangup()
            await events.event("ended")
            await callee.succeeded()
        assert events.kinds == ["answered", "ended"]

    asyncio.run(scenario())
