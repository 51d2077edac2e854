"""The audio of one call, as its components use it: what they play to the far
end, mixed and sent every 20 ms on the loop clock, and what the far end sends.

A mixer's audio has no RTP of its own: what its components play goes to each
member through the media paths (media_paths.py), which listen to `played`.

RTP goes out only while something plays (a paused output counts: it sends
nothing, but keeps the clock). Both directions are kept on tapes, so a
recording can be cut from them afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ....media import RtpEndpoint, RtpPacket
from ....media.g711 import decode_alaw, decode_ulaw
from ....media.tape import FRAME, Frame, Tape
from ....media.tone import FRAME_SAMPLES, encode_frames

_LAWS = {0: ("pcmu", decode_ulaw), 8: ("pcma", decode_alaw)}


class Source(Protocol):
    finished: bool  # set by next_frame when it has nothing more to play

    def next_frame(self) -> list[int] | None:
        """The next 20 ms to send, or None for nothing this time (paused)."""

    def ended(self) -> None:
        """Called once, the tick after the source finished."""


class CallAudio:
    def __init__(self, rtp: RtpEndpoint | None):
        self.rtp = rtp  # None: a mixer's
        self.sources: list[Source] = []
        self.heard = Tape()  # what the far end sends
        self.sent = Tape()  # what the components played to it
        self.listeners: list[Callable[[Frame], None]] = []  # told of every frame heard
        self.played: list[Callable[[Frame], None]] = []  # told of every frame sent
        self._task: asyncio.Task | None = None
        if rtp is not None:
            rtp.on_packet = self._on_packet

    def play(self, source: Source) -> None:
        self.sources.append(source)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def remove(self, source: Source) -> None:
        if source in self.sources:
            self.sources.remove(source)

    def close(self) -> None:
        self.sources.clear()
        self.listeners.clear()
        self.played.clear()
        if self.rtp is not None:
            self.rtp.on_packet = None
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        start, tick, quiet = loop.time(), 0, True
        while self.sources:
            when = start + tick * FRAME
            tick += 1
            if when > loop.time():
                await asyncio.sleep(when - loop.time())  # the media clock
            frame = self._mix()
            if frame is not None:
                self._send(frame, when, marker=quiet)
            quiet = frame is None
            for source in [s for s in self.sources if s.finished]:
                self.sources.remove(source)
                source.ended()

    def _mix(self) -> list[int] | None:
        frames = [frame for frame in (source.next_frame() for source in list(self.sources)) if frame is not None]
        if not frames:
            return None
        return [max(-32768, min(32767, sum(values))) for values in zip(*frames)]

    def _send(self, frame: list[int], when: float, marker: bool) -> None:
        sent = self.sent.add_at(when, frame)
        for listener in list(self.played):
            listener(sent)
        if self.rtp is None or self.rtp.remote is None or self.rtp.closed:
            return
        law, _ = _LAWS.get(self.rtp.audio_pt, _LAWS[0])
        self.rtp.send_audio_at(encode_frames(frame, law)[0], when, marker=marker)

    def _on_packet(self, packet: RtpPacket, source: tuple[str, int]) -> None:
        if packet.payload_type not in _LAWS or packet.payload_type == self.rtp.dtmf_pt:
            return
        samples = _LAWS[packet.payload_type][1](packet.payload)
        frame = self.heard.add(packet, asyncio.get_running_loop().time(), samples[:FRAME_SAMPLES])
        for listener in list(self.listeners):
            listener(frame)


class Clip:
    """A Source playing samples once (a beep), then calling `then`."""

    def __init__(self, samples: list[int], then: Callable[[], None]):
        self.samples = samples
        self.position = 0
        self.finished = False
        self._then = then

    def next_frame(self) -> list[int] | None:
        if self.position >= len(self.samples):
            self.finished = True
            return None
        frame = self.samples[self.position : self.position + FRAME_SAMPLES]
        self.position += FRAME_SAMPLES
        return frame + [0] * (FRAME_SAMPLES - len(frame))

    def ended(self) -> None:
        self._then()
