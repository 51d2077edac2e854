"""Many inbound calls through the reference server, with every call's events checked.

    .venv/bin/python bench/inbound_calls.py [--calls 200] [--concurrency 20]
        [--xmpp-mode embedded|prosody] [--dialect xep0327|seed]

It starts the reference server (ReferenceProcess), logs one harness client in
as the runner does (directed presence to the service), starts one SIPp caller
through the SipDriver, and runs the calls with at most --concurrency in
progress. Each call:

  1. SIPp dials the server; the client gets the offer. Offers are matched to
     calls as the runner matches them: by the caller's token, which the From
     user (and X-Harness-Call) carries.
  2. The client answers (iq answer -> result); the caller gets 200.
  3. The caller sends one DTMF digit (SIP INFO -> 200). In the seed dialect the
     client must then get <dtmf signal='digit'/> from the call.
  4. Even calls are hung up by the client (iq hangup -> result; the caller gets
     BYE; <end><hangup-command/></end>), odd ones by the caller (BYE -> 200;
     <end><hungup/></end>). The seed page names <hangup/> as the end reason of
     a hung-up call and no other, so in that dialect both sides expect it.

When every call is over, a ping to the service is the barrier: once its result
is back, everything the server sent before it has arrived. Then each call's
whole sequence is checked: on XMPP exactly offer[, dtmf], end (schema-valid,
nothing from the call after its end); on SIP exactly 200 (INVITE), 200 (INFO),
then BYE or 200 (BYE) received by the caller, besides provisionals.

Prints calls completed and failed, wall time, calls per second reached, p50
and p95 of setup (INVITE -> offer, from SIPp's own time of the INVITE) and of
the whole call (INVITE -> end), the UDP datagrams the kernel dropped at either
SIP socket (SIPp does not retransmit: a drop is a lost call), and the memory
(VmRSS from /proc/<pid>/status) of the reference server, its children
(Prosody), the harness and SIPp before and after the calls. The server's
"after" still holds the calls' SIP transactions, which RFC 3261 keeps for up
to 32 s (Timer J) after they complete. Exits 1 if any call failed or any
sequence was wrong, 2 if the setup failed. --fault starts the server with a
deliberate deviation, to see the run fail.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from conformance.protocol import namespaces as ns
from conformance.protocol.jid import JID
from conformance.protocol.stanza import Stanza, build, new_id
from conformance.protocol.validation import validator
from conformance.reference.process import ReferenceError, ReferenceProcess
from conformance.scenario import model
from conformance.scenario.expectations import Context, Offer, stanza_summary, under_jid
from conformance.scenario.observations import Observations
from conformance.sip import SipDriver, SipError, SipEvent
from conformance.target import Target
from conformance.transcript import Transcript
from conformance.xmpp import ConnectError, HarnessClient

DIGITS = "0123456789*#"  # each call sends the next one, so a digit reported on the wrong call shows
CLIENT_KEY = ("xmpp", "client")  # closed when the client's stream ends: every XMPP wait stops at once


@dataclass(frozen=True)
class DialectRules:
    end_reason: dict[str, str]  # who hangs up -> the reason <end> carries
    end_unavailable: bool  # <end> rides in an unavailable presence
    dtmf_event: bool  # the caller's digit reaches the client as <dtmf signal=.../>


RULES = {
    "xep0327": DialectRules({"client": "hangup-command", "caller": "hungup"}, True, False),
    # The seed page's <end> example is a presence without a type, and its end
    # reasons are hangup, timeout, busy, reject and error: hangup for both sides.
    "seed": DialectRules({"client": "hangup", "caller": "hangup"}, False, True),
}


class CallFailed(Exception):
    """A step of one call did not happen; the message says which and what came instead."""


@dataclass
class BenchCall:
    index: int
    token: str  # the caller's token: From user and X-Harness-Call
    side: str  # who hangs up: "client" or "caller"
    digit: str
    probe: Offer  # the runner's offer matching, bound to this call's token
    call_id: str = ""  # SIP Call-ID, once dialled
    jid: str = ""  # bare call JID, once the offer came
    offer_from: str = ""  # the offer's sender as sent: commands go there
    invite_at: float | None = None
    offer_at: float | None = None
    end_at: float | None = None
    problems: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, target: Target, dialect: str, workdir: Path, calls: int, concurrency: int):
        self.target, self.dialect, self.workdir = target, dialect, workdir
        self.rules = RULES[dialect]
        self.run = uuid.uuid4().hex[:8]
        self.calls = [self._new_call(i) for i in range(calls)]
        self.concurrency = concurrency
        self.timeouts = target.timeouts
        self.transcript = Transcript()
        self.observations = Observations()
        self.observations.stream(CLIENT_KEY)
        self.validator = validator(dialect)  # compiled now, not inside the measured run
        self.awaiting_offer: dict[str, BenchCall] = {}  # token -> call
        self.by_jid: dict[str, BenchCall] = {}
        self.pending: dict[str, asyncio.Future] = {}  # iq id -> its response
        self.abandoned: set[str] = set()  # iqs we stopped waiting for: a late answer is not stray
        self.stray: list[str] = []  # what the server sent that belongs to no call of the run
        self.lost = ""  # why the run cannot go on (the client's stream closed)
        self.client: HarnessClient | None = None
        self.sip: SipDriver | None = None
        self.next_call = 0
        self.wall = 0.0
        self.drops: dict[str, int | None] = {}

    def _new_call(self, i: int) -> BenchCall:
        # Fixed width: no token is a substring of another, and the offer
        # probe looks for the token anywhere in the stanza's text.
        token = f"bench-{self.run}-{i:06d}"
        step = model.ExpectOffer(index=i + 1, line=0, phrase="expect offer", party="caller")
        probe = Offer(step, Context(self.target.service, {"caller": token}, "caller"))
        return BenchCall(i, token, "client" if i % 2 == 0 else "caller", DIGITS[i % len(DIGITS)], probe)

    # --- setup and teardown -------------------------------------------------------

    async def set_up(self) -> None:
        account = self.target.login(f"bench-{self.run}")
        self.client = HarnessClient("client", account, self.transcript, self._on_stanza, self._on_closed)
        await self.client.connect(self.timeouts["connect"])
        # Calls are offered only once the server has our presence: a ping sent after it proves that.
        await self.ping()
        # SIPp quits by itself after its -timeout: room for every call to run out every one of its ten waits.
        per_call = 10 * max(self.timeouts[kind] for kind in ("iq", "sip", "event"))
        bound = 60 + math.ceil(len(self.calls) / self.concurrency) * per_call
        self.sip = SipDriver(self.workdir / "sip", self.target.sip_server, self.transcript, self._on_sip,
                             self.timeouts, process_timeout=bound, local_host=self.target.harness_address())
        await self.sip.start(["caller"], [])

    async def tear_down(self) -> None:
        if self.sip is not None:
            await self.sip.stop()  # ends calls left up by failures, stops SIPp by its PID
        if self.client is not None:
            await self.client.close(self.timeouts["iq"])

    # --- what comes in ------------------------------------------------------------

    def _on_sip(self, event: SipEvent) -> None:
        self.observations.add(("sip", event.call_id), event)

    def _on_closed(self, reason: str) -> None:
        self.lost = f"the client's XMPP stream closed: {reason}"
        self.observations.close(CLIENT_KEY, self.lost)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError(reason))

    def _on_stanza(self, stanza: Stanza) -> None:
        if stanza.kind == "iq" and stanza.type in ("result", "error"):
            future = self.pending.pop(stanza.id, None)
            if future is not None and not future.done():
                future.set_result(stanza)
            elif stanza.id not in self.abandoned:
                self.stray.append(f"a response to no iq the harness sent: {stanza_summary(stanza)}")
            return
        if stanza.kind != "presence" or not under_jid(stanza.sender, self.target.service):
            self.stray.append(f"not an event of the service: {stanza_summary(stanza)}")
            return
        call = self.by_jid.get(JID.parse(stanza.sender).bare) or self._match_offer(stanza)
        if call is None:
            self.stray.append(f"an event of no call of this run: {stanza_summary(stanza)}")
            return
        for problem in self.validator.stanza(stanza.element):
            call.problems.append(f"schema: {problem.path}: {problem.message} ({stanza_summary(stanza)})")
        self.observations.add(("xmpp", call.jid), stanza)

    def _match_offer(self, stanza: Stanza) -> BenchCall | None:
        """The runner's offer probe, tried for each call still waiting for its offer."""
        for token, call in self.awaiting_offer.items():
            _, why = call.probe.fits(stanza, {})
            if why is None:
                del self.awaiting_offer[token]
                call.jid, call.offer_from, call.offer_at = JID.parse(stanza.sender).bare, stanza.sender, stanza.t
                self.by_jid[call.jid] = call
                return call
        return None

    # --- waiting ------------------------------------------------------------------

    async def wait_for(self, key, fits, what: str, timeout: float, watch=()) -> Any:
        """The first event of stream `key` that fits, waiting up to `timeout`."""
        stream = self.observations.stream(key)
        found, why = await self.observations.wait(
            lambda: next((event for event in stream.events if fits(event)), None), timeout, [key, *watch]
        )
        if found is None:
            raise CallFailed(f"{what}: {why}")
        return found

    async def sip_receives(self, call: BenchCall, message: str, cseq: str) -> SipEvent:
        def fits(event: SipEvent) -> bool:
            return event.direction == "received" and event.message == message and event.cseq_method == cseq

        return await self.wait_for(("sip", call.call_id), fits, f"the caller did not get {message} ({cseq})", self.timeouts["sip"])

    async def event(self, call: BenchCall, name: str, what: str) -> Stanza:
        def fits(stanza: Stanza) -> bool:
            return any(child.tag == ns.qname(ns.RAYO, name) for child in stanza.payload())

        return await self.wait_for(("xmpp", call.jid), fits, what, self.timeouts["event"], [CLIENT_KEY])

    async def request(self, to: str, payload: etree._Element, kind: str = "set") -> Stanza:
        """An iq to the server; its response, matched by id."""
        iq_id = new_id(f"bench-{self.run}-")
        future = asyncio.get_running_loop().create_future()
        self.pending[iq_id] = future
        try:
            assert self.client is not None
            self.client.send(build("iq", to=to, type=kind, id=iq_id, children=[payload]))
            return await asyncio.wait_for(future, self.timeouts["iq"])
        except asyncio.TimeoutError:
            self.abandoned.add(iq_id)
            raise CallFailed(f"no response to the iq {etree.QName(payload).localname} within {self.timeouts['iq']:.1f} s") from None
        except ConnectionError as err:
            raise CallFailed(f"the stream closed before the response to {etree.QName(payload).localname}: {err}") from None
        finally:
            self.pending.pop(iq_id, None)

    async def command(self, call: BenchCall, name: str) -> None:
        response = await self.request(call.offer_from, etree.Element(ns.qname(ns.RAYO, name), nsmap={None: ns.RAYO}))
        if response.type != "result":
            raise CallFailed(f"{name} got {stanza_summary(response)}, not a result")

    async def ping(self) -> None:
        """A round trip to the service: what the server sent before the answer has arrived."""
        response = await self.request(self.target.service, etree.Element(ns.qname(ns.PING, "ping"), nsmap={None: ns.PING}), "get")
        if response.type != "result":
            raise CallFailed(f"the ping to {self.target.service} got {stanza_summary(response)}")

    # --- one call -----------------------------------------------------------------

    async def one_call(self, call: BenchCall) -> None:
        assert self.sip is not None
        caller = self.sip.caller("caller")
        self.awaiting_offer[call.token] = call
        headers = [("X-Harness-Call", call.token)]
        call.call_id = await caller.dial(self.target.inbound(), headers, from_uri=f"sip:{call.token}@{self.sip.local_host}")
        invite = await self.wait_for(("sip", call.call_id), lambda e: e.direction == "sent" and e.message == "INVITE",
                                     "SIPp did not log its INVITE", self.timeouts["sip"])
        call.invite_at = invite.logged
        # _match_offer binds the call to its JID when the offer comes.
        offered, why = await self.observations.wait(lambda: call.jid or None, self.timeouts["event"], [CLIENT_KEY])
        if offered is None:
            self.awaiting_offer.pop(call.token, None)
            raise CallFailed(f"no offer: {why}; the caller got {self.sip_summary(call)}")

        await self.command(call, "answer")
        await self.sip_receives(call, "200", "INVITE")
        status = await caller.send_dtmf(call.digit, call.call_id)
        if status != 200:
            raise CallFailed(f"the INFO for DTMF {call.digit} got {status}, not 200")
        if self.rules.dtmf_event:
            await self.event(call, "dtmf", f"no <dtmf/> event for the caller's {call.digit}")

        if call.side == "client":
            await self.command(call, "hangup")
            await self.sip_receives(call, "BYE", "BYE")
        else:
            status = await caller.hang_up(call.call_id)
            if status != 200:
                raise CallFailed(f"the caller's BYE got {status}, not 200")
        end = await self.event(call, "end", "no <end/> from the call")
        call.end_at = end.t

    def sip_summary(self, call: BenchCall) -> str:
        got = [e.message for e in self.observations.stream(("sip", call.call_id)).events if e.direction == "received"]
        return ", ".join(got) or "nothing"

    async def worker(self) -> None:
        """Takes the next call until none is left: at most `concurrency` workers, so at most that many calls."""
        while self.next_call < len(self.calls) and not self.lost:
            call = self.calls[self.next_call]
            self.next_call += 1
            try:
                await self.one_call(call)
            except (CallFailed, SipError, ConnectionError) as err:
                call.problems.insert(0, f"step failed: {err}")

    async def run_calls(self) -> None:
        start = time.monotonic()
        await asyncio.gather(*(self.worker() for _ in range(min(self.concurrency, len(self.calls)))))
        self.wall = time.monotonic() - start
        assert self.sip is not None and self.sip.roles["caller"].ports is not None
        # A lost datagram is a lost call (SIPp does not retransmit): say where it was lost.
        self.drops = {"at the server": udp_drops(self.target.sip_server[1]),
                      "at SIPp": udp_drops(self.sip.roles["caller"].ports.sip)}
        if not self.lost:
            try:
                await self.ping()
            except CallFailed as err:
                self.stray.append(f"the final barrier failed: {err}")
        for call in self.calls:
            if call.end_at is not None:  # completed its steps: now the whole sequence
                call.problems += self.check_xmpp(call) + self.check_sip(call)

    # --- the checks ---------------------------------------------------------------

    def check_xmpp(self, call: BenchCall) -> list[str]:
        """Exactly offer[, dtmf], end, with the right reason, and nothing after the end."""
        events: list[Stanza] = self.observations.stream(("xmpp", call.jid)).events
        names = [_rayo_event(stanza) for stanza in events]
        wanted = ["offer"] + (["dtmf"] if self.rules.dtmf_event else []) + ["end"]
        problems = []
        if names != wanted:
            problems.append(f"events {', '.join(names)}; expected {', '.join(wanted)}")
        for stanza, name in zip(events, names):
            if name == "dtmf":
                signal = stanza.element.find(ns.qname(ns.RAYO, "dtmf")).get("signal")
                if signal != call.digit:
                    problems.append(f"dtmf signal {signal!r}, the caller sent {call.digit!r}")
            if name == "end":
                end = stanza.element.find(ns.qname(ns.RAYO, "end"))
                reasons = [etree.QName(child).localname for child in end if isinstance(child.tag, str)]
                wanted_reason = self.rules.end_reason[call.side]
                if reasons != [wanted_reason]:
                    problems.append(f"end reason {', '.join(reasons) or 'none'}; the {call.side} hung up, so {wanted_reason}")
                if self.rules.end_unavailable and stanza.type != "unavailable":
                    problems.append(f"the end came in a presence of type {stanza.type}, not unavailable")
        return problems

    def check_sip(self, call: BenchCall) -> list[str]:
        """What the caller received, provisionals aside: 200 (INVITE), 200 (INFO), then BYE or 200 (BYE).
        A message seen before with the same CSeq is a retransmission (the server
        did not get our ACK or 200 in time), not another event."""
        got: list[str] = []
        seen: set[tuple[str, str]] = set()
        for event in self.observations.stream(("sip", call.call_id)).events:
            if event.direction != "received" or (event.message.isdigit() and int(event.message) < 200):
                continue
            cseq = next((value for name, value in event.headers if name.lower() == "cseq"), "")
            if (event.message, cseq) not in seen:
                seen.add((event.message, cseq))
                got.append(f"{event.message} ({event.cseq_method})")
        last = "BYE (BYE)" if call.side == "client" else "200 (BYE)"
        wanted = ["200 (INVITE)", "200 (INFO)", last]
        return [] if got == wanted else [f"the caller received {', '.join(got)}; expected {', '.join(wanted)}"]


