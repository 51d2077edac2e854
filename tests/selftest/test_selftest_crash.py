"""A server that dies mid-case fails that case with evidence, and the run goes on."""

from __future__ import annotations

import asyncio
import time

from conformance.reference.process import ReferenceProcess
from conformance.resources import scenarios_dir
from conformance.results import Verdict
from conformance.scenario.loader import load_case
from conformance.scenario.runner import CaseRunner, run_case


def test_killing_the_server_mid_case_fails_the_case_and_the_next_one_still_ends(tmp_path):
    answered = load_case(scenarios_dir() / "xep0327" / "inbound" / "answer-then-client-hangup.yaml")
    unknown = load_case(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml")
    reference = ReferenceProcess(workdir=tmp_path / "reference")
    target = reference.start()

    async def run():
        runner = CaseRunner(answered, target, tmp_path / "first")

        def kill_on_offer(record):
            if record.direction == "received" and "offer" in record.label:
                reference.kill()  # SIGKILL: no goodbye on the XMPP stream or SIP

        runner.transcript.subscribe(kill_on_offer)
        first = await runner.run()
        started = time.monotonic()
        second = await run_case(unknown, target, tmp_path / "second")
        return first, second, time.monotonic() - started

    try:
        first, second, second_took = asyncio.run(run())
    finally:
        reference.stop()
    assert first.verdict is Verdict.FAIL
    assert any("closed" in f.message for f in first.findings), first.findings
    assert any(r.label.startswith("presence offer") or "offer" in r.label for r in first.records)
    assert second.verdict is Verdict.INCONCLUSIVE, second.findings
    assert "could not log in" in second.findings[0].message
    assert second_took < target.timeouts["connect"]
