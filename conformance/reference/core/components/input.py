"""The input component (XEP-0327 §6.5.4): keys the far end presses, matched against grammars.

Keys come as RFC 4733 events or SIP INFO. A key sequence that a grammar
accepts and that no grammar can extend completes with match at once; one
that no grammar can accept completes with nomatch at once. Otherwise the
terminator or the timers decide: initial-timeout (no key at all: noinput),
inter-digit-timeout and max-silence (no further key: match or nomatch),
recognition-timeout (counted from the first key). Timers run from the
start, or, in a prompt, once its output has ended.

The reference server has no speech recognizer: mode="voice" (and a
recognizer) get feature-not-implemented; mode="any" collects keys; mode="cpa" is
call progress analysis (cpa.py).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from lxml import etree

from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from . import attributes as attr
from .base import Component, core_reason
from .grammar import KEYS, Grammar, builtin_digits, srgs
from .rendering import fetch

if TYPE_CHECKING:
    from . import Components
    from .audio import CallAudio

NLSML = "application/nlsml+xml"
SRGS = "application/srgs+xml"
NLSML_NS = "http://www.ietf.org/xml/ns/mrcpv2"
TIMERS = ("initial-timeout", "inter-digit-timeout", "max-silence", "recognition-timeout")


class Input(Component):
    kind = "input"
    namespace = ns.INPUT

    def __init__(self, components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element,
                 *, start_timers: bool = True):
        super().__init__(components, owner_jid, creator)
        self.owner_jid = owner_jid
        self.grammars = self.prepare(payload)
        self.timers_running = start_timers
        self.keys = ""
        self.on_first_key: Callable[[], None] | None = None  # a prompt's barge-in
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def prepare(self, payload: etree._Element) -> list[Grammar]:
        mode = attr.choice(payload, "mode", "any", ("any", "dtmf", "voice"))  # cpa: cpa.py
        if (mode == "voice" or payload.get("recognizer") is not None) and "voice-input-accepted" not in self.core.faults:
            raise CommandError("feature-not-implemented", "modify", "this server collects keys only: no speech recognizer")
        terminator = payload.get("terminator")
        if terminator is not None and (len(terminator) != 1 or terminator.upper() not in KEYS):
            raise attr.bad("terminator", terminator, "one DTMF key")
        self.terminator = terminator.upper() if terminator else None
        self.timeouts = {name: attr.integer(payload, name, -1, least=-1) for name in TIMERS}
        attr.fraction(payload, "sensitivity", 0.5)
        self.min_confidence = attr.fraction(payload, "min-confidence", 0.0)  # a key's confidence is 1: always met
        if payload.get("match-content-type", NLSML) != NLSML:
            raise CommandError("feature-not-implemented", "modify", f"results come as {NLSML} only")
        grammars = payload.findall(ns.qname(ns.INPUT, "grammar"))
        if not grammars:
            raise CommandError("bad-request", "modify", "an input needs at least one grammar")
        builtins = "builtin-grammars" not in self.core.without
        # mod_rayo's way with what it cannot collect: acknowledged, then an error
        self.fails = not builtins and "unclaimed-builtin-grammar-errors" in self.core.faults and any(
            (grammar.get("url") or "").startswith("builtin:") for grammar in grammars)
        return [_grammar(grammar, self.core.sip.host, builtins or self.fails) for grammar in grammars]

    def command(self, payload: etree._Element) -> list[etree._Element]:
        if payload.tag != ns.qname(ns.EXT, "stop") and "input-accepts-any-command" in self.core.faults:
            return []  # acknowledged, and nothing happens
        return super().command(payload)

    def begin(self) -> None:
        if self.fails:
            self.complete(core_reason("error"))
            return
        self.components.keys.setdefault(self.owner_jid, []).append(self.key)
        if self.timers_running:
            self._arm_initial()

    def start_timers(self) -> None:
        """A prompt's output has ended (or was interrupted): the timers start now."""
        self.timers_running = True
        if self.keys:
            self._arm_between_keys()
        else:
            self._arm_initial()

    def release(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        listeners = self.components.keys.get(self.owner_jid, [])
        if self.key in listeners:
            listeners.remove(self.key)

    # keys

    def key(self, key: str) -> None:
        if self.done:
            return
        self._cancel("initial-timeout")
        if key.upper() == self.terminator and "terminator-ignored" not in self.core.faults:
            self.decide()
            return
        first = not self.keys
        self.keys += key.upper()
        verdicts = [grammar.judge(self.keys) for grammar in self.grammars]
        if any(v.matches and not v.open for v in verdicts):
            self.decide()
        elif not any(v.matches or v.open for v in verdicts):
            self.decide()
        else:
            if first and "start-of-input-event" in self.core.variations:
                self.event(st.element(ns.INPUT, "start-of-input"))  # as mod_rayo tells of a first key
            if first and self.on_first_key is not None:
                self.on_first_key()
            if self.timers_running:
                self._arm_between_keys(first)

    def decide(self) -> None:
        """match if a grammar accepts the keys so far, else nomatch."""
        matched = next((g for g in self.grammars if self.keys and g.judge(self.keys).matches), None)
        if matched is None:
            nomatch = "noinput" if "nomatch-reported-as-noinput" in self.core.faults else "nomatch"
            self.complete(st.element(ns.INPUT_COMPLETE, nomatch))
            return
        reason = st.element(ns.INPUT_COMPLETE, "match", {"content-type": NLSML})
        keys = "" if "nlsml-keys-dropped" in self.core.faults else self.keys
        reason.text = etree.CDATA(nlsml(keys, matched.source, spaced="nlsml-keys-unspaced" not in self.core.variations))
        self.complete(reason)

    # timers

    def _arm_initial(self) -> None:
        self._arm("initial-timeout", lambda: self.complete(st.element(ns.INPUT_COMPLETE, "noinput")))

    def _arm_between_keys(self, first: bool = True) -> None:
        self._arm("inter-digit-timeout", self.decide)
        self._arm("max-silence", self.decide)
        if first:
            self._arm("recognition-timeout", self.decide)

    def _arm(self, name: str, action: Callable[[], None]) -> None:
        self._cancel(name)
        if name in ("inter-digit-timeout", "max-silence") and "digit-timers-ignored" in self.core.faults:
            return
        if name == "initial-timeout" and "initial-timeout-ignored" in self.core.faults:
            return
        if self.timeouts[name] >= 0:
            self._handles[name] = asyncio.get_running_loop().call_later(self.timeouts[name] / 1000, action)

    def _cancel(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()


def _grammar(element: etree._Element, source: str, builtins: bool) -> Grammar:
    url = element.get("url")
    if url is not None and url.startswith("builtin:") and not builtins:
        # as mod_rayo answers: the XEP requires SRGS only (R-6.5.4-b)
        raise CommandError("bad-request", "modify", "no builtin grammars here: give an SRGS grammar")
    if url is not None and url.startswith("builtin:"):
        return builtin_digits(url)
    if url is not None:
        data, _ = fetch(url, source)
        return srgs(data.decode("utf-8", "replace"))
    kind = element.get("content-type", "")
    if kind != SRGS:
        raise CommandError("feature-not-implemented", "modify", f"grammars are {SRGS} or builtin:dtmf/digits, not {kind or 'untyped'}")
    body = (element.text or "").strip() or "".join(etree.tostring(c, encoding="unicode") for c in element if isinstance(c.tag, str))
    return srgs(body)


def nlsml(keys: str, grammar: str, spaced: bool = True) -> str:
    """An NLSML result (RFC 6787 §6.3.1) for keys the grammar matched: the keys spaced (or not), as typed."""
    result = etree.Element(f"{{{NLSML_NS}}}result", nsmap={None: NLSML_NS})
    result.set("grammar", grammar)
    interpretation = etree.SubElement(result, f"{{{NLSML_NS}}}interpretation", {"grammar": grammar, "confidence": "1.0"})
    heard = etree.SubElement(interpretation, f"{{{NLSML_NS}}}input", {"mode": "dtmf", "confidence": "1.0"})
    heard.text = " ".join(keys) if spaced else keys
    instance = etree.SubElement(interpretation, f"{{{NLSML_NS}}}instance")
    instance.text = keys
    return etree.tostring(result, encoding="unicode")
