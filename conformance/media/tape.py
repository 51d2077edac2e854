"""Received audio laid out on the loop clock, and the sounds in it.

Each 20 ms frame is placed at the time its first sample was taken, as its
RTP timestamp says, not when the packet happened to be read: a busy event
loop reads packets late and in bursts, but their timestamps stay true. A
stream's timestamps are tied to the loop clock by its earliest packet
(arrival minus media time, at its minimum: packets are only ever late).

A sound is a run of frames louder than silence, gaps of up to `GAP` bridged
(a lost packet, a frame of near-silence inside a word).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .analysis import SAMPLE_RATE, describe_tone, holds_tone, level_dbfs, SILENCE_DBFS
from .rtp import RtpPacket

FRAME = 0.020  # seconds of audio per packet
GAP = 0.080  # a sound ends after this much silence
# When nothing at all follows a sound (a server sends no RTP once it stops playing), only time can end
# it, and a sender that stalls on a loaded machine sends the rest late, with its true timestamps: the
# sound is taken as over only once this much loop time has passed after it, lest a tone be cut at its
# first frame.
SETTLE = 0.250
QUIET_SAMPLE = 64  # a sample this close to zero is silence (-54 dBFS)


@dataclass
class Frame:
    ssrc: int | None  # None: audio this side sent, placed at its own loop time
    media_time: float  # seconds since the first timestamp of its stream
    samples: list[int]
    level: float  # dBFS
    time: float = 0.0  # on the loop clock; set by the tape

    @property
    def sound(self) -> bool:
        return self.level >= SILENCE_DBFS


@dataclass
class Sound:
    frames: list[Frame]
    closed: bool  # silence (or time) has followed it for GAP: it will not grow

    @property
    def start(self) -> float:
        """When its first audible sample plays: a sound may begin inside a frame (a recording's does)."""
        return self.frames[0].time + _quiet_samples(self.frames[0].samples) / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.frames[-1].time + FRAME - _quiet_samples(self.frames[-1].samples[::-1]) / SAMPLE_RATE

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def level(self) -> float:
        return level_dbfs([s for frame in self.frames for s in frame.samples])

    def holds(self, frequencies: Sequence[float]) -> bool:
        return holds_tone([frame.samples for frame in self.frames], frequencies)

    def describe(self) -> str:
        frequency, purity = describe_tone([frame.samples for frame in self.frames])
        # Unrounded enough to see how far outside a window it fell: the media clock's 20 ms frames need the ms.
        what = f"a {frequency:.1f} Hz tone" if purity >= 0.8 else "sound"
        return f"{what} for {self.duration:.4f} s at {self.level:.1f} dBFS"


@dataclass
class _Stream:
    first: int  # the first timestamp seen
    last: int  # the last timestamp seen, unwrapped
    offset: float  # loop time of media time 0


@dataclass
class Tape:
    frames: list[Frame] = field(default_factory=list)
    _streams: dict[int | None, _Stream] = field(default_factory=dict)

    def add(self, packet: RtpPacket, arrival: float, samples: list[int]) -> Frame:
        """A frame of decoded audio, read at loop time `arrival`."""
        media_time = self._media_time(packet, arrival)
        frame = Frame(packet.ssrc, media_time, samples, level_dbfs(samples))
        self.frames.append(frame)
        return frame

    def add_at(self, time: float, samples: list[int]) -> Frame:
        """A frame whose loop time is known: audio this side sent."""
        self._streams.setdefault(None, _Stream(0, 0, 0.0))
        frame = Frame(None, time, samples, level_dbfs(samples))
        self.frames.append(frame)
        return frame

    def _media_time(self, packet: RtpPacket, arrival: float) -> float:
        stream = self._streams.get(packet.ssrc)
        if stream is None:
            stream = self._streams[packet.ssrc] = _Stream(packet.timestamp, packet.timestamp, arrival)
        delta = (packet.timestamp - stream.last) & 0xFFFFFFFF
        if delta >= 0x80000000:  # an older packet, or one from before a wrap
            delta -= 0x100000000
        unwrapped = stream.last + delta
        stream.last = max(stream.last, unwrapped)
        media_time = (unwrapped - stream.first) / SAMPLE_RATE
        stream.offset = min(stream.offset, arrival - media_time)
        return media_time

    def placed(self) -> list[Frame]:
        """Every frame with its loop time, in time order."""
        for frame in self.frames:
            frame.time = self._streams[frame.ssrc].offset + frame.media_time
        return sorted(self.frames, key=lambda frame: frame.time)

    def sounds(self, since: float, now: float) -> list[Sound]:
        """The sounds that begin at or after `since`, judged at loop time `now`."""
        return _sounds([frame for frame in self.placed() if frame.time >= since - 1e-3], now)

    def sound_between(self, start: float, end: float) -> list[Frame]:
        """The sound frames placed in [start, end)."""
        return [frame for frame in self.placed() if frame.sound and start <= frame.time < end]

    def render(self, start: float, end: float) -> list[int]:
        """The audio of [start, end) as samples; what no frame covers is silence."""
        length = max(0, round((end - start) * SAMPLE_RATE))
        out = [0] * length
        for frame in self.placed():
            _mix_into(out, round((frame.time - start) * SAMPLE_RATE), frame.samples)
        return out


def sounds_in(samples: Sequence[int]) -> list[Sound]:
    """The sounds in a stretch of audio (a recording, a document), timed from its start."""
    step = round(FRAME * SAMPLE_RATE)
    frames = []
    for start in range(0, len(samples), step):
        chunk = list(samples[start : start + step])
        frames.append(Frame(0, start / SAMPLE_RATE, chunk, level_dbfs(chunk), time=start / SAMPLE_RATE))
    return _sounds(frames, now=float("inf"))


def _sounds(frames: Iterable[Frame], now: float) -> list[Sound]:
    """Runs of sound frames (in time order), each closed once GAP of silence, or SETTLE of time, follows it."""
    sounds: list[Sound] = []
    latest = float("-inf")
    for frame in frames:
        latest = max(latest, frame.time)
        if not frame.sound:
            continue
        if sounds and frame.time - sounds[-1].end <= GAP:
            sounds[-1].frames.append(frame)
        else:
            if sounds:
                sounds[-1].closed = True
            sounds.append(Sound([frame], closed=False))
    if sounds and (latest - sounds[-1].end > GAP or now - sounds[-1].end > SETTLE):
        sounds[-1].closed = True
    return sounds


def _quiet_samples(samples: Sequence[int]) -> int:
    """How many samples come before the first one above silence."""
    return next((n for n, sample in enumerate(samples) if abs(sample) > QUIET_SAMPLE), len(samples))


def _mix_into(out: list[int], at: int, samples: Iterable[int]) -> None:
    for index, sample in enumerate(samples, at):
        if 0 <= index < len(out):
            out[index] += sample
