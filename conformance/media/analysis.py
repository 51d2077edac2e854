"""What a stretch of audio is: its level, whether it is silence, and which tone it holds.

Samples are 16-bit linear at 8 kHz (decoded G.711). The reference server
uses these to detect silence and call-progress tones in what a caller sends;
the harness uses them to judge what the server played.
"""

from __future__ import annotations

import math
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


def framed_share(frames: Sequence[Sequence[int]], frequency: float) -> float:
    """tone_share averaged over 20 ms frames: robust to a frame lost or shifted in between."""
    if not frames:
        return 0.0
    return sum(tone_share(frame, frequency) for frame in frames) / len(frames)


def describe_tone(frames: Sequence[Sequence[int]]) -> tuple[float, float]:
    """(frequency, purity) of what the frames hold if it is one tone; purity near 1 means it is."""
    samples = [s for frame in frames for s in frame]
    frequency = zero_crossing_frequency(samples)
    return frequency, framed_share(frames, frequency) if frequency else 0.0


def holds_tone(frames: Sequence[Sequence[int]], frequencies: Sequence[float]) -> bool:
    """Whether the frames hold this tone (one frequency) or this dual tone (two)."""
    if len(frequencies) == 1:
        heard, purity = describe_tone(frames)
        return purity >= PURE_TONE and abs(heard - frequencies[0]) <= TONE_TOLERANCE * frequencies[0]
    shares = [framed_share(frames, f) for f in frequencies]
    return min(shares) >= 0.5 * PURE_TONE / len(frequencies) and sum(shares) >= PURE_TONE
