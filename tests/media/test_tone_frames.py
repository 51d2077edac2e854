"""The tone generator: 20 ms G.711 frames of a sine at the asked frequency."""

from __future__ import annotations

import math

import pytest

from conformance.media import tone_frames
from conformance.media.g711 import decode_alaw, decode_ulaw


def sign_changes(samples: list[int]) -> int:
    return sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))


@pytest.mark.parametrize("law, decode", [("pcmu", decode_ulaw), ("pcma", decode_alaw)])
def test_one_second_of_440_hz(law: str, decode) -> None:
    frames = tone_frames(440, 1000, amplitude=0.5, law=law)
    assert len(frames) == 50 and {len(frame) for frame in frames} == {160}
    samples = [sample for frame in frames for sample in decode(frame)]
    assert sign_changes(samples) in range(878, 882)  # two per cycle, continuous across frames
    peak = max(abs(sample) for sample in samples)
    assert math.isclose(peak, 0.5 * 32767, rel_tol=0.04)
