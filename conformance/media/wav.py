"""WAV files of 16-bit linear PCM at 8 kHz: what documents and recordings are made of."""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import SAMPLE_RATE


class WavError(ValueError):
    """Not a WAV file we can play: not RIFF/WAVE, or not 16-bit PCM at 8 kHz."""


@dataclass(frozen=True)
class Wav:
    channels: list[list[int]]  # one list of samples per channel
    rate: int

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.channels[0]) / self.rate if self.channels else 0.0

    def mono(self) -> list[int]:
        """The channels mixed into one (the first alone if there is one)."""
        if len(self.channels) == 1:
            return self.channels[0]
        return [_clip(sum(frame)) for frame in zip(*self.channels)]


def wav_bytes(channels: Sequence[Sequence[int]], rate: int = SAMPLE_RATE) -> bytes:
    """A WAV file holding these channels (equal lengths), 16-bit PCM."""
    interleaved = [_clip(sample) for frame in zip(*channels) for sample in frame]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(interleaved)}h", *interleaved))
    return buffer.getvalue()


def read_wav(data: bytes) -> Wav:
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            if source.getsampwidth() != 2:
                raise WavError(f"{8 * source.getsampwidth()}-bit samples; only 16-bit PCM is read")
            channels, rate = source.getnchannels(), source.getframerate()
            raw = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as err:
        raise WavError(f"not a WAV file: {err}") from None
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)
    return Wav([list(samples[c::channels]) for c in range(channels)], rate)


def _clip(sample: int) -> int:
    return max(-32768, min(32767, int(sample)))
