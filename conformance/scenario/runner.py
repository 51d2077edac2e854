"""Runs one case against a target: sets up the parties, plays the steps, gives the verdict.

Data flows one way: steps drive the XMPP clients and the SIPp parties; what
they receive lands in the observations and the transcript; expectations judge
the observations; the result carries the verdict and the evidence.
"""

from __future__ import annotations

import asyncio
import time
import traceback
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.jid import JID, strip_xmpp_uri
from ..protocol.stanza import MalformedXML, Stanza, build, new_id, parse_fragment
from ..protocol.deviations import END_HANGUP, EXTENSION, REJECT_WITHOUT_REASON
from ..protocol.element_requirements import defining_requirements
from ..protocol.validation import validator
from ..results import CaseResult, Finding, Verdict
from ..sip import SipDriver, SipError
from ..xmpp import ConnectError, HarnessClient
from ..target import Target, TargetError
from ..transcript import Transcript
from . import model
from .addressing import is_rayo_event, sender_problem
from .documents import DocumentServer, document_element, documents_in_any_form, documents_named
from .expectations import (Context, Found, Probe, explain, in_any_order, in_sequence, probe_for, resolve_jid, sip_summary,
                           stanza_summary, under_jid)
from .failures import SetupFailed, StepFailed
from .media_steps import MediaSteps
from .observations import Observations
from .requirements import GRADES
from .template import UnknownVariable, match_payload, salvage, substitute


CALL_DOMAIN = "calls"  # the variable for the domain of the server's call JIDs, learned in the case

TOLERATED_RULES = frozenset({END_HANGUP, REJECT_WITHOUT_REASON, EXTENSION})

# Events a call may send that no passage forbids, however many times: "nothing more" lets them
# pass (noted in the transcript) until the call's end. mod_rayo sends <answered/> on inbound calls too.
HARMLESS_EVENTS = frozenset({ns.qname(ns.RAYO, "answered")})


