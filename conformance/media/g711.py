"""G.711 μ-law and A-law (ITU-T G.711), in pure Python.

The standard library's audioop did this until Python 3.13 removed it. The
encoders work on 16-bit linear samples the way the classic reference
implementation does (μ-law on 14 significant bits, A-law on 13), so a frame
encoded here decodes to the same values any other G.711 codec would give.
Decoding uses 256-entry tables built once at import.
"""

from __future__ import annotations

from collections.abc import Iterable

_ULAW_BIAS = 0x21  # 0x84 >> 2: the bias on the 14-bit magnitude
_ULAW_CLIP = 8159  # largest 14-bit magnitude that still fits after the bias
# The top of each of the eight segments, for μ-law (biased 14-bit) and A-law (13-bit).
_ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    """Index of the first segment whose top is >= value; 8 if none is."""
    for index, end in enumerate(ends):
        if value <= end:
            return index
    return len(ends)


def linear_to_ulaw(sample: int) -> int:
    """One 16-bit signed sample to one μ-law byte."""
    magnitude = sample >> 2
    if magnitude < 0:
        magnitude, mask = -magnitude, 0x7F
    else:
        mask = 0xFF
    magnitude = min(magnitude, _ULAW_CLIP) + _ULAW_BIAS
    segment = _segment(magnitude, _ULAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)) ^ mask


def linear_to_alaw(sample: int) -> int:
    """One 16-bit signed sample to one A-law byte (even bits inverted, as sent)."""
    magnitude = sample >> 3
    if magnitude >= 0:
        mask = 0xD5
    else:
        mask, magnitude = 0x55, -magnitude - 1
    segment = _segment(magnitude, _ALAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((magnitude >> shift) & 0x0F)) ^ mask


def _ulaw_value(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84


def _alaw_value(code: int) -> int:
    code ^= 0x55
    segment = (code & 0x70) >> 4
    magnitude = (code & 0x0F) << 4
    if segment == 0:
        magnitude += 8
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if code & 0x80 else -magnitude


ULAW_TO_LINEAR: tuple[int, ...] = tuple(_ulaw_value(code) for code in range(256))
ALAW_TO_LINEAR: tuple[int, ...] = tuple(_alaw_value(code) for code in range(256))


def encode_ulaw(samples: Iterable[int]) -> bytes:
    return bytes(linear_to_ulaw(sample) for sample in samples)


def encode_alaw(samples: Iterable[int]) -> bytes:
    return bytes(linear_to_alaw(sample) for sample in samples)


def decode_ulaw(data: bytes) -> list[int]:
    return [ULAW_TO_LINEAR[code] for code in data]


def decode_alaw(data: bytes) -> list[int]:
    return [ALAW_TO_LINEAR[code] for code in data]
