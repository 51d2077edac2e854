"""The harness's view of one SIPp call: its state as SIPp last reported it, and
the one command that may be waiting for SIPp's answer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .errors import SipError
from .events import SipMessage
from .media import CallMedia

# Commands whose success is the end of the call, however it comes about (a
# BYE from the server crossing ours still ends the call, as asked).
ENDING = frozenset({"bye", "cancel", "reject"})


@dataclass
class Pending:
    seq: int  # the command's number in its call: SIPp reports "Done: <seq>" when it finishes
    action: str
    future: asyncio.Future[str]  # the Event of the report that finished it


@dataclass
class SipCall:
    call_id: str
    party: str
    known: bool = True  # False: an INVITE for a party the case did not declare
    state: str = "new"  # the State: of SIPp's last report ("early", "confirmed", "ended", ...)
    end: str = ""  # the report that ended the call
    media: CallMedia | None = None  # the harness's RTP end of the call, opened with it
    sdp_version: int = 1  # raised for every new offer (hold, unhold)
    pending: Pending | None = None
    # Set while the call waits at a <recvCmd>: SIPp drops (and deletes the
    # call for) a command that comes while it is in a handler. See settle().
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    reports: int = 0  # reports that came on the 3PCC socket
    logged_reports: int = 0  # reports seen in the trace
    logged_quiet: bool = True  # the call's last entry in the trace is a report
    commands: int = 0  # commands sent so far: the next one is numbered commands + 1
    finals: dict[str, int] = field(default_factory=dict)  # CSeq method -> last final status received

    def __post_init__(self) -> None:
        self.settled.set()

    def settle(self, *, report: bool = False, logged: str = "") -> None:
        """Count a report from the socket, or an entry of the trace ("report",
        "command" or "sip"), and decide whether the call waits for a command.

        It does when its last entry in the trace is a report; or when more
        reports came on the socket than the trace shows yet: SIPp writes a
        report before it logs it, and does nothing in between, so every entry
        already in the trace came before that report.

        Never while the trace shows more reports than the socket brought: the
        trace is read whenever any call of the role reports, so it can run
        ahead of this call's socket data, and the state a command is checked
        against comes from the socket. (Seen with 20 calls at a time: a DTMF
        refused as "call is early" just after the 200 and its ACK were logged.)
        """
        self.reports += report
        if logged:
            self.logged_reports += logged == "report"
            self.logged_quiet = logged == "report"
        if self.reports > self.logged_reports or (self.reports == self.logged_reports and self.logged_quiet):
            self.settled.set()
        else:
            self.settled.clear()

    @property
    def ended(self) -> bool:
        return self.state == "ended"

    def observe(self, message: SipMessage, direction: str) -> None:
        if direction == "received" and message.is_response and int(message.message) >= 200:
            self.finals[message.cseq_method] = int(message.message)

    def report(self, event: str, state: str, done: str, result: str) -> None:
        """Apply a report from SIPp; finish the pending command if this report answers it."""
        self.state = state
        if state == "ended":
            self.end = event
            self.close_media()
        pending = self.pending
        if pending is None or pending.future.done():
            return
        if done == str(pending.seq) and result == "refused":
            pending.future.set_exception(SipError(f"{self.party}: SIPp refused {pending.action!r} in state {state}"))
        elif done == str(pending.seq):
            pending.future.set_result(event)
        elif state == "ended" and pending.action in ENDING:
            pending.future.set_result(event)
        elif state == "ended":
            pending.future.set_exception(SipError(f"{self.party}: the call ended ({event}) before {pending.action!r} finished"))
        elif pending.action == "cancel" and state == "confirmed":
            pending.future.set_exception(SipError(f"{self.party}: the call was answered before the CANCEL took effect; it is confirmed"))

    def fail(self, error: SipError) -> None:
        """The call is over without SIPp saying so (SIPp aborted it, or died)."""
        self.state, self.end = "ended", str(error)
        self.settled.set()
        self.close_media()
        if self.pending is not None and not self.pending.future.done():
            self.pending.future.set_exception(error)

    def close_media(self) -> None:
        if self.media is not None:
            self.media.close()
