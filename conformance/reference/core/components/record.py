"""The record component (XEP-0327 §6.5.6): the call's audio, kept as a WAV file.

What is recorded comes from the call's tapes (audio.py): `send` what the
caller sends, `recv` what the components play to the caller, `duplex` both,
as two channels or mixed into one (`mix`). Pause and resume cut the time out
and append to the same file. The caller's audio also drives the timers:
initial-timeout (no sound since the start), final-timeout (silence after
sound); max-duration counts recorded time. A start-beep plays before the
recording starts, a stop-beep after it ends; neither is in the file. Every
complete carries the recording: its http: URI, duration and size (R-6.5.6-4-c).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from lxml import etree

from ....media.tape import Frame
from ....media.tone import tone_samples
from ....media.wav import wav_bytes
from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from . import attributes as attr
from .audio import Clip
from .base import Component, unexpected

if TYPE_CHECKING:
    from . import Components
    from .audio import CallAudio

BEEP = tone_samples([1000], 200, amplitude=0.25)  # 1000 Hz for 200 ms at -15 dBFS
FORMATS = ("wav",)
TIMERS = ("max-duration", "initial-timeout", "final-timeout")
WAV_HEADER = 44  # bytes before the samples


class Record(Component):
    kind = "record"
    namespace = ns.RECORD

    def __init__(self, components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element):
        super().__init__(components, owner_jid, creator)
        self.audio = audio
        if payload.get("format", "wav") not in FORMATS:
            raise CommandError("feature-not-implemented", "modify", f"records {', '.join(FORMATS)} only")
        self.beeps = (attr.boolean(payload, "start-beep"), attr.boolean(payload, "stop-beep"))
        self.paused = attr.boolean(payload, "start-paused")
        self.limits = {name: attr.integer(payload, name, -1, least=-1) for name in TIMERS}
        self.direction = attr.choice(payload, "direction", "duplex", ("duplex", "send", "recv"))
        self.mix = attr.boolean(payload, "mix")
        # Hints it does not know are ignored (R-6.5.6-b): it knows none.
        self.spans: list[tuple[float, float]] = []  # (start, end) of each stretch recorded, on the loop clock
        self.since: float | None = None  # the start of the stretch being recorded now
        self.heard_sound = False
        self.recording = False  # started (after the start-beep)
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self._ending: etree._Element | None = None  # the reason, while the stop-beep plays

    def begin(self) -> None:
        self.audio.listeners.append(self.hear)
        if self.beeps[0] and "beep-recorded" in self.core.faults:
            self.start()
            self.audio.play(Clip(list(BEEP), then=lambda: None))
        elif self.beeps[0]:
            self.audio.play(Clip(list(BEEP), then=self.start))
        else:
            self.start()

    def start(self) -> None:
        if self.done or self._ending is not None:
            return
        self.recording = True
        if not self.paused:
            self._open()

    # recorded time

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _open(self) -> None:
        self.since = self._now()
        if self.limits["max-duration"] >= 0 and "max-duration-ignored" not in self.core.faults:
            left = max(0.0, self.limits["max-duration"] / 1000 - sum(end - start for start, end in self.spans))
            self._arm("max-duration", left, lambda: self.complete(reason("max-duration")))
        self._arm_silence()

    def _close(self) -> None:
        if self.since is not None:
            self.spans.append((self.since, self._now()))
            self.since = None
        for name in TIMERS:
            self._cancel(name)

    # the caller's audio: the silence timers

    def hear(self, frame: Frame) -> None:
        if self.since is not None and frame.sound:
            self.heard_sound = True
            self._arm_silence()

    def _arm_silence(self) -> None:
        if not self.heard_sound:
            limit, name, why = self.limits["initial-timeout"], "initial-timeout", "initial-timeout"
        else:
            self._cancel("initial-timeout")
            limit, name, why = self.limits["final-timeout"], "final-timeout", "final-timeout"
        if limit >= 0 and "record-timeouts-ignored" not in self.core.faults:
            self._arm(name, limit / 1000, lambda: self.complete(reason(why)))

    def _arm(self, name: str, delay: float, action: Callable[[], None]) -> None:
        self._cancel(name)
        self._handles[name] = asyncio.get_running_loop().call_later(delay, action)

    def _cancel(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()

    # commands (§6.5.6.2)

    def cmd_pause(self, payload: etree._Element) -> None:
        if self.paused:
            raise unexpected("the record is paused already")
        if "record-pause-ignored" not in self.core.faults:
            self._close()
        self.paused = True

    def cmd_resume(self, payload: etree._Element) -> None:
        if not self.paused:
            raise unexpected("the record is not paused")
        self.paused = False
        if "record-resume-restarts" in self.core.faults:
            self.spans.clear()  # a new file, the old one lost
        if self.recording and self.since is None:
            self._open()

    # the end

    def complete(self, why: etree._Element, metadata=()) -> None:
        """Stop recording; after the stop-beep (not on hangup), complete with the recording."""
        hangup = etree.QName(why).localname == "hangup" and etree.QName(why).namespace == ns.EXT_COMPLETE
        if hangup and "record-hangup-as-final-timeout" in self.core.faults:
            why = reason("final-timeout")  # as mod_rayo does
        if self.done or (self._ending is not None and not hangup):
            return
        if self._ending is not None:  # the call ended during the stop-beep: the first reason stands
            self._finish()
            return
        self._close()
        self._ending = why
        if self.beeps[1] and not hangup:
            self.audio.play(Clip(list(BEEP), then=self._finish))
        else:
            self._finish()

    def _finish(self) -> None:
        assert self._ending is not None
        recording = self.write()
        if "record-without-recording" in self.core.faults:
            super().complete(self._ending, [])
        elif "recording-inside-reason" in self.core.variations and etree.QName(self._ending).namespace == ns.EXT_COMPLETE:
            self._ending.append(recording)  # §7.19.2.1: a core reason may carry the metadata (A2)
            super().complete(self._ending)
        else:
            super().complete(self._ending, [recording])

    def release(self) -> None:
        for name in TIMERS:
            self._cancel(name)
        if self.hear in self.audio.listeners:
            self.audio.listeners.remove(self.hear)

    def write(self) -> etree._Element:
        """The file of what was recorded, and its <recording/>."""
        sent = [s for start, end in self.spans for s in self.audio.heard.render(start, end)]
        received = [s for start, end in self.spans for s in self.audio.sent.render(start, end)]
        direction = "duplex" if "record-direction-ignored" in self.core.faults else self.direction
        channels = {"send": [sent], "recv": [received]}.get(direction)
        if channels is None:
            channels = [[a + b for a, b in zip(sent, received)]] if self.mix else [sent, received]
        recordings = self.components.recordings
        path = recordings.directory / f"{self.id}.wav"
        path.write_bytes(wav_bytes(channels))
        duration = round(len(channels[0]) / 8) * (2 if "recording-duration-doubled" in self.core.faults else 1)
        size = path.stat().st_size - (WAV_HEADER if "recording-size-without-header" in self.core.faults else 0)
        return st.element(ns.RECORD_COMPLETE, "recording", {"uri": f"{recordings.url}/{path.name}", "duration": str(duration),
                                                            "size": str(size)})


def reason(name: str) -> etree._Element:
    return st.element(ns.RECORD_COMPLETE, name)