class CaseRunner(MediaSteps):
    def __init__(self, case: model.Case, target: Target, workdir: Path, *, dialect: str | None = None, strict: bool = False):
        self.case = case
        self.target = target
        self.dialect = dialect or target.dialect
        self.workdir = workdir
        self.strict = strict
        self.transcript = Transcript()
        self.observations = Observations()
        self.findings: list[Finding] = []
        self.variables: dict[str, str] = {"service": target.service, "inbound": target.inbound()}
        self.variables.update({f"provoke.{name}": value for name, value in target.provoke.items()})
        self.variables.update({f"inbound.{name}": target.inbound(JID.parse(a.jid).local) for name, a in target.accounts.items()})
        self.run_id = uuid.uuid4().hex[:8]
        self.variables["run"] = f"run-{self.run_id}"  # unique per case run: names that must not collide
        self.tokens: dict[str, str] = {}
        self.last_dialer: str | None = None
        self.clients: dict[str, Any] = {}
        self.sip: Any = None
        self.address = ""  # the harness's own address (set up): SIP, RTP, documents
        self.documents: DocumentServer | None = None
        self.pending: dict[str, asyncio.Future] = {}
        self.answered: set[str] = set()  # ids of our iqs that got their one response
        self.abandoned: set[str] = set()  # ids of our iqs we stopped waiting for
        self.delay_reported = False
        self.harmless_noted: set[int] = set()  # seqs of events "nothing more" let pass, noted once
        self.misaddressed: set[str] = set()  # senders of events already reported as not Rayo entities
        self.judging = False  # only while the steps run: teardown traffic is evidence, not a finding
        self.playing: list[asyncio.Task] = []  # audio a party still sends ("starts playing")
        self.reported_late: set[int] = set()  # ids of stanzas an `expect nothing more` reported

    # --- the whole case -----------------------------------------------------------

    async def run(self) -> CaseResult:
        result = CaseResult(
            case_id=self.case.id,
            title=self.case.title,
            dialect=self.dialect,
            section=self.case.section,
            requirements=list(self.case.named_requirements()),
            source=self.case.source,
            started=time.monotonic(),
        )
        cpu = time.process_time()
        verdict = Verdict.PASS
        unmet = self.target.unmet(self.case.needs)
        if unmet:
            result.verdict = Verdict.NOT_APPLICABLE
            result.findings = [Finding("setup", f"the target does not meet this case's needs: {', '.join(unmet)} (see docs/target.md)")]
            return result
        try:
            await self.set_up()
            await self.play()
        except SetupFailed as err:
            verdict = Verdict.INCONCLUSIVE
            self.findings.append(Finding("setup", str(err)))
        except StepFailed as err:
            self.findings.append(err.finding)
        except Exception:  # a fault of the harness: keep the evidence, say so
            verdict = Verdict.ERROR
            self.findings.append(Finding("harness", "the harness failed: " + traceback.format_exc(limit=6)))
        finally:
            self.judging = False
            await self.tear_down()
        broken = any(f.level == "must" and f.kind != "setup" for f in self.findings)
        if verdict is Verdict.PASS or (verdict is Verdict.INCONCLUSIVE and broken):
            verdict = self.verdict()  # a MUST the server broke before the case could go on fails it
        result.verdict = verdict
        result.findings = self.findings
        # In time order: SIP records carry SIPp's own timestamps and arrive a little late.
        result.records = sorted(self.transcript.records, key=lambda record: record.t)
        result.artifacts = list(self.sip.artifacts) if self.sip else []
        result.duration = time.monotonic() - result.started
        result.harness_cpu = time.process_time() - cpu
        return result

    def verdict(self) -> Verdict:
        levels = {f.level for f in self.findings}
        if "must" in levels:
            return Verdict.FAIL
        if "should" in levels:
            return Verdict.FAIL if self.strict else Verdict.WARN
        return Verdict.PASS

    # --- setup and teardown -------------------------------------------------------

    async def set_up(self) -> None:
        try:
            self.address = self.variables["harness"] = self.target.harness_address()
        except TargetError as err:
            raise SetupFailed(str(err)) from None
        self._serve_documents()
        callers, callees = self.case.sip_parties()
        if callers or callees:
            await self._start_sip(callers, callees)
        await asyncio.gather(*(self._connect(name, spec) for name, spec in self.case.clients.items()))
        self.judging = True

    def _serve_documents(self) -> None:
        """The audio documents the case names, served to the server under test (documents.py)."""
        names = documents_named(self.case.text())
        if not names and "{documents" not in self.case.text():
            return
        self.documents = DocumentServer(self.workdir / "documents", self.address)
        self.documents.write(names)
        self.variables["documents"] = self.documents.url
        form = self.target.output_document_form()
        for name in documents_in_any_form(self.case.text()):
            self.variables[f"document:{name}"] = document_element(name, form, self.documents.url)

    async def _connect(self, name: str, spec: model.ClientSpec) -> None:
        resource = f"{self.case.id.rsplit('.', 1)[-1][:20]}-{name}-{self.run_id}"
        presence = None if spec.presence == "directed-chat" else spec.presence  # the case's default: the target's
        account = self.target.login(resource, spec.account, presence)
        client = HarnessClient(
            name,
            account,
            self.transcript,
            on_stanza=lambda stanza, name=name: self._on_stanza(name, stanza),
            on_closed=lambda reason, name=name: self._on_closed(name, reason),
        )
        self.clients[name] = client
        try:
            await client.connect(self.target.timeouts["connect"])
        except ConnectError as err:
            raise SetupFailed(f"{name} could not log in to {self.target.host}:{self.target.port}: {err}") from None
        self.variables[name] = client.full_jid
        self.variables[f"{name}.bare"] = client.full_jid.split("/")[0]
        if spec.roster:
            await self._request_roster(name)
        # The server has our presence once a ping sent after it comes back:
        # only then may a call be expected to be offered to this client.
        await self.round_trip(name)

    async def _request_roster(self, name: str) -> None:
        """RFC 6121 §2.1.3: the request makes the resource an interested one, to which the server
        delivers subscription answers (§3.1.6). Any answer will do: a server with no rosters
        (mod_rayo's own listener) answers with an error, and the case judges its subscriptions."""
        query = etree.Element(ns.qname(ns.ROSTER, "query"), nsmap={None: ns.ROSTER})
        request = lambda id: build("iq", type="get", id=id, children=[query])
        if await self.ask(name, request, "the roster request") is None:
            raise SetupFailed(f"{name} requested the roster and got no answer")

    async def _start_sip(self, callers: list[str], callees: list[str]) -> None:
        self.sip = SipDriver(
            self.workdir / "sip",
            self.target.sip_server,
            self.transcript,
            on_event=lambda event: self.observations.add(("sip", event.party), event),
            timeouts=self.target.timeouts,
            local_host=self.address,
        )
        try:
            await self.sip.start(callers, callees)
        except SipError as err:
            raise SetupFailed(f"the SIPp parties could not start: {err}") from None
        for name in callees:
            self.variables[f"{name}.uri"] = self.sip.callee(name).uri

    async def tear_down(self) -> None:
        for task in self.playing:
            task.cancel()
        await asyncio.gather(*self.playing, return_exceptions=True)
        if self.documents is not None:
            self.documents.close()
        if self.sip is not None:
            try:
                await self.sip.stop()
            except Exception as err:  # evidence is kept; a teardown problem is not the server's
                self.transcript.note("harness", f"stopping SIPp: {err}")
        await asyncio.gather(
            *(client.close(self.target.timeouts["iq"]) for client in self.clients.values()), return_exceptions=True
        )

    # --- what comes in ------------------------------------------------------------

    def _on_stanza(self, client: str, stanza: Stanza) -> None:
        if stanza.kind == "presence" and stanza.element.find(ns.qname(ns.RAYO, "offer")) is not None:
            self._learn_call_domain(stanza.sender)
        self._validate(stanza, "received")
        self._check_delay(stanza)
        self._check_sender(client, stanza)
        if stanza.type == "error" or (stanza.kind == "iq" and stanza.type == "result"):
            future = self.pending.pop(stanza.id, None)
            if future is not None and not future.done():
                self.answered.add(stanza.id)
                future.set_result(stanza)
                return
            if stanza.kind == "iq":
                self._unexpected_response(stanza)
        self.observations.add(("xmpp", client), stanza)

    def _learn_call_domain(self, call: str) -> None:
        """{calls}: the domain the server's calls live on (§5.2 allows a sub-domain of the service),
        from the first offer or dial ref of the case: a JID of a call that does not exist is built on it."""
        try:
            self.variables.setdefault(CALL_DOMAIN, JID.parse(strip_xmpp_uri(call)).domain)
        except ValueError:
            pass  # not a JID: the schema and the case's steps report that

    def _unexpected_response(self, stanza: Stanza) -> None:
        """RFC 6120 §8.2.3: an iq gets exactly one response, and only a request gets one."""
        if not self.judging or stanza.id in self.abandoned:
            return  # a late answer was already reported as missing
        why = "a second response to the same iq" if stanza.id in self.answered else "a response to no iq the harness sent"
        self.findings.append(Finding("expectation", f"the server sent {why} (id {stanza.id!r}): {stanza_summary(stanza)}",
                                     actual=stanza.text, record=stanza.seq))

    def _check_delay(self, stanza: Stanza) -> None:
        """R-5.3-b (SHOULD): every Rayo event carries a XEP-0203 timestamp. Reported once per case."""
        if not self.judging or self.dialect != "xep0327" or self.delay_reported or stanza.kind != "presence":
            return
        if not under_jid(stanza.sender, self.target.service) or not is_rayo_event(stanza, self.dialect):
            return
        if stanza.element.find(ns.qname(ns.DELAY, "delay")) is None:
            self.delay_reported = True
            self.findings.append(
                Finding("expectation", f"R-5.3-b: an event carries no XEP-0203 delay stamp (the first: {stanza_summary(stanza)})",
                        expected="<delay xmlns='urn:xmpp:delay' stamp='...'/>", actual=stanza.text, level="should",
                        requirements=("R-5.3-b",))
            )

    def _check_sender(self, client: str, stanza: Stanza) -> None:
        """R-5.3-a: an event comes from the entity that produced it, whose JID is in the service's
        domain (R-5.2-a); an offer from its call (R-6.2.2-f). Reported once per sender."""
        if not self.judging or stanza.sender in self.misaddressed or not is_rayo_event(stanza, self.dialect):
            return
        problem = sender_problem(stanza, self.target.service, self.clients[client].full_jid)
        if problem:
            self.misaddressed.add(stanza.sender)
            offer = stanza.element.find(ns.qname(ns.RAYO, "offer")) is not None
            requirement, rule = ("R-6.2.2-f", "an offer must come from its call's JID") if offer \
                else ("R-5.3-a", "an event must come from the call, mixer or component that produced it")
            self.findings.append(Finding("expectation", f"{requirement}: {rule}, but {problem}: {stanza_summary(stanza)}",
                                         actual=stanza.text, record=stanza.seq, requirements=(requirement,)))

    def _on_closed(self, client: str, reason: str) -> None:
        self.observations.close(("xmpp", client), f"the XMPP stream of {client} closed: {reason}")
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError(reason))

    def _validate(self, stanza: Stanza, direction: str, intended_invalid: bool = False) -> None:
        if not self.judging:
            return
        for problem in validator(self.dialect).stanza(stanza.element):
            where = f"line {problem.line} of the stanza" if problem.line else "the stanza"
            if direction == "received":
                # The XEP's own contradictions (digest §9) and known extensions only warn.
                level = "should" if problem.rule in TOLERATED_RULES else "must"
                self.findings.append(
                    Finding(
                        "schema",
                        f"the server sent a payload that breaks the {self.dialect} schema: {problem.path}: {problem.message} ({where})",
                        expected=problem.rule,
                        actual=stanza.text,
                        level=level,
                        record=stanza.seq,
                        requirements=defining_requirements(self.dialect, problem),
                    )
                )
            elif not intended_invalid:
                self.transcript.note("harness", f"the case sent a payload that breaks the schema: {problem.path}: {problem.message}")

    # --- the steps ------------------------------------------------------------------

    async def play(self) -> None:
        for step in self.case.steps:
            try:
                await getattr(self, "do_" + type(step).__name__)(step)
            except StepFailed as err:
                if err.finding.level == "must":
                    raise
                self.findings.append(err.finding)
            except UnknownVariable as err:
                if err.name == CALL_DOMAIN:
                    raise SetupFailed(f"{step.phrase}: the server's call domain is not known yet: no offer or dial ref came"
                                      f" before this step, and the case needs it for {{{CALL_DOMAIN}}}") from None
                raise StepFailed(self.failure(step, f"{step.phrase}: {err} (the step that should capture it did not run or did not match)"))

    def failure(self, step: model.Step, message: str, expected: str = "", actual: str = "") -> Finding:
        return Finding("expectation", message, step=step.index, expected=expected, actual=actual, level=step.level,
                       requirements=step.requirements)

    def timeout(self, step: model.Step, kind: str) -> float:
        return step.timeout * self.target.timeouts.scale if step.timeout else self.target.timeouts[kind]

    def client(self, name: str):
        if name not in self.clients:
            raise SetupFailed(f"the case has no XMPP client {name!r}")
        return self.clients[name]

    # SIP

    async def do_CallerDials(self, step: model.CallerDials) -> None:
        token = f"rayo-{self.run_id}-{step.party}-call"  # no token may contain another (caller, caller2)
        self.tokens[step.party] = token
        self.last_dialer = step.party
        request_uri = substitute(step.to, self.variables) if step.to else self.target.inbound()
        headers = list(step.headers) + [("X-Harness-Call", token)]
        self.variables[f"{step.party}.uri"] = f"sip:{token}@{self.address}"
        await self._sip_command(step, lambda: self.sip.caller(step.party).dial(request_uri, headers, from_uri=f"sip:{token}@{self.address}"))

    async def do_SipAction(self, step: model.SipAction) -> None:
        role = self.sip.caller(step.party) if step.party.startswith("caller") else self.sip.callee(step.party)
        actions = {
            "answers": lambda: role.answer(headers=step.headers),
            "rings": lambda: role.ring(headers=step.headers),
            "sends early media": lambda: role.progress(headers=step.headers),
            "hangs up": lambda: role.hang_up(),
            "cancels": lambda: role.cancel(),
            "holds": lambda: role.hold(),
            "unholds": lambda: role.unhold(),
            "rejects": lambda: role.reject(int(step.value)),
            "sends dtmf": lambda: self._send_digits(role, str(step.value)),
        }
        await self._sip_command(step, actions[step.action])

    async def _send_digits(self, role, digits: str) -> None:
        for digit in digits:
            await role.send_dtmf(digit)

    async def _sip_command(self, step: model.Step, command) -> None:
        try:
            await command()
        except SipError as err:
            raise StepFailed(self.failure(step, f"{step.phrase}: {err}"))

    async def do_SipReceives(self, step: model.SipReceives) -> None:
        await self.expect_sequence(step, [step])

    # XMPP

    def _send(self, step: model.Step, client_name: str, text: str) -> Stanza:
        try:
            return self.client(client_name).send(text)
        except ConnectionError as err:  # the server closed the stream, or the connection died
            raise StepFailed(self.failure(step, f"{step.phrase}: cannot send, the XMPP stream of {client_name} is closed: {err}"))

    async def do_SendIq(self, step: model.SendIq) -> None:
        to = resolve_jid(step.target, self.variables, self.target.service)
        payload = parse_fragment(substitute(step.payload.text, self.variables), {})
        await self.request(step, "iq", lambda id: build("iq", to=to, type=step.type, id=id, children=payload), step.invalid)

    async def do_SendMessage(self, step: model.SendMessage) -> None:
        to = resolve_jid(step.target, self.variables, self.target.service)
        body = etree.Element(ns.qname(ns.CLIENT, "body"))
        body.text = substitute(step.body, self.variables)

        def message(id: str) -> str:
            return build("message", to=to, type=step.type, id=id, children=[body])

        if step.expect:
            await self.request(step, "message", message)
        else:  # a message passed on gets no answer: what the far end got, and any bounce, are later steps' to judge
            self._validate(self._send(step, step.client, message(new_id(f"{self.run_id}-"))), "sent")

    async def request(self, step: model.SendIq | model.SendMessage, kind: str, stanza: Callable[[str], str],
                      invalid: bool = False) -> None:
        """Send a stanza that must be answered (an iq, or a message that must bounce) and judge the answer."""
        request_id = new_id(f"{self.run_id}-")
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        sent = self._send(step, step.client, stanza(request_id))
        self._validate(sent, "sent", invalid)
        try:
            response = await asyncio.wait_for(future, self.timeout(step, "iq"))
        except asyncio.TimeoutError:
            self.give_up(request_id)
            wanted = " or ".join(describe_outcome(e) for e in step.expect)
            raise StepFailed(self.failure(step, f"{step.phrase}: no response to the {kind} within {self.timeout(step, 'iq'):.1f} s", expected=wanted, actual="no response"))
        except ConnectionError as err:
            raise StepFailed(self.failure(step, f"{step.phrase}: the stream closed before the response: {err}"))
        if sent.element.find(f".//{ns.qname(ns.RAYO, 'dial')}") is not None:
            ref = response.element.find(f".//{ns.qname(ns.RAYO, 'ref')}")
            if ref is not None and ref.get("uri"):
                self._learn_call_domain(ref.get("uri"))
        self.check_response(step, response)

    def check_response(self, step: model.SendIq | model.SendMessage, response: Stanza) -> None:
        """The response is one of the allowed outcomes; the first that fits gives its captures.

        A response of an allowed type (result or error) with other details is the answer the step
        waited for: its difference is a finding and the case goes on with the captures it still gives."""
        misses = []
        for expect in step.expect:
            captured, why = self.outcome_fits(expect, response)
            if why is None:
                self.variables.update(captured)
                return
            misses.append(why)
        wanted = " or ".join(describe_outcome(e) for e in step.expect)
        finding = self.failure(step, f"{step.phrase}: expected {wanted}; {'; '.join(misses)}", expected=wanted, actual=response.text)
        same_type = [expect for expect in step.expect if expect.outcome == response.type]
        if not same_type:
            raise StepFailed(finding)
        self.findings.append(finding)
        for expect in same_type:
            if expect.payload is not None:
                self.variables.update(salvage(list(expect.payload.elements), response.payload(), self.variables))

    def outcome_fits(self, expect: model.IqExpectation, response: Stanza) -> tuple[dict[str, str], str | None]:
        if response.type != expect.outcome:
            error = response.error()
            got = f"error {error[0]} (type {error[1]})" if error else response.type
            return {}, f"got {got}"
        if expect.outcome == "result":
            if expect.payload is None:
                return {}, None
            found, mismatch = match_payload(list(expect.payload.elements), response.payload(), self.variables)
            return (found, None) if mismatch is None else ({}, f"the result does not match: {mismatch}")
        condition, error_type = response.error() or ("", "")
        if expect.conditions and condition not in expect.conditions:
            return {}, f"got error {condition or 'without a condition'} (type {error_type})"
        if expect.error_type and error_type != expect.error_type:
            return {}, f"error {condition} has type {error_type!r}, expected {expect.error_type!r}"
        return {}, None

    async def do_SendPresence(self, step: model.SendPresence) -> None:
        to = resolve_jid(step.target, self.variables, self.target.service)
        children = []
        if step.show in ("chat", "dnd"):
            show = etree.Element(ns.qname(ns.CLIENT, "show"))
            show.text = step.show
            children.append(show)
        if step.show in model.SUBSCRIPTION_TYPES:
            to = JID.parse(to).bare  # RFC 6121 §3.1.1: subscriptions are between bare JIDs
        kind = step.show if step.show == "unavailable" or step.show in model.SUBSCRIPTION_TYPES else None
        self._send(step, step.client, build("presence", to=to, type=kind, children=children))
        # Later steps may rely on the server knowing it (a call not offered to a dnd client).
        await self.round_trip(step.client)

    # Expectations

    def context(self) -> Context:
        return Context(self.target.service, dict(self.tokens), self.last_dialer)

    async def do_ExpectOffer(self, step: model.ExpectOffer) -> None:
        try:
            await self.expect_sequence(step, [step])
        except StepFailed:
            offer = self._uncorrelated_offer(step.client)
            if offer is None:
                raise
            party = step.party or self.last_dialer or "caller"
            raise SetupFailed(
                f"{step.phrase}: an offer came, but the harness cannot tell whose call it is: it carries neither the"
                f" X-Harness-Call header nor the From URI with {party}'s token {self.tokens.get(party)}, both of which"
                f" the INVITE had (the server dropped them): {stanza_summary(offer)}") from None

    def _uncorrelated_offer(self, client: str) -> Stanza | None:
        """An offer that carries no caller's token: the harness cannot match it to a SIP call."""
        for stanza in self.observations.stream(("xmpp", client)).events:
            offered = stanza.kind == "presence" and stanza.element.find(ns.qname(ns.RAYO, "offer")) is not None
            if offered and not any(token in stanza.text for token in self.tokens.values()):
                return stanza
        return None

    async def do_ExpectFrom(self, step: model.ExpectFrom) -> None:
        await self.expect_sequence(step, [step])

    async def do_InAnyOrder(self, step: model.InAnyOrder) -> None:
        probes = [probe_for(member, self.context()) for member in step.members]
        await self._wait(step, lambda loose=False: in_any_order(self.observations, probes, self.variables, loose), [probes])

    async def do_OneOf(self, step: model.OneOf) -> None:
        alternatives = [[probe_for(m, self.context()) for m in alternative] for alternative in step.alternatives]

        def attempt(loose: bool = False) -> Found | None:
            for probes in alternatives:
                found = in_sequence(self.observations, probes, self.variables, loose=loose)
                if found:
                    return found
            return None

        await self._wait(step, attempt, alternatives, "any of these outcomes: ")

    async def expect_sequence(self, step: model.Step, members: list[model.Step]) -> None:
        probes = [probe_for(member, self.context()) for member in members]
        await self._wait(step, lambda loose=False: in_sequence(self.observations, probes, self.variables, loose=loose), [probes])

    async def _wait(self, step: model.Step, attempt: Callable[..., Found | None], alternatives: list[list[Probe]],
                    lead: str = "") -> None:
        """Wait for events that fit one of the alternatives (each: probes that must all be met), until
        none can any more; then take those of the awaited identity that came with other details
        (attempt(loose=True)), each such message a finding, and go on."""
        probes = [p for probes in alternatives for p in probes]
        kind = "sip" if all(p.key[0] == "sip" for p in probes) else "event"
        timeout = self.timeout(step, kind)
        watch = list({p.key for p in probes})
        found, why = await self.observations.wait(attempt, timeout, watch, lambda: self._decided(alternatives))
        if found is None and self.sip is not None and any(p.key[0] == "sip" for p in probes):
            self.sip.catch_up()  # what SIPp logged unannounced: it may be the awaited message, or explain the miss
            found = attempt()
        if found is None:
            found = attempt(loose=True)
        if found is None:
            expected = lead + "; ".join(p.describe(self.variables) for p in probes)
            instead = " | ".join(explain(self.observations, p, self.variables) for p in probes)
            raise StepFailed(self.failure(self._graded_by_misses(step, probes), f"{step.phrase}: expected {expected}; {why}. Instead: {instead}",
                                          expected=expected, actual=instead))
        for difference in found.differences:
            self.findings.append(self.difference(step, difference))
        self.observations.commit(found.positions, found.hits)
        self.variables.update(found.variables)

    def difference(self, step: model.Step, difference) -> Finding:
        """The awaited message came but differs in a detail: a finding the case goes on after."""
        probe, event = difference.probe, difference.event
        xmpp = probe.key[0] == "xmpp"
        came = stanza_summary(event) if xmpp else sip_summary(event)
        expected = probe.describe(self.variables)
        phrase = step.phrase if probe.step is step else f"{step.phrase}, {probe.step.phrase}"  # a member of a group
        if difference.informative:  # a warning at most: the XEP forbids no such event here
            finding = self.failure(probe.step, f"{phrase}: before it came another event: {came}", expected=expected, actual=event.text)
            return replace(finding, level="should" if finding.level == "must" else finding.level, record=event.seq)
        finding = self.failure(probe.step, f"{phrase}: expected {expected}; it came with other details: {difference.why}. It came: {came}",
                               expected=expected, actual=event.text if xmpp else event.raw)
        return replace(finding, record=event.seq) if xmpp else finding

    def _graded_by_misses(self, step: model.Step, probes) -> model.Step:
        """A group in any order is graded by the members nothing fits: a miss of a member that
        checks a SHOULD (a mixer's unavailable presence, R-6.4-n) only warns though the group's
        other members check MUSTs. Members that fit only together leave the group's grade."""
        if not isinstance(step, model.InAnyOrder):
            return step
        missed = [p.step for p in probes if self._nothing_fits(p)]
        if not missed:
            return step
        level = max((m.level for m in missed), key=GRADES.index)
        return replace(step, level=level, requirements=tuple(dict.fromkeys(r for m in missed for r in m.requirements)))

    def _nothing_fits(self, probe) -> bool:
        try:
            return in_sequence(self.observations, [probe], self.variables) is None
        except KeyError:  # it needs a capture of another member: not a miss of its own
            return False

    def _decided(self, alternatives: list[list[Probe]]) -> str | None:
        """Why no alternative can be met any more: in each, a probe waits on what has ended."""
        reasons = []
        for probes in alternatives:
            why = next(filter(None, map(self._probe_decided, probes)), None)
            if why is None:
                return None
            reasons.append(why)
        return "; ".join(dict.fromkeys(reasons))

    def _probe_decided(self, probe: Probe) -> str | None:
        if probe.key[0] == "sip":  # SIP messages come late into the observations: a call's end decides
            return self.sip_party(probe.step.party).ended() if self.sip is not None else None
        return probe.decided(self.observations, self.variables)

    async def do_NothingMore(self, step: model.NothingMore) -> None:
        source = resolve_jid(step.source, self.variables, self.target.service)
        key = ("xmpp", step.client)
        if step.within:
            window = step.within * self.target.timeouts.scale
            self.transcript.note(step.client, f"quiet window of {window:.2f} s for {source}")
            await self.observations.wait(lambda: self._late_from(key, source) or None, window, [key])
        else:
            await self.round_trip(step.client)
        late = self._late_from(key, source)
        if late:
            # A finding, not the end of the case: what the server sent too takes nothing later steps need.
            # Each message is reported once; a later step may still expect it.
            self.reported_late.update(id(stanza) for stanza in late)
            more = f" (and {len(late) - 1} more)" if len(late) > 1 else ""
            self.findings.append(self.failure(step, f"{step.phrase}: {source} sent more: {late[0].text}{more}",
                                              expected="nothing more", actual="\n".join(stanza.text for stanza in late)))

    def _late_from(self, key, source: str) -> list[Stanza]:
        """What the source sent after the events the steps took, not reported by an earlier such step."""
        stream = self.observations.stream(key)
        # After an end or a complete nothing at all may come (digest A12); before it, a harmless event may.
        ended = any(_ends(s) for s in stream.events[: stream.position] if under_jid(s.sender, source))
        late = []
        for stanza in stream.events[stream.position :]:
            if not under_jid(stanza.sender, source) or id(stanza) in self.reported_late:
                continue
            if ended or not _harmless(stanza):
                late.append(stanza)
            elif stanza.seq not in self.harmless_noted:
                self.harmless_noted.add(stanza.seq)
                self.transcript.note(key[1], f"let pass: {stanza_summary(stanza)}, an event the XEP does not forbid here")
            ended = ended or _ends(stanza)
        return late

    def give_up(self, iq_id: str) -> None:
        self.pending.pop(iq_id, None)
        self.abandoned.add(iq_id)

    async def round_trip(self, client_name: str) -> bool:
        """A ping to the service; once its answer is back, whatever the server
        sent before it has arrived and whatever we sent before it was handled."""
        ping = etree.Element(ns.qname(ns.PING, "ping"), nsmap={None: ns.PING})
        request = lambda id: build("iq", to=self.target.service, type="get", id=id, children=[ping])
        return await self.ask(client_name, request, f"a ping to {self.target.service}") is not None

    async def ask(self, client_name: str, request: Callable[[str], str], what: str) -> Stanza | None:
        """Send an iq of the harness's own (not a step's) and wait for its answer, of any type;
        None, noted in the transcript, when none came."""
        iq_id = new_id(f"{self.run_id}-own-")
        future = asyncio.get_running_loop().create_future()
        self.pending[iq_id] = future
        try:
            self.client(client_name).send(request(iq_id))
            return await asyncio.wait_for(future, self.target.timeouts["iq"])
        except (asyncio.TimeoutError, ConnectionError) as err:
            self.give_up(iq_id)
            self.transcript.note(client_name, f"{what} got no answer ({type(err).__name__})")
            return None


def _ends(stanza: Stanza) -> bool:
    """An <end/> or a <complete/> (in either dialect: the seed's come in available presence), or unavailable presence."""
    return stanza.type == "unavailable" or any(etree.QName(child).localname in ("end", "complete") for child in stanza.payload())


def _harmless(stanza: Stanza) -> bool:
    events = [child for child in stanza.payload() if child.tag != ns.qname(ns.DELAY, "delay")]
    return stanza.type == "available" and bool(events) and all(child.tag in HARMLESS_EVENTS for child in events)


def describe_outcome(expect: model.IqExpectation) -> str:
    if expect.outcome == "result":
        return "a result" + (f" carrying {' '.join(expect.payload.text.split())}" if expect.payload else "")
    conditions = " or ".join(expect.conditions) or "any condition"
    return f"error {conditions}" + (f" (type {expect.error_type})" if expect.error_type else "")


async def run_case(case: model.Case, target: Target, workdir: Path, **options) -> CaseResult:
    return await CaseRunner(case, target, workdir, **options).run()
