"""The prompt component (XEP-0327 §6.5.5): an output, then an input, on one call.

A prompt is made of a real Output and a real Input (their own classes, as
parts): both are checked whole before the ref (R-6.5.5-a). The output plays
first; the input's timers start only when the output has ended, and the
prompt says so with <input-timers-started/> (R-6.5.5.3-b). With barge-in
(the default) the input listens from the start and the caller's first key
stops the output; without it, the input starts listening only once the
output has ended, so keys pressed during the output are lost.

The input may be a CPA input (mode="cpa", XEP-0341: "a special case of the
core input component"): it has no timers and does not barge in, and its
<signal/> events are the prompt's intermediate events.

The parts' events and completes come to the prompt, not the client
(base.event, base.finished): their events go out from the prompt's JID, the
only one the client knows (R-6.5.5.3-a); the output's complete is swallowed
(R-6.5.5.4-b) and the input's becomes the prompt's one complete
(R-6.5.5.4-a). Output commands go to the output while it plays and get
unexpected-request after (R-6.5.5.2-b); stop, hangup and errors end both
parts.

On a joined call the prompt plays to its own call's party only and hears
that party only (R-6.5.5.1-a), as its parts do on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ....protocol import namespaces as ns
from ....protocol.jid import JID
from .. import stanzas as st
from ..errors import CommandError
from . import attributes as attr
from .audio import Clip
from .base import Component, core_reason, unexpected
from .cpa import Cpa
from .input import Input
from .output import Output

if TYPE_CHECKING:
    from ..calls import Call
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
        self.input: Input | Cpa
        if input_.get("mode") == "cpa":
            self.input = Cpa(components, owner_jid, creator, audio, input_)
        else:
            self.input = Input(components, owner_jid, creator, audio, input_,
                               start_timers="prompt-timers-start-with-output" in self.core.faults)
        for part in (self.output, self.input):
            part.parent = self
        self.listening = False  # the input hears keys
        self.owner_jid = owner_jid
        self._overheard: list[str] = []  # joined calls whose keys the input hears too (a fault)

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
        if self.barge_in and isinstance(self.input, Input) and "prompt-barge-in-ignored" not in self.core.faults:
            self.input.on_first_key = self._barge_in
        if early:
            self._timers_started()
        self.output.begin()
        if "prompt-output-heard-across-joins" in self.core.faults:
            for peer in self._joined_calls():  # its own copy of the output's audio, played to the end
                self.components.audio_for(peer).play(Clip(self.output.player.samples, then=lambda: None))

    def _listen(self) -> None:
        if not self.listening:
            self.listening = True
            self.input.begin()
            if "prompt-hears-joined-calls" in self.core.faults:
                self._overheard = [peer.jid for peer in self._joined_calls()]
                for jid in self._overheard:
                    self.components.keys.setdefault(jid, []).append(self.input.key)

    def _joined_calls(self) -> list[Call]:
        """The live calls the prompt's call is joined to (a mixer is not a call, nor has joins of its own)."""
        own = self.core.calls.get(JID.parse(self.owner_jid).local)
        if own is None or own.jid != self.owner_jid:
            return []
        peers = (self.core.calls.get(JID.parse(jid).local) for jid in own.joins)
        return [peer for peer in peers if peer is not None and peer.jid in own.joins and not peer.ended]

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

    def part_event(self, part: Component, payload: etree._Element) -> None:
        """A part's intermediate event (a CPA <signal/>) is the prompt's own, from the prompt's JID."""
        if self.done or "prompt-part-events-dropped" in self.core.faults:
            return
        if "prompt-part-events-from-part" in self.core.faults:
            self.core.send_presence(part.jid, self.creator, [payload])
            return
        self.event(payload)

    def release(self) -> None:
        """The prompt has ended: so do both parts, silently (their completes come back here and are dropped)."""
        if not (self.stopped and "prompt-stop-leaves-output-playing" in self.core.faults):
            self.output.complete(core_reason("stop"))
        self.input.complete(core_reason("stop"))
        for jid in self._overheard:
            listeners = self.components.keys.get(jid, [])
            if self.input.key in listeners:
                listeners.remove(self.input.key)

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
