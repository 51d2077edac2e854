"""Call-progress tones in what a caller sends (XEP-0341 CPA): beep, busy, congestion, ring.

Each 20 ms frame is classed by the tone it holds: 480+620 Hz (the North
American busy and congestion tone), 440+480 Hz (ringback), one pure tone
(a beep), or none. A run of frames of one class is a burst; a burst is
judged when it ends (a frame of another class, or no frame for `QUIET`):

- beep: one pure tone of 300 to 3000 Hz lasting at least 100 ms; its value is
  the frequency in Hz, to 10 Hz;
- busy: a 480+620 burst of 0.5 s (0.375 to 0.625 s: 0.5 s on, 0.5 s off);
- congestion: a 480+620 burst of 0.25 s (0.175 to 0.375 s: 0.25 s on, 0.25 s off);
- ring: a 440+480 burst of at least 0.2 s (a real ringback is 2 s on, 4 s off:
  one short burst is enough here, so cases stay short).

One burst is enough for each (its silence after it is the "off"), and each
burst is one detection; a 480+620 burst of another length is neither.
The duration reported is the burst's, in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import describe_tone, holds_tone, is_silence, zero_crossing_frequency

FRAME = 0.020
QUIET = 0.100  # no frame for this long ends a burst (the sender stopped sending)
BUSY_TONE = (480.0, 620.0)
RING_TONE = (440.0, 480.0)
BEEP_RANGE = (300.0, 3000.0)
BEEP_SHORTEST = 0.100
BUSY_ON = (0.375, 0.625)
CONGESTION_ON = (0.175, 0.375)
RING_SHORTEST = 0.200


@dataclass(frozen=True)
class Detection:
    signal: str  # beep, busy, congestion, ring (the <t> of urn:xmpp:rayo:cpa:<t>:1)
    duration_ms: int
    value: str | None = None


def frame_class(samples: Sequence[int]) -> str | None:
    """"busy-tone", "ring-tone" or "beep" for the tone a frame holds, or None."""
    if is_silence(samples):
        return None
    if holds_tone([samples], BUSY_TONE):
        return "busy-tone"
    if holds_tone([samples], RING_TONE):
        return "ring-tone"
    frequency, purity = describe_tone([samples])
    if purity >= 0.8 and BEEP_RANGE[0] <= frequency <= BEEP_RANGE[1]:
        return "beep"
    return None


class ProgressDetector:
    """Feed it frames (`hear`) and, when no frame has come for a while, `flush`; both return what was detected."""

    def __init__(self) -> None:
        self.kind: str | None = None
        self.start = self.end = 0.0
        self.samples: list[int] = []  # a beep's, for its frequency

    def hear(self, time: float, samples: Sequence[int]) -> list[Detection]:
        kind = frame_class(samples)
        if kind is not None and kind == self.kind and time - self.end < QUIET:
            self.end = time + FRAME
            self.samples += samples if kind == "beep" else []
            return []
        found = self.flush()
        if kind is not None:
            self.kind, self.start, self.end = kind, time, time + FRAME
            self.samples = list(samples) if kind == "beep" else []
        return found

    def flush(self) -> list[Detection]:
        """The burst going on has ended: what it was."""
        if self.kind is None:
            return []
        kind, length, frequency = self.kind, self.end - self.start, zero_crossing_frequency(self.samples)
        self.kind, self.samples = None, []
        found = judge(kind, length, frequency)
        return [found] if found else []


def judge(kind: str, length: float, frequency: float) -> Detection | None:
    ms = round(length * 1000)
    if kind == "beep" and length >= BEEP_SHORTEST - FRAME / 2:
        return Detection("beep", ms, str(int(round(frequency, -1))))  # to 10 Hz: what a few frames can tell
    if kind == "ring-tone" and length >= RING_SHORTEST - FRAME / 2:
        return Detection("ring", ms)
    if kind == "busy-tone" and BUSY_ON[0] <= length <= BUSY_ON[1]:
        return Detection("busy", ms)
    if kind == "busy-tone" and CONGESTION_ON[0] <= length <= CONGESTION_ON[1]:
        return Detection("congestion", ms)
    return None
