"""The reference server in the seed dialect: the positions docs/reference.md takes
where the seed page is vague, which no conformance case checks (a seed server
may choose otherwise), and what the XEP-0327 dialect refuses of the seed's.

The suite's own cases (scenarios/seed/) run in the self-test; these check the
reference itself, through the same runner or with a SIP caller of our own.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from conformance.commands.serve import list_faults
from conformance.protocol.stanza import Stanza
from conformance.reference.core.dialects import SEED, XEP0327
from conformance.reference.process import ReferenceProcess
from conformance.reference.server import ReferenceServer, ServerConfig
from conformance.reference.sip.ua import SipEndpoint
from conformance.results import CaseResult, Verdict
from conformance.scenario.loader import load_case_text
from conformance.scenario.runner import run_case
from conformance.target import Target
from conformance.transcript import Transcript
from conformance.xmpp import Account, HarnessClient

TIMEOUT = 10.0


def run_steps(target: Target, workdir: Path, name: str, dialect: str, steps: str, requirements: list[str]) -> CaseResult:
    header = {"id": f"test.reference.{name}", "title": name, "section": "10", "requirements": requirements,
              "dialects": [dialect]}
    text = yaml.safe_dump(header, sort_keys=False) + "steps:\n" + textwrap.indent(textwrap.dedent(steps).strip("\n"), "  ") + "\n"
    return asyncio.run(run_case(load_case_text(text, name), target, workdir / name))


def assert_passes(result: CaseResult) -> None:
    findings = "\n".join(f"step {f.step}: {f.message}" for f in result.findings)
    assert result.verdict is Verdict.PASS, findings


@pytest.fixture(scope="module")
def seed_target(tmp_path_factory) -> Iterator[Target]:
    with ReferenceProcess(dialect="seed", workdir=tmp_path_factory.mktemp("seed-reference")) as target:
        yield target


@pytest.fixture(scope="module")
def xep_target(tmp_path_factory) -> Iterator[Target]:
    with ReferenceProcess(workdir=tmp_path_factory.mktemp("xep-reference")) as target:
        yield target


def test_the_dialects_differ_where_the_docs_say():
    assert SEED.event_sender("c1@rayo.localhost") == "c1@rayo.localhost/1"
    assert XEP0327.event_sender("c1@rayo.localhost") == "c1@rayo.localhost"
    assert SEED.addresses_call("1") and SEED.addresses_call("") and not SEED.addresses_call("say-1")
    assert not XEP0327.addresses_call("1")
    assert [SEED.end_reason(r) for r in ("hungup", "hangup-command", "rejected", "busy")] == ["hangup", "hangup", "reject", "busy"]
    assert SEED.ref("c1", "c1@rayo.localhost").attrib == {"id": "c1"}
    assert XEP0327.ref("c1", "c1@rayo.localhost").attrib == {"uri": "xmpp:c1@rayo.localhost"}
    assert {"hold", "unhold", "mute", "unmute"} <= SEED.call_commands and "join" not in SEED.call_commands
    assert "hold" not in XEP0327.call_commands and "join" in XEP0327.call_commands
    assert (SEED.stop_namespace, SEED.complete_type) == ("urn:xmpp:rayo:1", None)
    assert (XEP0327.stop_namespace, XEP0327.complete_type) == ("urn:xmpp:rayo:ext:1", "unavailable")


def test_a_seed_call_refuses_xep_only_commands_and_hold_before_the_answer(seed_target, tmp_path):
    result = run_steps(seed_target, tmp_path, "seed-refusals", "seed", """
        - caller dials the server
        - expect offer
        - send to {call}: <hold xmlns="urn:xmpp:rayo:1"/>
          expect: {error: unexpected-request, type: wait}
        - send to {call}: <answer xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - caller receives: 200
        - send to {call}: <join xmlns="urn:xmpp:rayo:1" call-uri="xmpp:{call}"/>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
        - send to the server: |
            <dial xmlns="urn:xmpp:rayo:1" to="{callee.uri}"><join call-uri="xmpp:{call}"/></dial>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
    """, ["R-10-b"])
    assert_passes(result)


def test_a_seed_call_takes_commands_at_its_bare_jid_and_ends_without_a_type(seed_target, tmp_path):
    result = run_steps(seed_target, tmp_path, "seed-bare-jid", "seed", """
        - send to the server: <dial xmlns="urn:xmpp:rayo:1" to="{callee.uri}"/>
          expect:
            result: <ref xmlns="urn:xmpp:rayo:1" id="{capture:id}" m:strict="true"/>
        - callee answers
        - expect from {id}@{service}/1: <answered xmlns="urn:xmpp:rayo:1"/>
        - send to {id}@{service}: <hangup xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - callee receives: BYE
        - expect from {id}@{service}/1:
            type: available
            xml: <end xmlns="urn:xmpp:rayo:1"><hangup/></end>
    """, ["R-seed.1-a"])
    assert_passes(result)


def test_a_seed_say_has_the_reference_positions_the_cases_leave_open(seed_target, tmp_path):
    """The reasons a seed case takes any of (stop, hangup), the complete without a type, and what the
    seed server refuses: XEP-0327's output, XEP-0327's stop, and the output's other commands."""
    result = run_steps(seed_target, tmp_path, "seed-say", "seed", """
        - caller dials the server
        - expect offer
        - send to {call}: <answer xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - caller receives: 200
        - send to {call}: <output xmlns="urn:xmpp:rayo:output:1"><document url="{documents}/tone-440-300ms.wav"/></output>
          expect: {error: feature-not-implemented, type: cancel}
        - send to {call}: <say xmlns="urn:xmpp:tropo:say:1"><audio src="{documents}/tone-440-2000ms.wav"/></say>
          expect:
            result: <ref xmlns="urn:xmpp:rayo:1" id="{capture:first}" m:strict="true"/>
        - send to {call.bare}/{first}: <seek xmlns="urn:xmpp:tropo:say:1" direction="forward" amount="100"/>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
        - send to {call.bare}/{first}: <stop xmlns="urn:xmpp:rayo:ext:1"/>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
        - send to {call.bare}/{first}: <stop xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - expect from {call.bare}/{first}:
            type: available
            xml: <complete xmlns="urn:xmpp:rayo:ext:1"><stop xmlns="urn:xmpp:rayo:ext:complete:1"/></complete>
        - send to {call}: <say xmlns="urn:xmpp:tropo:say:1"><audio src="{documents}/tone-440-2000ms.wav"/></say>
          expect:
            result: <ref xmlns="urn:xmpp:rayo:1" id="{capture:second}"/>
        - caller is hearing: {tone: 440, for: 0.1}
        - caller hangs up
        - expect from {call.bare}/{second}:
            type: available
            xml: <complete xmlns="urn:xmpp:rayo:ext:1"><hangup xmlns="urn:xmpp:rayo:ext:complete:1"/></complete>
    """, ["R-seed.15-b"])
    assert_passes(result)