def _rayo_event(stanza: Stanza) -> str:
    """The name of the Rayo element a presence carries ("offer", "end"), or what it is instead."""
    for child in stanza.payload():
        if etree.QName(child).namespace == ns.RAYO:
            return etree.QName(child).localname
    return f"(presence {stanza.type} without a Rayo event)"


# --- figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def memory(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB from /proc/<pid>/status; None if the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def children(pid: int) -> list[int]:
    """The child processes of pid (Prosody, in prosody mode)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def udp_drops(port: int) -> int | None:
    """Datagrams the kernel dropped for the loopback UDP socket on this port
    (its receive buffer was full): the "drops" column of /proc/net/udp."""
    wanted = f"0100007F:{port:04X}"
    try:
        lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if fields[1] == wanted:
            return int(fields[-1])
    return None


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


Snapshot = dict[str, tuple[int, "tuple[int, int] | None"]]  # name -> (pid, (VmRSS, VmHWM))


def report(bench: Bench, before: Snapshot, after: Snapshot, args) -> int:
    calls = bench.calls
    failed = [call for call in calls if call.problems or call.end_at is None]
    done = [call for call in calls if call not in failed]
    started = bench.next_call
    print(f"inbound calls through the reference server ({args.dialect}, {args.xmpp_mode} XMPP): "
          f"{len(calls)} calls, at most {args.concurrency} at a time")
    print(f"  calls completed          {len(done)}")
    print(f"  calls failed             {len(failed)}" + (f" ({len(calls) - started} never started)" if started < len(calls) else ""))
    print(f"  wall time                {bench.wall:.2f} s")
    print(f"  calls per second reached {len(done) / bench.wall:.1f}" if bench.wall else "  calls per second reached -")
    setups = [c.offer_at - c.invite_at for c in calls if c.offer_at is not None and c.invite_at is not None]
    wholes = [c.end_at - c.invite_at for c in done if c.end_at is not None and c.invite_at is not None]
    for label, values in (("setup (INVITE -> offer)", setups), ("whole call (INVITE -> end)", wholes)):
        if values:
            print(f"  {label:<26} p50 {percentile(values, 50) * 1e3:.1f} ms   p95 {percentile(values, 95) * 1e3:.1f} ms")
    drops = ", ".join(f"{name} {'?' if count is None else count}" for name, count in bench.drops.items())
    print(f"  UDP datagrams dropped    {drops}")
    print(f"  {'memory (VmRSS)':<34} {'before':>10} {'after':>10} {'peak':>10}")
    for name, (pid, start) in before.items():
        end = after[name][1]
        figures = [mib(start[0]) if start else "-", mib(end[0]) if end else "-", mib(end[1]) if end else "-"]
        print(f"    {f'{name} (pid {pid})':<32} " + " ".join(f"{figure:>10}" for figure in figures))
    for problem in bench.stray:
        print(f"  not of any call: {problem}")
    if bench.lost:
        print(f"  {bench.lost}")
    for call in failed[:10]:
        why = "; ".join(call.problems) or "it did not run"
        print(f"  call {call.index} ({call.token}, hung up by the {call.side}): {why}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more failed calls")
    return 1 if failed or bench.stray or bench.lost else 0


def snapshot(pids: dict[str, int]) -> Snapshot:
    return {name: (pid, memory(pid)) for name, pid in pids.items()}


async def bench_main(target: Target, server_pid: int, args, workdir: Path) -> int:
    bench = Bench(target, args.dialect, workdir, args.calls, args.concurrency)
    try:
        try:
            await bench.set_up()
        except (ConnectError, SipError, CallFailed) as err:
            print(f"inbound_calls: the setup failed: {err}", file=sys.stderr)
            return 2
        pids = {"reference server": server_pid}
        pids.update({f"{process_name(pid)}, its child": pid for pid in children(server_pid)})
        pids["harness"] = os.getpid()
        assert bench.sip is not None
        pids["sipp caller"] = bench.sip.pids["caller"]
        before = snapshot(pids)
        await bench.run_calls()
        after = snapshot(pids)
    finally:
        await bench.tear_down()
    return report(bench, before, after, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20, help="calls in progress at most")
    parser.add_argument("--xmpp-mode", choices=("embedded", "prosody"), default="embedded")
    parser.add_argument("--dialect", choices=tuple(RULES), default="xep0327")
    parser.add_argument("--workdir", type=Path, help="where the server log and SIPp traces go (default: a new temporary directory)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="start the server with this deliberate deviation (serve --list-faults): the run must then fail")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.concurrency < 1:
        parser.error("--calls and --concurrency must be at least 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rayo-bench-"))
    server = ReferenceProcess(tuple(args.fault), dialect=args.dialect, xmpp_mode=args.xmpp_mode, workdir=workdir / "reference")
    try:
        target = server.start()
    except ReferenceError as err:
        print(f"inbound_calls: {err}", file=sys.stderr)
        return 2
    try:
        code = asyncio.run(bench_main(target, server.pid, args, workdir))
    finally:
        server.stop()  # by its PID; Prosody dies with it
    print(f"  evidence (server log, SIPp traces): {workdir}")
    return code


if __name__ == "__main__":
    sys.exit(main())
