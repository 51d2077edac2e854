"""The tape: frames placed by their RTP timestamps, and the sounds in them."""

from __future__ import annotations

import pytest

from conformance.media import RtpPacket
from conformance.media.tape import Tape, sounds_in
from conformance.media.tone import tone_samples

TONE = tone_samples([440], 20, amplitude=0.3)
QUIET = [0] * 160


def packet(timestamp: int, ssrc: int = 7) -> RtpPacket:
    return RtpPacket(0, 0, timestamp & 0xFFFFFFFF, ssrc, b"")


def test_frames_read_late_in_a_burst_keep_the_time_their_timestamps_give():
    tape = Tape()
    tape.add(packet(1000), arrival=10.0, samples=TONE)
    for n in range(1, 10):  # read together, 0.2 s after they were sent
        tape.add(packet(1000 + 160 * n), arrival=10.38, samples=TONE)
    (sound,) = tape.sounds(0, now=11.0)
    assert sound.start == pytest.approx(10.0, abs=1e-3) and sound.duration == pytest.approx(0.2, abs=1e-3)
    assert sound.closed


def test_an_earlier_packet_moves_the_whole_stream_earlier():
    tape = Tape()
    tape.add(packet(1160), arrival=10.05, samples=TONE)  # late
    tape.add(packet(1320), arrival=10.04, samples=TONE)  # on time: the stream starts at 10.02 - 0.02
    assert [frame.time for frame in tape.placed()] == pytest.approx([10.02, 10.04])


def test_a_gap_longer_than_80_ms_splits_sounds_and_the_last_closes_with_time():
    tape = Tape()
    for n, samples in enumerate([TONE, TONE, QUIET, QUIET, QUIET, QUIET, QUIET, TONE]):
        tape.add(packet(0xFFFFFF00 + 160 * n), arrival=5.0 + 0.02 * n, samples=samples)  # across a wrap
    first, second = tape.sounds(0, now=5.16 + 0.05)
    assert first.duration == pytest.approx(0.04, abs=1e-3) and first.closed
    assert second.start == pytest.approx(5.14, abs=1e-3) and not second.closed
    assert not tape.sounds(0, now=5.16 + 0.2)[1].closed  # nothing followed it: the sender may only be late
    assert tape.sounds(0, now=5.16 + 0.251)[1].closed
    assert tape.sounds(since=5.1, now=6)[0].start == pytest.approx(5.14, abs=1e-3)


def test_a_sound_whose_sender_stalls_goes_on_when_the_rest_comes_late():
    tape = Tape()
    tape.add(packet(0), arrival=1.0, samples=TONE)
    assert not tape.sounds(0, now=1.2)[0].closed  # 180 ms without a packet: not yet over
    for n in range(1, 10):  # the rest of the tone, sent in a burst with its true timestamps
        tape.add(packet(160 * n), arrival=1.2, samples=TONE)
    (sound,) = tape.sounds(0, now=1.21)
    assert sound.duration == pytest.approx(0.2, abs=1e-3) and not sound.closed


def test_silence_that_comes_closes_a_sound_without_waiting_for_time():
    tape = Tape()
    for n, samples in enumerate([TONE] + [QUIET] * 6):  # 100 ms of silence after 20 ms of tone
        tape.add(packet(160 * n), arrival=1.0 + 0.02 * n, samples=samples)
    assert tape.sounds(0, now=1.12)[0].closed


def test_render_lays_frames_on_silence_and_sounds_in_finds_them_again():
    tape = Tape()
    tape.add(packet(0), arrival=1.0, samples=TONE)
    tape.add(packet(800), arrival=1.1, samples=TONE)  # 100 ms later
    samples = tape.render(0.96, 1.2)
    assert len(samples) == 1920 and samples[:320] == [0] * 320 and samples[320:480] == TONE
    first, second = sounds_in(samples)
    assert first.start == pytest.approx(0.04, abs=1e-3) and second.start == pytest.approx(0.14, abs=1e-3)
