"""RFC 4733 telephone-events: the payload format and a receiver that turns a
packet stream into one event per key press.

A sender repeats an event's packets every packet interval with a growing
duration, all with the same RTP timestamp, and sends the final ("end") packet
three times. The receiver therefore keys events by timestamp: the first end
packet reports the digit, the repeats and any late packet of that event are
ignored.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .rtp import RtpPacket

# Event codes 0-15 (RFC 4733 section 3.2) and their keypad symbols.
DIGITS = "0123456789*#ABCD"
_PAYLOAD = struct.Struct("!BBH")


def digit_to_event(digit: str) -> int:
    index = DIGITS.find(digit.upper())
    if len(digit) != 1 or index < 0:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    return index


def event_to_digit(event: int) -> str | None:
    return DIGITS[event] if 0 <= event < len(DIGITS) else None


@dataclass(frozen=True)
class EventPayload:
    event: int
    end: bool
    volume: int  # attenuation in dBm0, 0..63
    duration: int  # in timestamp units since the event began

    def encode(self) -> bytes:
        flags = (0x80 if self.end else 0) | (self.volume & 0x3F)
        return _PAYLOAD.pack(self.event, flags, min(self.duration, 0xFFFF))

    @classmethod
    def decode(cls, data: bytes) -> EventPayload:
        if len(data) < _PAYLOAD.size:
            raise ValueError("telephone-event payload shorter than 4 octets")
        event, flags, duration = _PAYLOAD.unpack_from(data)
        return cls(event=event, end=bool(flags & 0x80), volume=flags & 0x3F, duration=duration)


@dataclass(frozen=True)
class DtmfEvent:
    """One key press as received."""

    digit: str
    duration: int  # timestamp units (8000 per second for audio at 8 kHz)
    volume: int
    ended: bool  # False when the end packets were lost and a later event revealed it


def digit_payloads(
    digit: str, duration: int = 800, *, step: int = 160, volume: int = 10, end_repeats: int = 3
) -> list[EventPayload]:
    """The payloads of one event, one per packet interval, then the repeated end.

    `duration` and `step` are in timestamp units (800 = 100 ms, 160 = 20 ms at
    8 kHz). Every payload goes out with the same RTP timestamp.
    """
    event = digit_to_event(digit)
    growing = range(step, duration, step)
    payloads = [EventPayload(event, False, volume, elapsed) for elapsed in growing]
    payloads += [EventPayload(event, True, volume, duration)] * end_repeats
    return payloads


class DtmfReceiver:
    """Turns telephone-event packets into DtmfEvents, one per event."""

    def __init__(self) -> None:
        self._current: tuple[int, EventPayload] | None = None  # (timestamp, latest payload)
        self._last_ended: int | None = None  # timestamp of the last reported event

    def feed(self, packet: RtpPacket) -> list[DtmfEvent]:
        """The events this packet completes (usually none or one)."""
        payload = EventPayload.decode(packet.payload)
        timestamp = packet.timestamp
        if timestamp == self._last_ended or event_to_digit(payload.event) is None:
            return []  # a repeated end packet, a late packet, or a non-DTMF event
        reported: list[DtmfEvent] = []
        if self._current is not None and self._current[0] != timestamp:
            # A new event began before the previous one's end arrived.
            reported.append(self._report(*self._current, ended=False))
        self._current = (timestamp, payload)
        if payload.end:
            reported.append(self._report(timestamp, payload, ended=True))
        return reported

    def _report(self, timestamp: int, payload: EventPayload, *, ended: bool) -> DtmfEvent:
        self._current = None
        self._last_ended = timestamp
        digit = event_to_digit(payload.event)
        assert digit is not None  # feed() drops non-DTMF events
        return DtmfEvent(digit, payload.duration, payload.volume, ended)
