"""The seed dialect's say component (urn:xmpp:tropo:say:1): the page's speech output.

A say holds text to speak mixed with <audio src='…'/> (a file to play; the
page gives it a text, the fallback of SSML's audio) and <say-as/> (how to read
a value). This server plays every audio and never its fallback: one it cannot
fetch makes the say a bad-request, as a document does an output's. It is the seed's output: rendered up front as an output's SSML
document is (rendering.py: each word 200 ms of a 600 Hz tone, each audio its
WAV), played by the same Player, paused and resumed by <pause/> and <resume/>
in its own namespace, stopped by the core <stop/>. It completes with
<success xmlns='urn:xmpp:tropo:say:complete:1'/> when it has played to its end,
and with stop, hangup or error (urn:xmpp:rayo:ext:complete:1) otherwise.
The voice attribute is taken and has no effect: there is one voice.
"""

from __future__ import annotations

from lxml import etree

from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from .output import Output, Player
from .rendering import render_speech


class Say(Output):
    kind = "say"
    namespace = ns.TROPO_SAY
    # The output's other commands are not the say's: the page names pause and resume only.
    cmd_seek = cmd_speed_up = cmd_speed_down = cmd_volume_up = cmd_volume_down = None

    def prepare(self, payload: etree._Element) -> Player:
        """Render the whole say before its ref: an empty or unplayable one is an iq error."""
        if not (payload.text or "").strip() and not any(isinstance(child.tag, str) for child in payload):
            raise CommandError("bad-request", "modify", "a say needs text, audio or say-as to speak")
        self.fails = False
        samples = render_speech(payload, self.core.sip.host)
        return Player(samples, offset_ms=0, paused=False, repeat_times=1, interval_ms=0, max_time_ms=-1, on_end=self.ended)

    def ref(self) -> etree._Element:
        if "say-ref-uri" in self.core.faults:
            return st.rayo("ref", {"uri": f"xmpp:{self.jid}"})
        return super().ref()

    def stop_namespace(self) -> str:
        return ns.EXT if "say-stop-in-ext-only" in self.core.faults else super().stop_namespace()

    def ended(self, reason: str) -> None:
        if "say-no-complete-on-success" in self.core.faults:
            self.audio.remove(self.player)  # silent from now on, and the say never says so
            return
        if "say-completes-as-output" in self.core.faults:
            self.complete(st.element(ns.OUTPUT_COMPLETE, "finish"))
        else:
            self.complete(st.element(ns.TROPO_SAY_COMPLETE, "success"))

    def release(self) -> None:
        if not (self.stopped and "say-plays-on-after-stop" in self.core.faults):
            self.audio.remove(self.player)

    def cmd_pause(self, payload: etree._Element) -> None:
        if "say-pause-ignored" in self.core.faults:
            return
        super().cmd_pause(payload)

    def cmd_resume(self, payload: etree._Element) -> None:
        if "say-pause-ignored" in self.core.faults:
            return  # it never paused, and takes the resume as well
        super().cmd_resume(payload)

    def finished(self, reason: etree._Element, metadata: list[etree._Element]) -> None:
        if reason.tag == ns.qname(ns.EXT_COMPLETE, "hangup") and "say-silent-on-hangup" in self.core.faults:
            return
        super().finished(reason, metadata)
