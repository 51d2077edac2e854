"""The output component (XEP-0327 §6.5.3): documents played to the call.

The player renders the documents to samples up front (so the whole command
is checked before its ref, R-6.5-g) and plays them 20 ms at a time: from
start-offset, repeated repeat-times (0: for ever) with repeat-interval of
silence between, until max-time of rendering. pause, resume, seek, the speed
and the volume act on the next frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ....media.tone import FRAME_SAMPLES
from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from . import attributes as attr
from .base import Component, core_reason, unexpected
from .rendering import render_document

if TYPE_CHECKING:
    from . import Components
    from .audio import CallAudio

SPEED_STEP, SPEED_RANGE = 0.25, (0.5, 2.0)  # one speed-up or speed-down: a quarter of normal speed
VOLUME_STEP, VOLUME_RANGE = 2.0, (1 / 16, 4.0)  # one volume-up or volume-down: 6 dB
RENDERERS = ("tones",)  # the one engine: speech as tones (rendering.py)


class Player:
    """A Source (audio.py) playing samples under the output's controls."""

    def __init__(self, samples: list[int], *, offset_ms: int, paused: bool, repeat_times: int, interval_ms: int,
                 max_time_ms: int, on_end):
        self.samples = samples
        self.position = float(min(offset_ms * 8, len(samples)))
        self.paused = paused
        self.repeat_times = repeat_times  # 0: for ever
        self.interval = interval_ms * 8
        self.max_samples = max_time_ms * 8 if max_time_ms >= 0 else None
        self.rate = 1.0
        self.gain = 1.0
        self.finished = False
        self.reason = "finish"
        self._on_end = on_end
        self._played = 0  # samples rendered, repeats and intervals included: what max-time counts
        self._plays = 1  # the rendering under way, from 1
        self._silence_left = 0  # of the interval before the next repeat

    def next_frame(self) -> list[int] | None:
        if self.paused or self.finished:
            return None
        if self.max_samples is not None and self._played >= self.max_samples:
            self._finish("max-time")
            return None
        if self._silence_left == 0 and self.position >= len(self.samples) and not self._repeat():
            self._finish("finish")
            return None
        self._played += FRAME_SAMPLES
        if self._silence_left > 0:
            self._silence_left = max(0, self._silence_left - FRAME_SAMPLES)
            return [0] * FRAME_SAMPLES
        return self._take()

    def _take(self) -> list[int]:
        frame = []
        for _ in range(FRAME_SAMPLES):
            index = int(self.position)
            frame.append(round(self.samples[index] * self.gain) if index < len(self.samples) else 0)
            self.position += self.rate
        return frame

    def _repeat(self) -> bool:
        """Start the next rendering (after its interval), if there is one."""
        if self.repeat_times != 0 and self._plays >= self.repeat_times:
            return False
        self._plays += 1
        self.position = 0.0
        self._silence_left = self.interval
        return True

    def _finish(self, reason: str) -> None:
        self.finished, self.reason = True, reason

    def ended(self) -> None:
        self._on_end(self.reason)

    def seek(self, forward: bool, amount_ms: int) -> None:
        step = amount_ms * 8 if forward else -amount_ms * 8
        self.position = min(max(0.0, self.position + step), float(len(self.samples)))

    def faster(self, steps: int) -> None:
        self.rate = min(max(self.rate + steps * SPEED_STEP, SPEED_RANGE[0]), SPEED_RANGE[1])

    def louder(self, steps: int) -> None:
        self.gain = min(max(self.gain * VOLUME_STEP**steps, VOLUME_RANGE[0]), VOLUME_RANGE[1])


