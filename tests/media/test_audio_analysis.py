"""Level, silence and tone detection on decoded samples."""

from __future__ import annotations

import pytest

from conformance.media.analysis import describe_tone, holds_tone, is_silence, level_dbfs, tone_share
from conformance.media.g711 import decode_alaw, decode_ulaw
from conformance.media.tone import encode_frames, tone_samples


def frames_of(samples: list[int]) -> list[list[int]]:
    return [samples[n : n + 160] for n in range(0, len(samples), 160)]


def test_a_full_scale_sine_is_minus_3_dbfs_and_digital_zero_is_the_floor():
    assert level_dbfs(tone_samples([1000], 100, amplitude=1.0)) == pytest.approx(-3.01, abs=0.05)
    assert level_dbfs([0] * 160) == -120.0


@pytest.mark.parametrize("decode, law", [(decode_ulaw, "pcmu"), (decode_alaw, "pcma")])
def test_g711_idle_is_silence_and_a_quiet_tone_is_not(decode, law):
    idle = decode(encode_frames([0] * 160, law)[0])
    assert is_silence(idle)
    assert not is_silence(decode(encode_frames(tone_samples([440], 20, amplitude=0.02), law)[0]))


def test_a_single_tone_is_named_and_another_frequency_is_not_it():
    frames = frames_of(tone_samples([440], 300, amplitude=0.3))
    frequency, purity = describe_tone(frames)
    assert frequency == pytest.approx(440, abs=4) and purity > 0.95
    assert holds_tone(frames, [440]) and holds_tone(frames, [450])  # within 3 %
    assert not holds_tone(frames, [460]) and not holds_tone(frames, [880])


def test_a_dual_tone_holds_both_frequencies_and_is_no_single_tone():
    frames = frames_of(tone_samples([480, 620], 300, amplitude=0.4))
    assert holds_tone(frames, [480, 620])
    assert not holds_tone(frames, [440, 480])
    assert not holds_tone(frames, [480])
    assert tone_share(frames[0], 480) == pytest.approx(0.5, abs=0.1)
