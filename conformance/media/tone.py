"""Tones as G.711 frames: a sine wave cut into 20 ms packets."""

from __future__ import annotations

import math

from .g711 import encode_alaw, encode_ulaw

SAMPLE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
_FULL_SCALE = 32767


def sine_samples(frequency: float, count: int, *, amplitude: float = 0.5, start: int = 0) -> list[int]:
    """`count` 16-bit samples of a sine at `frequency` Hz, from sample index `start`.

    `amplitude` is a fraction of full scale. Passing `start` keeps the phase
    continuous across frames.
    """
    step = 2 * math.pi * frequency / SAMPLE_RATE
    peak = amplitude * _FULL_SCALE
    return [round(peak * math.sin(step * index)) for index in range(start, start + count)]


def tone_frames(
    frequency: float, duration_ms: int, *, amplitude: float = 0.5, law: str = "pcmu"
) -> list[bytes]:
    """The tone as consecutive 20 ms G.711 frames (`law` is "pcmu" or "pcma")."""
    encode = {"pcmu": encode_ulaw, "pcma": encode_alaw}[law]
    frames = duration_ms * SAMPLE_RATE // 1000 // FRAME_SAMPLES
    return [
        encode(sine_samples(frequency, FRAME_SAMPLES, amplitude=amplitude, start=n * FRAME_SAMPLES))
        for n in range(frames)
    ]
