"""The seed dialect's media controls of a call: hold, unhold, mute, unmute, and <dtmf/> events.

Hold and unhold renegotiate the SIP session (a re-INVITE offering
a=sendonly, then a=sendrecv): the far end stops, then resumes, hearing the
call. Mute marks the call so that what its far end sends is no longer heard:
the keys it presses are not reported, and components read `call.muted`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ...media.dtmf import digit_to_event
from ..sip.call import CallStateError
from . import stanzas as st
from .calls import Call
from .errors import CommandError

if TYPE_CHECKING:
    from .rayo import RayoCore

COMMANDS = ("hold", "unhold", "mute", "unmute")  # the call commands CallMedia handles, by method name


class CallMedia:
    def __init__(self, core: RayoCore):
        self.core = core

    def hold(self, call: Call, payload: etree._Element) -> None:
        self._renegotiate(call, "hold", "hold-not-signalled")

    def unhold(self, call: Call, payload: etree._Element) -> None:
        self._renegotiate(call, "unhold", "unhold-not-signalled")

    def mute(self, call: Call, payload: etree._Element) -> None:
        self._require_answered(call, "mute")
        call.muted = "mute-ignored" not in self.core.faults

    def unmute(self, call: Call, payload: etree._Element) -> None:
        self._require_answered(call, "unmute")
        if "unmute-ignored" not in self.core.faults:
            call.muted = False

    def dtmf(self, call: Call, digit: str) -> None:
        """A key the far end pressed (SIP INFO or RFC 4733), reported unless the call is muted."""
        if not self.core.dialect.reports_dtmf or call.muted or "no-dtmf-event" in self.core.faults:
            return
        if "dtmf-signal-as-event-code" in self.core.faults:
            digit = str(digit_to_event(digit))  # the RFC 4733 event number: a key left untranslated
        self.core.broadcast(call, st.rayo("dtmf", {"signal": digit}))

    def _renegotiate(self, call: Call, command: str, fault: str) -> None:
        self._require_answered(call, command)
        if fault in self.core.faults:
            return
        try:
            getattr(call.sip, command)()  # the re-INVITE's outcome is not reported: the page has no event for it
        except CallStateError as err:
            raise CommandError("unexpected-request", "wait", f"cannot {command} now: {err}") from None

    @staticmethod
    def _require_answered(call: Call, command: str) -> None:
        if not call.answered:
            raise CommandError("unexpected-request", "wait", f"{command} needs an answered call")

