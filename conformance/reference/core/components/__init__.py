"""Components (XEP-0327 §6.5): media work a client starts on a call or a mixer.

The core hands every command in a component namespace to `Components.start`
(`start_on_mixer` for a mixer), every command to a component JID (call or
mixer JID + /id) to `Components.command`, keys the far end presses to
`Components.dtmf`, and asks `Components.complete_all` to finish a call's
components when it ends, or a mixer's when it is destroyed (each with
<complete><hangup/></complete>, §6.6.3: the XEP names no other reason for
a mixer that goes).

Each dialect has its own components (dialects.py): XEP-0327's output, input,
record, ...; the seed's say. Another dialect's is not implemented.

A component on a call that is not answered yet runs on early media: an
inbound call gets a 183 with SDP first (R-6.5-e); an outbound call, whose
media the far end has not given yet, refuses it with unexpected-request
(R-6.5-f).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from lxml import etree

from ....fileserver import FileServer
from ....protocol import namespaces as ns
from ....protocol.jid import JID
from ..calls import State
from ..errors import CommandError
from .audio import CallAudio
from .base import Component, core_reason
from .cpa import Cpa
from .input import Input
from .output import Output
from .prompt import Prompt
from .record import Record
from .say import Say

if TYPE_CHECKING:
    from ..calls import Call, Mixer
    from ..rayo import RayoCore

def _input(components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element) -> Component:
    """An input collects keys; with mode="cpa" it detects call-progress signals (XEP-0341)."""
    make = Cpa if payload.get("mode") == "cpa" else Input
    return make(components, owner_jid, creator, audio, payload)


KINDS: dict[str, Callable[..., Component]] = {
    ns.qname(ns.OUTPUT, "output"): Output,
    ns.qname(ns.INPUT, "input"): _input,
    ns.qname(ns.PROMPT, "prompt"): Prompt,
    ns.qname(ns.RECORD, "record"): Record,
    ns.qname(ns.TROPO_SAY, "say"): Say,
}
# What a mixer hosts: its audio plays to the members and hears their keys; recording the members mixed,
# and CPA (which XEP-0341 defines on a call), it does not do.
ON_MIXERS = (Output, _input, Prompt)


class Components:
    def __init__(self, core: RayoCore):
        self.core = core
        self.active: dict[str, Component] = {}  # component JID -> component
        self.audio: dict[str, CallAudio] = {}  # call JID -> its audio, while components use it
        self.keys: dict[str, list[Callable[[str], None]]] = {}  # call JID -> who hears its keys
        self._recordings: tempfile.TemporaryDirectory | None = None
        self._published: FileServer | None = None

    @property
    def recordings(self) -> FileServer:
        """Where recordings are written, and served over HTTP on the server's address (as a server on
        another host serves them): a directory of this server's, removed when it exits."""
        if self._published is None:
            self._recordings = tempfile.TemporaryDirectory(prefix="rayo-recordings-")
            self._published = FileServer(Path(self._recordings.name), self.core.sip.host)
        return self._published

    def close(self) -> None:
        if self._published is not None:
            self._published.close()
            self._published = None

    def start(self, owner: Call, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        """A command creating a component on a call: checked whole, then acknowledged with its ref."""
        make = self._kind(payload)
        self._media_ready(owner)
        return self._create(make, owner.jid, self.audio_for(owner), request, payload)

    def start_on_mixer(self, mixer: Mixer, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        """R-6.4-k: a component on a mixer plays to every member and hears the keys of all (§6.5.3.1, §6.5.4.1)."""
        make = self._kind(payload)
        if make not in ON_MIXERS or payload.get("mode") == "cpa":
            raise CommandError("feature-not-implemented", "cancel", "a mixer hosts output, input and prompt only")
        owner = mixer.jid
        if "mixer-component-under-call" in self.core.faults:
            owner = next(iter(mixer.members))  # the first member's JID, as if the command had gone to that call
        if mixer.jid not in self.audio:
            self.audio[mixer.jid] = CallAudio(None)
            self.core.paths.rewire()  # its paths to the members open now
        return self._create(make, owner, self.audio[mixer.jid], request, payload)

    def _kind(self, payload: etree._Element) -> Callable[..., Component]:
        make = KINDS.get(payload.tag)
        if not self.core.dialect.has_component(payload) and "say-in-xep0327" not in self.core.faults:
            make = None  # another dialect's component: XEP-0327 has no say, the seed page no output
        if make is None:
            raise CommandError("feature-not-implemented", "cancel", f"{etree.QName(payload).localname} is not implemented")
        return make

    def _create(self, make: Callable[..., Component], owner_jid: str, audio: CallAudio, request: etree._Element,
                payload: etree._Element) -> list[etree._Element]:
        try:
            component = make(self, owner_jid, request.get("from"), audio, payload)
        except CommandError:
            if "component-validated-after-ref" not in self.core.faults:
                raise
            component = Failing(self, owner_jid, request.get("from"))
        if "one-component-per-call" in self.core.faults:
            self.complete_all(owner_jid, "stop", release_media=False)
        self.active[component.jid] = component
        if "component-announces-itself" in self.core.faults:
            self.core.after(lambda: self.core.send_presence(component.jid, component.creator, []))
        self.core.after(component.begin)
        return [component.ref()]

    def _media_ready(self, call: Call) -> None:
        """Early media for an unanswered inbound call; an unanswered outbound call has none."""
        if call.state in (State.OFFERED, State.ACCEPTED) and "component-answers-call" in self.core.faults:
            call.sip.answer()
            call.state = State.ANSWERED
        elif call.state in (State.OFFERED, State.ACCEPTED) and call.jid not in self.audio:
            call.sip.provisional(183, with_sdp=True)
        elif call.state in (State.DIALING, State.RINGING) and "component-without-media-accepted" not in self.core.faults:
            raise CommandError("unexpected-request", "wait", "the call is not answered and has no early media")

    def audio_for(self, call: Call) -> CallAudio:
        if call.jid not in self.audio:
            self.audio[call.jid] = CallAudio(call.sip.rtp)
        return self.audio[call.jid]

    def command(self, request: etree._Element, payload: etree._Element, to: JID) -> list[etree._Element]:
        """A command to a component JID: only its creator may send one (R-6.5.2-e)."""
        component = self.active.get(str(to))
        if component is None and "finished-component-service-unavailable" in self.core.faults:
            raise CommandError("service-unavailable", "cancel")
        if component is None:
            raise CommandError("item-not-found", "cancel", "no such component, or it has completed")
        if request.get("from") != component.creator and "component-commands-from-anyone" not in self.core.faults:
            raise CommandError("conflict", "cancel", "only the client that created the component commands it")
        return component.command(payload)

    def forget(self, component: Component) -> None:
        self.active.pop(component.jid, None)

    def dtmf(self, call: Call, digit: str, source: str) -> None:
        """A key the far end pressed (`source`: "info" or "rfc4733"), for the components listening on the
        call and on the mixers it is in."""
        if source == "rfc4733" and "rfc4733-keys-ignored" in self.core.faults:
            return
        hearing = [call.jid] + self._mixers_hearing(call)
        if "input-hears-joined-calls" in self.core.faults:
            hearing += list(call.joins)
        for listener in [listener for jid in dict.fromkeys(hearing) for listener in self.keys.get(jid, ())]:
            listener(digit)

    def _mixers_hearing(self, call: Call) -> list[str]:
        """The mixers the call is a member of: an input on one hears every member (R-6.5.4.1-b)."""
        mixers = [m for m in map(self.core.joining.mixer_for, call.joins) if m is not None and call.jid in m.members]
        if "mixer-input-hears-first-member-only" in self.core.faults:
            mixers = [m for m in mixers if next(iter(m.members)) == call.jid]
        return [m.jid for m in mixers]

    def complete_all(self, owner_jid: str, reason: str, release_media: bool = True) -> None:
        """The call ends (or the mixer goes): its components complete with `reason`, then its media is let go."""
        if reason == "hangup" and "hangup-reported-as-stop" in self.core.faults:
            reason = "stop"
        prefix = owner_jid + "/"
        for component in [c for jid, c in self.active.items() if jid.startswith(prefix)]:
            component.complete(core_reason(reason))
        if not release_media:
            return
        audio = self.audio.pop(owner_jid, None)
        if audio is not None:
            audio.close()
        self.keys.pop(owner_jid, None)


class Failing(Component):
    """A component acknowledged although its command was wrong (a fault): it fails once started."""

    def begin(self) -> None:
        self.complete(core_reason("error"))