def test_a_xep0327_call_refuses_the_seed_commands_and_reports_no_dtmf(xep_target, tmp_path):
    result = run_steps(xep_target, tmp_path, "xep-refusals", "xep0327", """
        - caller dials the server
        - expect offer
        - send to {call}: <answer xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - caller receives: 200
        - send to {call}: <hold xmlns="urn:xmpp:rayo:1"/>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
        - send to {call}: <mute xmlns="urn:xmpp:rayo:1"/>
          expect: {error: feature-not-implemented, type: cancel}
          invalid: true
        - caller sends dtmf: "5"
        - expect nothing more from {call}: {within: 0.3}
    """, ["R-10-b"])
    assert_passes(result)


# --- an RFC 4733 key, from a SIP caller of our own -----------------------------------


class Inbox:
    """The stanzas a client receives, taken in order by what they carry."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Stanza] = asyncio.Queue()

    async def next(self, fits: Callable[[Stanza], bool]) -> Stanza:
        while True:
            stanza = await asyncio.wait_for(self.queue.get(), TIMEOUT)
            if fits(stanza):
                return stanza


def carries(name: str) -> Callable[[Stanza], bool]:
    return lambda stanza: any(child.tag == f"{{urn:xmpp:rayo:1}}{name}" for child in stanza.payload())


async def rfc4733_key_and_event(key: str) -> tuple[Stanza, Stanza]:
    """A seed server, a client and a caller; the caller presses `key` as RFC 4733 events.
    Returns the offer and the first dtmf event the client gets."""
    server = ReferenceServer(ServerConfig(dialect="seed"))
    await server.start()
    caller = SipEndpoint(user_agent="seed test caller")
    await caller.start()
    inbox = Inbox()
    host, port = server.xmpp.address
    account = Account(jid="harness@localhost/rfc4733", password=server.config.password, host=host, port=port,
                      tls="plain", service=server.config.service)
    client = HarnessClient("client", account, Transcript(), inbox.queue.put_nowait, lambda reason: None)
    try:
        await client.connect(TIMEOUT)
        # Once the ping is answered, the server has the client's presence: the call will be offered to it.
        client.send(f"<iq type='get' id='p1' to='{server.config.service}'><ping xmlns='urn:xmpp:ping'/></iq>")
        await inbox.next(lambda stanza: stanza.id == "p1")
        sip_host, sip_port = server.sip.address
        call = caller.invite(f"sip:harness@{sip_host}:{sip_port}", from_uri="sip:caller@127.0.0.1")
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        call.on_event = lambda event: event.kind == "answered" and not answered.done() and answered.set_result(None)
        offer = await inbox.next(carries("offer"))
        client.send(f"<iq type='set' id='a1' to='{offer.sender}'><answer xmlns='urn:xmpp:rayo:1'/></iq>")
        await asyncio.wait_for(answered, TIMEOUT)
        await call.rtp.send_digits(key)
        return offer, await inbox.next(carries("dtmf"))
    finally:
        await client.close(TIMEOUT)
        await caller.stop()
        await server.stop()


def test_a_key_pressed_as_rfc4733_events_is_reported_as_dtmf():
    offer, event = asyncio.run(rfc4733_key_and_event("#"))
    assert event.sender == offer.sender
    assert offer.sender.endswith("@rayo.localhost/1")
    (dtmf,) = [child for child in event.payload() if child.tag == "{urn:xmpp:rayo:1}dtmf"]
    assert dtmf.attrib == {"signal": "#"}


def test_list_faults_names_the_dialects_each_fault_is_shown_in(capsys):
    assert list_faults() == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("hangup-without-bye ")][0].endswith("(xep0327, seed)")
    assert [line for line in lines if line.startswith("mute-ignored ")][0].endswith("(seed)")
    assert len([line for line in lines if line.startswith("hangup-without-bye ")]) == 1


def test_a_normal_message_goes_on_only_once_the_call_is_answered(xep_target, tmp_path):
    """Before the answer there is no dialog to carry a SIP MESSAGE: the reference refuses it (cancel)."""
    result = run_steps(xep_target, tmp_path, "message-before-answer", "xep0327", """
        - caller dials the server
        - expect offer
        - send message to {call}: {body: "too early"}
          expect: {error: feature-not-implemented, type: cancel}
        - send to {call}: <answer xmlns="urn:xmpp:rayo:1"/>
          expect: result
        - caller receives: 200
        - send message to {call}: {type: normal, body: "now"}
        - caller receives: {message: MESSAGE, body: now, headers: {Content-Type: text/plain;charset=UTF-8}}
        - expect nothing more from {call}
    """, ["R-6.8.1-d", "R-6.8.1-b"])
    assert_passes(result)
