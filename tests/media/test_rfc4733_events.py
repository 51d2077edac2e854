"""RFC 4733 telephone-event payloads and the receiver's one-event-per-digit rule."""

from __future__ import annotations

import pytest

from conformance.media import DtmfReceiver, EventPayload, RtpPacket, digit_payloads
from conformance.media.dtmf import digit_to_event, event_to_digit


def packets(digit: str, timestamp: int, **options) -> list[RtpPacket]:
    return [
        RtpPacket(101, sequence, timestamp, 1, payload.encode(), marker=sequence == 0)
        for sequence, payload in enumerate(digit_payloads(digit, **options))
    ]


def test_payload_wire_layout() -> None:
    payload = EventPayload(event=11, end=True, volume=10, duration=800)
    assert payload.encode() == bytes([11, 0x80 | 10, 0x03, 0x20])
    assert EventPayload.decode(payload.encode()) == payload


def test_digit_codes() -> None:
    assert [digit_to_event(d) for d in "09*#AD"] == [0, 9, 10, 11, 12, 15]
    assert event_to_digit(16) is None  # flash is not a digit
    with pytest.raises(ValueError):
        digit_to_event("x")


def test_a_digit_is_growing_updates_then_three_ends() -> None:
    payloads = digit_payloads("5", 800, step=160)
    assert [(p.end, p.duration) for p in payloads] == [(False, 160), (False, 320), (False, 480), (False, 640)] + [(True, 800)] * 3


def test_repeated_end_packets_make_one_event() -> None:
    receiver = DtmfReceiver()
    events = [event for packet in packets("7", 1000) + packets("7", 3000) for event in receiver.feed(packet)]
    assert [(e.digit, e.duration, e.ended) for e in events] == [("7", 800, True), ("7", 800, True)]


def test_late_packet_of_a_reported_event_is_ignored() -> None:
    receiver = DtmfReceiver()
    stream = packets("1", 1000)
    assert [e.digit for p in stream for e in receiver.feed(p)] == ["1"]
    assert receiver.feed(stream[1]) == []


def test_lost_end_packets_are_revealed_by_the_next_event() -> None:
    receiver = DtmfReceiver()
    first = [p for p in packets("4", 1000) if not EventPayload.decode(p.payload).end]
    events = [e for p in first + packets("#", 2000) for e in receiver.feed(p)]
    assert [(e.digit, e.ended) for e in events] == [("4", False), ("#", True)]
    assert events[0].duration == 640


def test_truncated_payload_is_an_error() -> None:
    with pytest.raises(ValueError):
        DtmfReceiver().feed(RtpPacket(101, 1, 1, 1, b"\x01\x80"))