class Output(Component):
    kind = "output"
    namespace = ns.OUTPUT

    def __init__(self, components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element):
        super().__init__(components, owner_jid, creator)
        self.audio = audio
        self.player = self.prepare(payload)

    def prepare(self, payload: etree._Element) -> Player:
        """Check every option and render every document: any problem is an iq error, not a complete."""
        faults = self.core.faults
        options = dict(
            offset_ms=attr.integer(payload, "start-offset", 0, least=0),
            paused=attr.boolean(payload, "start-paused"),
            repeat_times=attr.integer(payload, "repeat-times", 1, least=0),
            interval_ms=attr.integer(payload, "repeat-interval", 0, least=0),
            max_time_ms=attr.integer(payload, "max-time", -1, least=-1),
        )
        for fault, option, value in (("start-offset-ignored", "offset_ms", 0), ("start-paused-ignored", "paused", False),
                                     ("repeat-interval-ignored", "interval_ms", 0)):
            if fault in faults:
                options[option] = value
        if payload.get("renderer", RENDERERS[0]) not in RENDERERS:
            raise CommandError("feature-not-implemented", "modify", f"the only renderer is {RENDERERS[0]!r}")
        documents = payload.findall(ns.qname(ns.OUTPUT, "document"))
        if not documents:
            raise CommandError("bad-request", "modify", "an output needs at least one document")
        by_url = any(d.get("url") is not None for d in documents)
        unclaimed = by_url and "output-document:url" in self.core.without
        if unclaimed and "unclaimed-url-document-errors" not in faults:
            # §7.19.3.1.1 lets a document come inline; audio files still play through SSML <audio src>
            raise CommandError("feature-not-implemented", "modify", "documents come inline here, not by url")
        list_limit = 1 if "uri-list-plays-first-only" in faults else None
        samples = [s for document in documents for s in self._render(document, list_limit)]
        # mod_rayo's way: documents by URL are acknowledged, then fail.
        self.fails = by_url and ("url-document-errors" in faults or unclaimed)
        return Player(samples, on_end=self.ended, **options)

    def _render(self, document: etree._Element, list_limit: int | None) -> list[int]:
        samples = render_document(document, list_limit=list_limit, source=self.core.sip.host)
        speech = document.get("content-type") in ("application/ssml+xml", "text/plain")
        return [0] * len(samples) if speech and "speech-renders-silence" in self.core.faults else samples

    def begin(self) -> None:
        if self.fails:
            self.complete(core_reason("error"))
        else:
            self.audio.play(self.player)

    def ended(self, reason: str) -> None:
        if reason == "max-time" and "max-time-reported-as-finish" in self.core.faults:
            reason = "finish"  # as mod_rayo does
        self.complete(st.element(ns.OUTPUT_COMPLETE, reason))

    def release(self) -> None:
        if not (self.stopped and "output-plays-on-after-stop" in self.core.faults):
            self.audio.remove(self.player)

    # commands (§6.5.3.2)

    def cmd_pause(self, payload: etree._Element) -> None:
        if self.player.paused:
            raise unexpected("the output is paused already")
        self.player.paused = True

    def cmd_resume(self, payload: etree._Element) -> None:
        if not self.player.paused:
            raise unexpected("the output is not paused")
        self.player.paused = False
        if "resume-restarts-output" in self.core.faults:
            self.player.position = 0.0

    def cmd_seek(self, payload: etree._Element) -> None:
        direction = attr.choice(payload, "direction", "", ("forward", "back"))
        amount = attr.integer(payload, "amount", 0, least=1, required=True)
        if "seek-ignored" not in self.core.faults:
            self.player.seek(direction == "forward", amount)

    def cmd_speed_up(self, payload: etree._Element) -> None:
        self._speed(1)

    def cmd_speed_down(self, payload: etree._Element) -> None:
        self._speed(-1)

    def cmd_volume_up(self, payload: etree._Element) -> None:
        self._volume(1)

    def cmd_volume_down(self, payload: etree._Element) -> None:
        self._volume(-1)

    def _speed(self, steps: int) -> None:
        if "speed-and-volume-ignored" not in self.core.faults:
            self.player.faster(steps)

    def _volume(self, steps: int) -> None:
        if "speed-and-volume-ignored" not in self.core.faults:
            self.player.louder(steps)
