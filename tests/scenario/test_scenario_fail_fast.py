"""A wait ends as soon as its outcome is decided, not when its time is up: against a
reference server with a fault, a case fails in a fraction of its timeouts, saying why."""

from __future__ import annotations

import asyncio
import re

import pytest

from conformance.reference.process import ReferenceProcess
from conformance.resources import scenarios_dir
from conformance.results import Verdict
from conformance.scenario.loader import load_case
from conformance.scenario.runner import run_case
from conformance.target import Timeouts

# Long timeouts: a case that ran one out could not end within half of it.
TIMEOUTS = Timeouts(event=10.0, sip=10.0)


@pytest.mark.parametrize(
    "fault, case, why",
    [
        # mod_rayo: an output of a URL is acknowledged, then completes with an error; its tone never comes
        ("url-document-errors", "output/audio-file-finishes",
         r"caller hears: .*heard nothing, and \S+/output-\S+ had already completed with an error"),
        # the call's end came with another reason: no other end can follow it, so that one is taken
        # at once as the awaited end with another detail
        ("hangup-command-reported-as-hungup", "inbound/answer-then-client-hangup",
         r"expect from \{call\}: .*it came with other details: .*<end xmlns=\"urn:xmpp:rayo:1\"><hungup/></end>"),
        # the caller got 603 where 486 was expected: its call is over, no other final response comes
        # (the reject codes are a suite decision, A15: the case warns)
        ("reject-codes-swapped", "inbound/reject-busy", r"caller receives: expected caller to receive 486\b.*; caller's call had already ended \(ended rejected\)"),
    ],
    ids=["component-completed", "call-ended", "sip-call-ended"],
)
def test_a_case_fails_as_soon_as_what_it_waits_on_has_ended(fault: str, case: str, why: str, tmp_path) -> None:
    loaded = load_case(scenarios_dir() / "xep0327" / f"{case}.yaml")
    with ReferenceProcess((fault,), workdir=tmp_path / "reference") as target:
        result = asyncio.run(run_case(loaded, target.with_options(timeouts=TIMEOUTS), tmp_path / "case"))
    assert result.verdict is not Verdict.PASS
    assert any(re.search(why, f.message) for f in result.findings), [f.message for f in result.findings]
    assert result.duration < TIMEOUTS.event / 2
