"""Call-progress tones told apart frame by frame, judged when their burst ends."""

from __future__ import annotations

from conformance.media.g711 import decode_ulaw, encode_ulaw
from conformance.media.progress import Detection, ProgressDetector
from conformance.media.tone import tone_samples


def detect(*parts: tuple[tuple[float, ...], int]) -> list[Detection]:
    """Feed the detector the parts ((frequencies, ms); () is silence) as G.711 frames, then let it flush."""
    samples: list[int] = []
    for tone, ms in parts:
        samples += tone_samples(tone, ms, amplitude=0.4) if tone else [0] * (ms * 8)
    samples = decode_ulaw(encode_ulaw(samples))
    detector, found = ProgressDetector(), []
    for n in range(0, len(samples), 160):
        found += detector.hear(n / 8000, samples[n : n + 160])
    return found + detector.flush()


def test_each_tone_is_told_by_its_frequencies_and_length():
    assert detect(((480, 620), 500), ((), 500), ((480, 620), 500)) == [Detection("busy", 500), Detection("busy", 500)]
    assert detect(((480, 620), 240), ((), 260)) == [Detection("congestion", 240)]
    assert detect(((440, 480), 300)) == [Detection("ring", 300)]
    assert detect(((1000,), 200), ((), 100)) == [Detection("beep", 200, "1000")]
    assert detect(((1400,), 120)) == [Detection("beep", 120, "1400")]


def test_what_is_no_signal_is_not_reported():
    assert detect(((480, 620), 1000)) == []  # too long for busy: neither busy nor congestion
    assert detect(((480, 620), 100)) == []  # too short for congestion
    assert detect(((440, 480), 100)) == []  # too short for ring
    assert detect(((1000,), 60)) == []  # too short for a beep
    assert detect(((697, 1209), 200)) == []  # a DTMF key in the audio is no call-progress tone
    assert detect(((), 500)) == []


def test_a_burst_ends_at_a_different_tone():
    assert detect(((440, 480), 300), ((1000,), 200)) == [Detection("ring", 300), Detection("beep", 200, "1000")]
