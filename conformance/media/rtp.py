"""RTP packets (RFC 3550 section 5.1): encode and decode the fixed header.

Only what a G.711 + telephone-event endpoint meets: CSRCs and a header
extension are skipped over on receipt, padding is removed, and packets we
send carry neither.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

RTP_VERSION = 2
_FIXED = struct.Struct("!BBHII")


class RtpError(ValueError):
    """A datagram that is not an RTP packet we can read."""


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False

    def encode(self) -> bytes:
        first = RTP_VERSION << 6
        second = (0x80 if self.marker else 0) | (self.payload_type & 0x7F)
        header = _FIXED.pack(
            first, second, self.sequence & 0xFFFF, self.timestamp & 0xFFFFFFFF, self.ssrc
        )
        return header + self.payload

    @classmethod
    def decode(cls, data: bytes) -> RtpPacket:
        if len(data) < _FIXED.size:
            raise RtpError("shorter than an RTP header")
        first, second, sequence, timestamp, ssrc = _FIXED.unpack_from(data)
        if first >> 6 != RTP_VERSION:
            raise RtpError(f"RTP version {first >> 6}")
        offset = _FIXED.size + 4 * (first & 0x0F)  # skip the CSRC list
        if first & 0x10:  # header extension: 16-bit profile, 16-bit length in words
            if len(data) < offset + 4:
                raise RtpError("truncated header extension")
            (words,) = struct.unpack_from("!H", data, offset + 2)
            offset += 4 + 4 * words
        end = len(data)
        if first & 0x20:  # padding: the last octet counts the padding octets
            end -= data[-1]
        if offset > end:
            raise RtpError("header longer than the packet")
        return cls(
            payload_type=second & 0x7F,
            sequence=sequence,
            timestamp=timestamp,
            ssrc=ssrc,
            payload=bytes(data[offset:end]),
            marker=bool(second & 0x80),
        )
