"""Call progress analysis (XEP-0341): an input with mode="cpa", detecting signals in what the caller sends.

Each grammar names a signal, `urn:xmpp:rayo:cpa:<signal>:1`, with parameters as
a query (`?terminate=true`, `;` or `&` between them). This server detects
dtmf (keys as RFC 4733 events or SIP INFO, as the input hears them: the
value is the key), and beep, busy, congestion and ring in the caller's audio
(conformance/media/progress.py: the duration is the tone burst's, in ms; a
beep's value is its frequency in Hz). Each detection of a requested signal is
a <signal/> event while the input goes on; with terminate=true the first one
completes the input, the <signal/> as the reason. Signals not requested are
ignored (XEP-0341 §3.2). Only stop (and the call's end) ends an input without
terminate. A CPA input may also be a prompt's input (prompt.py): its events then
go out as the prompt's.

Refused before the ref (XEP-0341 §3: "MUST raise an error according to the
rules in the core specification"):
- a grammar without url, a url that is not a signal URN of XEP-0341, the same
  signal twice, no grammar, terminate other than true/false: bad-request
  (mod_rayo: "Missing grammar URL", "Duplicate URL", "No grammar defined");
- a signal of XEP-0341 this server cannot detect (vad, speech, fax-ced,
  fax-cng, sit, modem, offhook) or a parameter other than terminate:
  feature-not-implemented, as for the other features this server lacks.
  mod_rayo answers internal-server-error "detector not supported" for a signal
  it has no detector for; the cases accept any error there.
The input's other attributes (terminator, timers) do not apply to CPA and are
ignored, as mod_rayo does.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from lxml import etree

from ....media.progress import QUIET, Detection, ProgressDetector
from ....media.tape import Frame
from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError
from .base import Component

if TYPE_CHECKING:
    from . import Components
    from .audio import CallAudio

SIGNALS = ("beep", "dtmf", "vad", "speech", "fax-ced", "fax-cng", "ring", "busy", "congestion", "sit", "modem", "offhook")
DETECTED = ("dtmf", "beep", "busy", "congestion", "ring")
_URN = re.compile(r"urn:xmpp:rayo:cpa:([a-z-]+):1")
FLUSH = 2.5 * QUIET  # no packet for this long: the caller stopped sending, a burst going on has ended


def signal_urn(signal: str) -> str:
    return f"urn:xmpp:rayo:cpa:{signal}:1"


class Cpa(Component):
    kind = "cpa"
    namespace = ns.INPUT

    def __init__(self, components: Components, owner_jid: str, creator: str, audio: CallAudio, payload: etree._Element):
        super().__init__(components, owner_jid, creator)
        self.owner_jid = owner_jid
        self.audio = audio
        self.signals = requested(payload, "cpa-unknown-parameter-ignored" in self.core.faults)  # signal -> terminate
        self.detector = ProgressDetector()
        self._flush: asyncio.TimerHandle | None = None

    # As a prompt's input (prompt.py): CPA has no timers, but the prompt still says when its output is over.
    timers_running = False

    def start_timers(self) -> None:
        self.timers_running = True

    def begin(self) -> None:
        self.audio.listeners.append(self.hear)
        self.components.keys.setdefault(self.owner_jid, []).append(self.key)

    def release(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        if self.hear in self.audio.listeners:
            self.audio.listeners.remove(self.hear)
        listeners = self.components.keys.get(self.owner_jid, [])
        if self.key in listeners:
            listeners.remove(self.key)

    # what the caller sends

    def hear(self, frame: Frame) -> None:
        for found in self.detector.hear(frame.media_time, frame.samples):  # RTP time: true however late it is read
            self.detected(found)
        if self._flush is not None:
            self._flush.cancel()
        self._flush = asyncio.get_running_loop().call_later(FLUSH, self._silence)

    def _silence(self) -> None:
        self._flush = None
        for found in self.detector.flush():
            self.detected(found)

    def key(self, digit: str) -> None:
        self.detected(Detection("dtmf", None, digit.upper()))

    def detected(self, found: Detection) -> None:
        signal = found.signal
        if self.done or (signal not in self.signals and "cpa-unrequested-signals" not in self.core.faults):
            return
        attributes = {"type": signal_urn(self._misnamed(signal))}
        if "cpa-signals-bare" in self.core.variations:
            found = Detection(found.signal, None, None)  # XEP-0341: duration and value are OPTIONAL
        if found.duration_ms is not None:
            seconds = "cpa-duration-in-seconds" in self.core.faults
            attributes["duration"] = str(round(found.duration_ms / 1000, 1) if seconds else found.duration_ms)
        if found.value is not None:
            attributes["value"] = found.value
        element = st.element(ns.CPA, "signal", attributes)
        if self.signals.get(signal) and "cpa-terminate-ignored" not in self.core.faults:
            if "cpa-complete-without-signal" in self.core.faults:
                element = st.element(ns.EXT_COMPLETE, "stop")
            self.complete(element)
        elif "cpa-no-signal-events" not in self.core.faults:
            self.event(element)


    def _misnamed(self, signal: str) -> str:
        """The signal's name as reported: itself, but for the faults that confuse two."""
        if signal == "busy" and "cpa-busy-as-congestion" in self.core.faults:
            return "congestion"
        if signal == "dtmf" and "cpa-dtmf-as-beep" in self.core.faults:
            return "beep"
        return signal


def requested(payload: etree._Element, lenient: bool = False) -> dict[str, bool]:
    """The signals the grammars ask for, each with its terminate (`lenient`: a fault, unknown parameters ignored)."""
    grammars = payload.findall(ns.qname(ns.INPUT, "grammar"))
    if not grammars:
        raise CommandError("bad-request", "modify", "No grammar defined")
    signals: dict[str, bool] = {}
    for grammar in grammars:
        url = grammar.get("url")
        if not url:
            raise CommandError("bad-request", "modify", "Missing grammar URL: a CPA grammar is a signal URN")
        urn, _, query = url.partition("?")
        known = _URN.fullmatch(urn)
        if known is None or known.group(1) not in SIGNALS:
            raise CommandError("bad-request", "modify", f"{urn} is not a signal of XEP-0341")
        signal = known.group(1)
        if signal in signals:
            raise CommandError("bad-request", "modify", f"Duplicate URL: {urn} twice")
        if signal not in DETECTED:
            raise CommandError("feature-not-implemented", "modify", f"this server does not detect {signal}")
        signals[signal] = terminate(query, lenient)
    return signals


def terminate(query: str, lenient: bool = False) -> bool:
    """The terminate parameter of a grammar's query; any other parameter is not supported."""
    value = "false"
    for part in filter(None, re.split(r"[;&]", query)):
        name, _, given = part.partition("=")
        if name != "terminate" and lenient:
            continue
        if name != "terminate":
            raise CommandError("feature-not-implemented", "modify", f"this server takes no CPA parameter {name!r}, only terminate")
        if given not in ("true", "false"):
            raise CommandError("bad-request", "modify", f"terminate is true or false, not {given!r}")
        value = given
    return value == "true"
