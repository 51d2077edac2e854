"""RTP header encode/decode (RFC 3550 5.1)."""

from __future__ import annotations

import struct

import pytest

from conformance.media import RtpError, RtpPacket


def test_round_trip_and_wire_layout() -> None:
    packet = RtpPacket(payload_type=101, sequence=0xFFFF, timestamp=0x12345678, ssrc=0xDEADBEEF, payload=b"\x01\x8a\x03\x20", marker=True)
    data = packet.encode()
    assert data[:12] == bytes([0x80, 0x80 | 101]) + struct.pack("!HII", 0xFFFF, 0x12345678, 0xDEADBEEF)
    assert RtpPacket.decode(data) == packet


def test_csrcs_extension_and_padding_are_skipped() -> None:
    header = bytes([0x80 | 0x20 | 0x10 | 2, 0]) + struct.pack("!HII", 7, 160, 1)
    csrcs = struct.pack("!II", 11, 12)
    extension = struct.pack("!HH", 0xBEDE, 1) + b"\x00" * 4
    data = header + csrcs + extension + b"audio" + b"\x00\x00\x03"
    packet = RtpPacket.decode(data)
    assert (packet.payload, packet.sequence, packet.timestamp, packet.payload_type) == (b"audio", 7, 160, 0)


@pytest.mark.parametrize(
    "data",
    [b"\x80\x00", bytes([0x40, 0]) + b"\x00" * 10, bytes([0x8F, 0]) + b"\x00" * 10, bytes([0x90, 0]) + b"\x00" * 10],
    ids=["short", "version-1", "csrcs-missing", "extension-missing"],
)
def test_unreadable_datagrams_are_rejected(data: bytes) -> None:
    with pytest.raises(RtpError):
        RtpPacket.decode(data)
