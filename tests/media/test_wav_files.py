"""WAV files of 16-bit PCM: written and read back; other formats refused."""

from __future__ import annotations

import io
import wave

import pytest

from conformance.media.wav import WavError, read_wav, wav_bytes


def test_two_channels_round_trip_and_mix_to_mono():
    data = wav_bytes([[1000, -2000, 40000], [1, 2, 3]])
    wav = read_wav(data)
    assert wav.rate == 8000 and wav.channels == [[1000, -2000, 32767], [1, 2, 3]]  # clipped to 16 bits
    assert wav.mono() == [1001, -1998, 32767]
    assert wav.duration == pytest.approx(3 / 8000)
    assert len(data) == 44 + 3 * 2 * 2  # RIFF header, then the samples


def test_eight_bit_samples_and_other_bytes_are_refused():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 10)
    with pytest.raises(WavError, match="8-bit"):
        read_wav(buffer.getvalue())
    with pytest.raises(WavError, match="not a WAV"):
        read_wav(b"RIFF....not really")
