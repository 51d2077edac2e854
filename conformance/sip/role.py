"""One SIPp process playing one role of a test case (all its callers, or all
its callees), driven as its 3PCC twin.

Every report from SIPp first makes the driver read what SIPp added to its
message trace, so the SIP messages that led to the report are handed on
before the report itself is acted on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..transcript import Transcript
from . import twin
from .calls import Pending, SipCall
from .errors import PortBusy, SipCommandTimeout, SipError, SippDied
from .events import SipEvent, parse_message, user_of
from .media import CallMedia
from .process import SippFiles, SippPorts, SippProcess, command_line
from .scenario import CALLEE_STATES, CALLER_STATES, callee_scenario, caller_scenario
from .trace import TraceEntry, TraceReader

# How a call still up when the case ends is closed: explicitly, since
# SIPp's own abort sends nothing in these modes (notes/sipp.md 3.3).
CLOSE = {"early": "cancel", "offered": "reject", "confirmed": "bye"}
CLOSE_CODE = 480


@dataclass(frozen=True)
class Settings:
    transcript: Transcript
    on_event: Callable[[SipEvent], None]
    command_timeout: float  # a command's report
    start_timeout: float  # SIPp up and connected to its twin
    stop_grace: float  # each step of stopping a process
    process_timeout: float  # SIPp's own -timeout: it quits by itself after this
    wall_offset: float  # time.time() - time.monotonic(), to place SIPp's timestamps
    sipp: str


class SippRole:
    def __init__(self, kind: str, workdir: Path, parties: list[str], settings: Settings):
        self.kind, self.workdir, self.parties, self.settings = kind, workdir, parties, settings
        self.generated = caller_scenario() if kind == "caller" else callee_scenario()
        self.states = CALLER_STATES if kind == "caller" else CALLEE_STATES
        self.calls: dict[str, SipCall] = {}
        self.runs: list[SippFiles] = []  # every attempt's files: the evidence
        self.ports: SippPorts | None = None
        self.peer = ""  # the server's SIP address, as the transcript names it
        self.died: SipError | None = None
        self._process: SippProcess | None = None
        self._twin: twin.TwinChannel | None = None
        self._trace: TraceReader | None = None
        self._offer_waiters: dict[str, list[asyncio.Future[SipCall]]] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def name(self) -> str:
        return f"sipp-{self.kind}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    # --- starting -------------------------------------------------------------------------

    async def start(self, attempt: int, ports: SippPorts, remote: tuple[str, int]) -> None:
        """Start SIPp and connect its twin. PortBusy means: try again with other ports."""
        files = SippFiles.for_run(self.workdir, self.kind, attempt)
        for stale in files.existing():  # an earlier run in this directory: not this run's evidence
            stale.unlink()
        files.scenario.write_text(self.generated.xml)
        self.runs.append(files)
        self._trace = TraceReader(files.messages)
        self.peer = f"{remote[0]}:{remote[1]}"
        self.died = None
        loop = asyncio.get_running_loop()
        accepted: asyncio.Future = loop.create_future()
        listener = None
        if self.kind == "callee":  # "A passive": the harness listens, SIPp connects
            listener = await asyncio.start_server(lambda r, w: _first(accepted, r, w), ports.host, 0)
            ports = replace(ports, twin=listener.sockets[0].getsockname()[1])
        self.ports = ports
        self._process = SippProcess(self.kind, command_line(self.settings.sipp, files, ports, remote, self.settings.process_timeout), files)
        await self._process.start()
        deadline = loop.time() + self.settings.start_timeout
        try:
            if listener is None:  # controller B: SIPp listens, the harness connects
                reader, writer = await twin.connect((ports.host, ports.twin), self._process.exited_within, deadline)
            else:
                reader, writer = await self._accepted(accepted, deadline)
        except SipError as err:
            raise await self._start_failure(err) from None
        finally:
            if listener is not None:
                listener.close()
        process = self._process
        self._twin = twin.TwinChannel(reader, writer, self._on_message, lambda: self._on_twin_closed(process))
        process.exited.add_done_callback(lambda _: self._on_exit(process))

    async def _accepted(self, accepted: asyncio.Future, deadline: float):
        assert self._process is not None and self._process.exited is not None
        timeout = max(0.0, deadline - asyncio.get_running_loop().time())
        await asyncio.wait({accepted, self._process.exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if accepted.done():
            return accepted.result()
        if self._process.exited.done():
            raise SipError("SIPp exited before connecting to the harness's 3PCC port")
        raise SipError(f"SIPp did not connect to the harness's 3PCC port within {timeout:.1f} s")

    async def _start_failure(self, err: SipError) -> SipError:
        process = self._process
        assert process is not None and process.exited is not None
        by_itself = process.exited.done()
        await process.stop(self.settings.stop_grace)
        if not by_itself:
            return SipError(f"SIPp {self.kind} (pid {process.pid}) did not come up: {err}")
        said = process.last_words().lower()
        if process.returncode == 254 or "already in use" in said or "bind" in said:
            return PortBusy(process.describe_exit())
        return SippDied(process.describe_exit())

    # --- what SIPp says ---------------------------------------------------------------------

    def _on_message(self, fields: dict[str, str]) -> None:
        self._read_trace()
        call_id = fields.get("call-id", "")
        call = self.calls.get(call_id)
        if "internal-cmd" in fields:
            self._aborted(call_id, call)
        elif call is None:
            self.settings.transcript.note(self.name, f"a report for a call the harness does not know: {fields}")
        else:
            call.settle(report=True)
            call.report(fields.get("event", ""), fields.get("state", ""), fields.get("done", ""), fields.get("result", ""))
            if fields.get("event") == "offer":
                self._on_offer(call)

    def catch_up(self) -> None:
        if self._trace is not None:
            self._read_trace()

    def _read_trace(self, final: bool = False) -> None:
        assert self._trace is not None
        for entry in self._trace.read_new(final):
            if entry.kind == "sip":
                self._emit(entry)
            elif entry.kind == "control":
                self._control(entry)
            else:
                self.settings.transcript.note(self.name, entry.text)

    def _control(self, entry: TraceEntry) -> None:
        """A report SIPp sent means the call waits at its <recvCmd> again,
        unless SIP for it comes later in the trace; a command means it is busy."""
        fields = twin.decode(entry.text.encode())
        call = self.calls.get(fields.get("call-id", ""))
        if call is None:
            return
        call.settle(logged="report" if entry.direction == "sent" else "command")

    def _emit(self, entry: TraceEntry) -> None:
        message = parse_message(entry.text)
        call = self.calls.get(message.call_id)
        if call is None and self.kind == "callee" and entry.direction == "received" and message.message == "INVITE":
            party = user_of(message.request_uri) or message.request_uri
            call = self.calls[message.call_id] = SipCall(message.call_id, party, known=party in self.parties)
        party = call.party if call else self.name
        if call:
            call.observe(message, entry.direction)
            call.settle(logged="sip")
            if entry.direction == "received" and "m=audio" in message.body and not call.ended:
                self.media(call).use_sdp(message.body)  # where the server wants the call's audio
        t = entry.wall - self.settings.wall_offset
        self.settings.transcript.add("sip", entry.direction, party, self.peer, message.label, entry.text, t=t)
        event = SipEvent(
            t=time.monotonic(), party=party, call_id=message.call_id, direction=entry.direction,
            message=message.message, cseq_method=message.cseq_method, request_uri=message.request_uri,
            headers=message.headers, body=message.body, raw=entry.text, logged=t,
        )  # fmt: skip
        try:
            self.settings.on_event(event)
        except Exception as err:  # the consumer's fault must not stop this SIPp's reports
            self.settings.transcript.note("harness", f"handling a SIP event of {party} failed: {err!r}")

    def _aborted(self, call_id: str, call: SipCall | None) -> None:
        why = f"SIPp {self.kind} aborted call {call_id}: a message its scenario does not expect (see the trace)"
        self.settings.transcript.note(self.name, why)
        if call is not None:
            call.fail(SipError(f"{call.party}: {why}"))

    def _on_offer(self, call: SipCall) -> None:
        if not call.known:
            note = f"an INVITE for {call.party!r}, which is not a callee of this case ({', '.join(self.parties)}): rejected with 404"
            self.settings.transcript.note(self.name, note)
            self._background(self._reject_unknown(call))
            return
        for waiter in self._offer_waiters.pop(call.party, []):
            if not waiter.done():
                waiter.set_result(call)

    async def _reject_unknown(self, call: SipCall) -> None:
        try:
            await self.command(call, "reject", reject_code=404)
        except SipError as err:
            self.settings.transcript.note(self.name, str(err))

    def _background(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_exit(self, process: SippProcess) -> None:
        if process.stopping:
            return
        self._read_trace(final=True)
        self.died = SippDied(process.describe_exit())
        self.settings.transcript.note(self.name, str(self.died))
        self._fail_all(self.died)

    def _on_twin_closed(self, process: SippProcess) -> None:
        if not process.stopping:
            self._background(self._twin_lost(process))

    async def _twin_lost(self, process: SippProcess) -> None:
        """SIPp closes its 3PCC side only when it ends; give the exit a moment to show."""
        if not await process.exited_within(self.settings.stop_grace) and not process.stopping:
            self.died = SippDied(f"the 3PCC connection to SIPp {self.kind} (pid {process.pid}) closed while it still runs")
            self._fail_all(self.died)

    def _fail_all(self, error: SipError) -> None:
        for call in self.calls.values():
            if not call.ended:
                call.fail(error)
        for waiters in self._offer_waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
        self._offer_waiters.clear()

    # --- commands ---------------------------------------------------------------------------

    def media(self, call: SipCall) -> CallMedia:
        """The call's RTP end, opened the first time it is needed (its port goes in the party's SDP)."""
        if call.media is None:
            assert self.ports is not None
            call.media = CallMedia.open(self.ports.host)
        return call.media

    def add_call(self, call: SipCall) -> None:
        self.calls[call.call_id] = call

    def current(self, party: str) -> SipCall | None:
        """The party's latest call that SIPp has reported and that is not over."""
        for call in reversed(list(self.calls.values())):
            if call.party == party and call.state not in ("new", "ended"):
                return call
        return None

    def call(self, party: str, call_id: str | None) -> SipCall:
        if self.died:
            raise self.died
        if call_id is None:
            call = self.current(party)
            if call is None:
                raise SipError(f"{party} has no call in progress")
            return call
        call = self.calls.get(call_id)
        if call is None or call.party != party:
            raise SipError(f"{party} has no call {call_id}")
        return call

    async def wait_offer(self, party: str, timeout: float, call_id: str | None = None) -> SipCall:
        """The callee party's call (this one, or its latest), waiting up to `timeout` for its offer."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            call = self._offered(party, call_id)
            if call is not None:
                return call
            if self.died:
                raise self.died
            waiter = asyncio.get_running_loop().create_future()
            self._offer_waiters.setdefault(party, []).append(waiter)
            try:
                await asyncio.wait_for(waiter, max(0.0, deadline - asyncio.get_running_loop().time()))
            except asyncio.TimeoutError:
                which = f"the INVITE of call {call_id}" if call_id else "no INVITE"
                raise SipError(f"{party} has no call: {which} reached it within {timeout:.1f} s") from None

    def _offered(self, party: str, call_id: str | None) -> SipCall | None:
        if call_id is None:
            return self.current(party)
        call = self.calls.get(call_id)
        return call if call is not None and call.party == party and call.state != "new" else None

    async def command(self, call: SipCall, action: str, *, digit: str = "", reject_code: int = 0,
                      sdp_version: int | None = None, extra: tuple[tuple[str, str], ...] = (),
                      headers: tuple[tuple[str, str], ...] = ()) -> str:
        """Send one command for the call and wait for the report that finishes it."""
        if self.died:
            raise self.died
        if call.pending is not None:
            raise SipError(f"{call.party}: {call.pending.action!r} has not finished; SIPp takes one command at a time per call")
        if self._twin is None:
            raise SipError(f"SIPp {self.kind} is not running")
        await self._settle(call, action)
        if self.died:
            raise self.died
        if action != "dial" and action not in self.states.get(call.state, ()):
            raise SipError(f"{call.party} cannot {action} now: call {call.call_id} is {call.state}")
        media = self.media(call)
        call.commands += 1
        resume = self.generated.reject_at[reject_code] if action == "reject" else self.generated.resume.get(action, 0)
        fields = [
            ("Seq", str(call.commands)),
            ("Action", action),
            ("Resume-At", str(resume)),
            ("Digit", digit or "-"),
            ("RTP-Port", str(media.port)),
            ("SDP-Version", str(sdp_version or call.sdp_version)),
        ]
        data = twin.encode(call.call_id, fields + list(extra), headers)
        future = asyncio.get_running_loop().create_future()
        call.pending = Pending(call.commands, action, future)
        try:
            self._twin.send(data)
            return await asyncio.wait_for(future, self.settings.command_timeout)
        except asyncio.TimeoutError:
            error = SipCommandTimeout(self._silence(call, action))
            if self._trace is not None and self._trace.dropped_command(call.call_id):
                call.fail(error)  # SIPp deletes a call when it drops a command for it
            raise error from None
        finally:
            call.pending = None

    async def _settle(self, call: SipCall, action: str) -> None:
        """Wait until SIPp has reported everything it logged for the call."""
        self._read_trace()
        try:
            await asyncio.wait_for(call.settled.wait(), self.settings.command_timeout)
        except asyncio.TimeoutError:
            raise SipCommandTimeout(
                f"{call.party}: call {call.call_id} was still busy with SIP messages after "
                f"{self.settings.command_timeout:.1f} s; {action!r} was not sent"
            ) from None

    def _silence(self, call: SipCall, action: str) -> str:
        assert self._trace is not None and self._process is not None
        said = f"{call.party}: no report from SIPp {self.kind} (pid {self._process.pid}) within {self.settings.command_timeout:.1f} s after {action!r} for call {call.call_id}"
        if self._trace.dropped_command(call.call_id):
            return said + "; SIPp dropped the command and the call because the call was not waiting for one (a misplaced command; it logged 'Unexpected control message')"
        return said + "; the server may not have answered, or SIPp dropped the command unseen (one that reaches a call outside its <recvCmd> gets no answer)"

    # --- stopping ---------------------------------------------------------------------------

    async def end_calls(self) -> None:
        """Close every call still up, as a party would: CANCEL, reject or BYE."""
        if self.died or self._twin is None:
            return
        live = [call for call in self.calls.values() if not call.ended and call.known]
        results = await asyncio.gather(*(self._end(call) for call in live), return_exceptions=True)
        for call, result in zip(live, results):
            if isinstance(result, Exception):
                self.settings.transcript.note(self.name, f"closing {call.party}'s call {call.call_id}: {result}")

    async def _end(self, call: SipCall) -> None:
        if call.pending is not None:  # let the command under way finish first
            await asyncio.wait({call.pending.future}, timeout=self.settings.command_timeout)
        await self._settle(call, "close")  # the call may be ending by itself
        action = CLOSE.get(call.state)
        if action:
            await self.command(call, action, reject_code=CLOSE_CODE)

    async def shutdown(self) -> None:
        """Close the twin, stop SIPp by its PID, and take the last of its trace."""
        if self._process is None:
            return
        self._process.stopping = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.settings.command_timeout)
        if self._twin is not None:
            await self._twin.close()  # controller B exits on this; "A passive" once its calls are over
        code = await self._process.stop(self.settings.stop_grace)
        if self._trace is not None:
            self._read_trace(final=True)
        if code != 0:
            self.settings.transcript.note(self.name, self._process.describe_exit())
        self._fail_all(SipError("the case is over"))
        self._process = self._twin = None


def _first(accepted: asyncio.Future, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """SIPp connects once; anything after that is not our SIPp."""
    if accepted.done():
        writer.close()
    else:
        accepted.set_result((reader, writer))
