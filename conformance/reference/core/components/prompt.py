"""The prompt component (XEP-0327 §6.5.5): an output, then an input, on one call.

A prompt is made of a real Output and a real Input (their own classes, as
parts): both are checked whole before the ref (R-6.5.5-a). The output plays
first; the input's timers start only when the output has ended, and the
prompt says so with <input-timers-started/> (R-6.5.5.3-b). With barge-in
(the default) the input listens from the start and the caller's first key
stops the output; without it, the input starts listening only once the
output has ended, so keys pressed during the output are lost.

The parts' completes come to the prompt, not the client (base.finished):
the output's is swallowed (R-6.5.5.4-b) and the input's becomes the
prompt's one complete (R-6.5.5.4-a). Output commands go to the output while
it plays and get unexpected-request after (R-6.5.5.2-b); stop, hangup and
errors end both parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from . import attributes as attr
from .base import Component, core_reason, unexpected
from .input import Input
from .output import Output

if TYPE_CHECKING:
    from . import Components
    from .audio import CallAudio


class Prompt(Component):
    kind = "prompt"
    namespace = ns.PROMPT

    def __init__(self, components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element):
        super().__init__(components, owner_jid, creator)
        self.barge_in = attr.boolean(payload, "barge-in", True)
        if not self.barge_in and "prompt-barge-in-false-ignored" in self.core.faults:
            self.barge_in = True
        output, input_ = (self._one(payload, namespace, name) for namespace, name in ((ns.OUTPUT, "output"), (ns.INPUT, "input")))
        self.output = Output(components, owner_jid, creator, audio, output)
        self.input = Input(components, owner_jid, creator, audio, input_,
                           start_timers="prompt-timers-start-with-output" in self.core.faults)
        for part in (self.output, self.input):
            part.parent = self
        self.listening = False  # the input hears keys

    @staticmethod
    def _one(payload: etree._Element, namespace: str, name: str) -> etree._Element:
        found = payload.findall(ns.qname(namespace, name))
        if len(found) != 1:
            raise CommandError("bad-request", "modify", f"a prompt holds exactly one {name}, not {len(found)}")
        return found[0]

    def begin(self) -> None:
        early = "prompt-timers-start-with-output" in self.core.faults
        if self.barge_in or early or "prompt-collects-keys-during-output" in self.core.faults:
            self._listen()
        if self.barge_in and "prompt-barge-in-ignored" not in self.core.faults:
            self.input.on_first_key = self._barge_in
        if early:
            self._timers_started()
        self.output.begin()

    def _listen(self) -> None:
        if not self.listening:
            self.listening = True
            self.input.begin()

    def _barge_in(self) -> None:
        """The caller's first key during the output: the output stops, the input goes on."""
        if not self.output.done:
            self.output.complete(core_reason("stop"))

    def part_finished(self, part: Component, reason: etree._Element, metadata: list[etree._Element]) -> None:
        if self.done:
            return
        if part is self.input:
            self.complete(reason, metadata)
        elif etree.QName(reason).localname == "error":
            self.complete(reason, metadata)
        elif "prompt-completes-with-output" in self.core.faults:
            self.complete(reason, metadata)
        else:
            if "prompt-output-complete-relayed" in self.core.faults:
                body = st.element(ns.EXT, "complete", children=[reason, *metadata])
                self.core.send_presence(self.jid, self.creator, [body], "unavailable")
            self._output_ended()

    def _output_ended(self) -> None:
        """The output has finished or was barged in on: now the input's timers run."""
        self._listen()
        if not self.input.timers_running:
            self.input.start_timers()
            self._timers_started()

    def _timers_started(self) -> None:
        if "prompt-no-input-timers-started" not in self.core.faults:
            self.event(st.element(ns.PROMPT, "input-timers-started"))

    def release(self) -> None:
        """The prompt has ended: so do both parts, silently (their completes come back here and are dropped)."""
        if not (self.stopped and "prompt-stop-leaves-output-playing" in self.core.faults):
            self.output.complete(core_reason("stop"))
        self.input.complete(core_reason("stop"))

    def command(self, payload: etree._Element) -> list[etree._Element]:
        """stop ends the prompt; output commands go to a playing output (R-6.5.5.2-a), the input takes none."""
        namespace = etree.QName(payload).namespace
        if namespace == ns.OUTPUT:
            if self.output.done and "prompt-output-commands-after-finish" not in self.core.faults:
                raise unexpected("the prompt's output has finished")
            return [] if self.output.done else self.output.command(payload)
        if namespace == ns.INPUT:
            return self.input.command(payload)
        return super().command(payload)
