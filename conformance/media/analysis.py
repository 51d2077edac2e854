"""What a stretch of audio is: its level, whether it is silence, and which tone it holds.

Samples are 16-bit linear at 8 kHz (decoded G.711). The reference server
uses these to detect silence and call-progress tones in what a caller sends;
the harness uses them to judge what the server played.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

SAMPLE_RATE = 8000
FULL_SCALE = 32768.0
SILENCE_DBFS = -45.0  # quieter than this is silence: G.711 idle patterns decode to -72 dBFS or less
FLOOR_DBFS = -120.0  # the level of digital zero
PURE_TONE = 0.8  # a single tone holds at least this share of the energy at its frequency
TONE_TOLERANCE = 0.03  # a heard frequency may differ from the one asked for by 3 %


def level_dbfs(samples: Sequence[int]) -> float:
    """RMS level relative to full scale; a full-scale sine is -3 dBFS."""
    if not samples:
        return FLOOR_DBFS
    mean_square = sum(s * s for s in samples) / len(samples)
    if mean_square == 0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 10 * math.log10(mean_square / (FULL_SCALE * FULL_SCALE)))


def is_silence(samples: Sequence[int]) -> bool:
    return level_dbfs(samples) < SILENCE_DBFS


def tone_share(samples: Sequence[int], frequency: float) -> float:
    """The share (0..1) of the samples' energy at `frequency` (Goertzel).

    1.0 for a pure sine at that frequency over a whole number of periods; a
    share of about 0.5 each for the two tones of an equal-level dual tone.
    """
    energy = sum(s * s for s in samples)
    if energy == 0:
        return 0.0
    coefficient = 2 * math.cos(2 * math.pi * frequency / SAMPLE_RATE)
    previous = before = 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    power = previous * previous + before * before - coefficient * previous * before
    return min(1.0, 2 * power / (len(samples) * energy))


def zero_crossing_frequency(samples: Sequence[int]) -> float:
    """The frequency of a single tone: half-periods counted between its first and last zero crossing."""
    crossings = [n for n in range(1, len(samples)) if (samples[n - 1] < 0) != (samples[n] < 0)]
    if len(crossings) < 2:
        return 0.0
    return (len(crossings) - 1) * SAMPLE_RATE / (2 * (crossings[-1] - crossings[0]))


def _share_of_frames(frames: Sequence[Sequence[int]], fits) -> float:
    """The share of the frames (20 ms each) that `fits`: the frames at a sound's edges, or across
    a cut in a recording, hold a little silence; a mixture of tones fits in part only."""
    return sum(1 for frame in frames if fits(frame)) / len(frames) if frames else 0.0


def describe_tone(frames: Sequence[Sequence[int]]) -> tuple[float, float]:
    """(frequency, purity) of what the frames hold: the median of the frames' own frequencies, and
    the share of frames that are that tone alone. Purity near 1 means one tone throughout."""
    estimates = [f for f in (zero_crossing_frequency(frame) for frame in frames) if f > 0]
    if not estimates:
        return 0.0, 0.0
    frequency = statistics.median(estimates)
    return frequency, _share_of_frames(frames, lambda frame: tone_share(frame, frequency) >= PURE_TONE)


def holds_tone(frames: Sequence[Sequence[int]], frequencies: Sequence[float]) -> bool:
    """Whether (nearly) every frame holds this tone (one frequency) or this dual tone (two)."""
    if len(frequencies) == 1:
        heard, purity = describe_tone(frames)
        return purity >= PURE_TONE and abs(heard - frequencies[0]) <= TONE_TOLERANCE * frequencies[0]

    def dual(frame: Sequence[int]) -> bool:
        shares = [tone_share(frame, f) for f in frequencies]
        return min(shares) >= PURE_TONE / (2 * len(frequencies)) and sum(shares) >= PURE_TONE

    return _share_of_frames(frames, dual) >= PURE_TONE
