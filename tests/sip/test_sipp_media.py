"""The harness's RTP end of each SIPp call: each party's SDP points at it, it
sends to the address the other side's SDP gave, and it hears what arrives."""

from __future__ import annotations

import asyncio

import pytest

from conformance.media.tone import tone_samples
from conformance.sip.parties import can_play_pcap


async def _answered(driver, events):
    caller, callee = driver.caller("caller"), driver.callee("callee")
    call_id = await caller.dial(callee.uri)
    await callee.answer()
    await events.wait("caller", "200", cseq_method="INVITE")
    return caller.media(call_id), callee.media(call_id)


async def _until(media, condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition() and loop.time() < deadline:
        await media.changed(deadline)
    assert condition(), "the condition never held"


def test_a_tone_the_caller_plays_is_heard_by_the_callee_for_as_long(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller_media, callee_media = await _answered(driver, events)
            assert caller_media.endpoint.remote == ("127.0.0.1", callee_media.port)
            await caller_media.play(tone_samples([440], 300, amplitude=0.4))
            loop = asyncio.get_running_loop()
            await _until(callee_media, lambda: any(s.closed for s in callee_media.tape.sounds(0, loop.time())))
            (sound,) = callee_media.tape.sounds(0, loop.time())
            assert sound.duration == pytest.approx(0.3, abs=0.001)  # timed by the RTP timestamps
            assert sound.holds([440]) and not sound.holds([880])
            assert sound.level == pytest.approx(-11, abs=0.5)  # 0.4 of full scale, RMS

    asyncio.run(scenario())


def test_keys_sent_in_rtp_are_heard_as_rfc4733_events(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller_media, callee_media = await _answered(driver, events)
            await callee_media.send_digits("1#", duration_ms=60, gap_ms=20)
            await _until(caller_media, lambda: len(caller_media.digits) == 2)
            assert [event.digit for _, event in caller_media.digits] == ["1", "#"]

    asyncio.run(scenario())


@pytest.mark.skipif(not can_play_pcap("5"), reason="SIPp plays pcaps only as root")
def test_sipp_plays_a_key_from_its_pcap_to_the_other_side(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            _, callee_media = await _answered(driver, events)
            await driver.caller("caller").play_dtmf("5")
            await _until(callee_media, lambda: len(callee_media.digits) == 1)
            assert callee_media.digits[0][1].digit == "5"

    asyncio.run(scenario())
