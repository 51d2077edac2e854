"""Tones as samples and as G.711 frames: sine waves cut into 20 ms packets."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .g711 import encode_alaw, encode_ulaw

SAMPLE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
_FULL_SCALE = 32767
_ENCODERS = {"pcmu": encode_ulaw, "pcma": encode_alaw}


def sine_samples(frequency: float, count: int, *, amplitude: float = 0.5, start: int = 0) -> list[int]:
    """`count` 16-bit samples of a sine at `frequency` Hz, from sample index `start`.

    `amplitude` is a fraction of full scale. Passing `start` keeps the phase
    continuous across frames.
    """
    step = 2 * math.pi * frequency / SAMPLE_RATE
    peak = amplitude * _FULL_SCALE
    return [round(peak * math.sin(step * index)) for index in range(start, start + count)]


def tone_samples(frequencies: Sequence[float], duration_ms: int, *, amplitude: float = 0.5) -> list[int]:
    """A tone, or a dual tone (call progress, DTMF), `amplitude` shared between its frequencies."""
    count = duration_ms * SAMPLE_RATE // 1000
    parts = [sine_samples(f, count, amplitude=amplitude / len(frequencies)) for f in frequencies]
    return [sum(values) for values in zip(*parts)]


def encode_frames(samples: Sequence[int], law: str = "pcmu") -> list[bytes]:
    """Samples as consecutive 20 ms G.711 frames; a last partial frame is padded with silence."""
    encode = _ENCODERS[law]
    padded = list(samples) + [0] * (-len(samples) % FRAME_SAMPLES)
    return [encode(padded[n : n + FRAME_SAMPLES]) for n in range(0, len(padded), FRAME_SAMPLES)]


def tone_frames(
    frequency: float, duration_ms: int, *, amplitude: float = 0.5, law: str = "pcmu"
) -> list[bytes]:
    """The tone as consecutive 20 ms G.711 frames (`law` is "pcmu" or "pcma")."""
    frames = duration_ms * SAMPLE_RATE // 1000 // FRAME_SAMPLES
    return encode_frames(tone_samples([frequency], frames * 20, amplitude=amplitude), law)
