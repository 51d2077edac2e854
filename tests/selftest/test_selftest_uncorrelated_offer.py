"""An offer the harness cannot match to its SIP call makes the case inconclusive, not failed."""

from __future__ import annotations

import asyncio

from conformance.reference.process import ReferenceProcess
from conformance.results import Verdict
from conformance.scenario.loader import load_case_text
from conformance.scenario.runner import CaseRunner
from conformance.target import Timeouts

CASE = """\
id: test.uncorrelated-offer
title: an offer is awaited
section: "6.2.2"
requirements: [R-6.2.2-e]
dialects: [xep0327]
steps:
  - caller dials the server
  - expect offer
"""


def test_an_offer_without_the_callers_token_is_inconclusive_and_says_what_was_missing(tmp_path):
    with ReferenceProcess(workdir=tmp_path / "reference") as target:
        target = target.with_options(timeouts=Timeouts(scale=0.3))  # the offer that does not fit is awaited in vain
        runner = CaseRunner(load_case_text(CASE, "uncorrelated"), target, tmp_path / "case")
        dial = runner.do_CallerDials

        async def dial_then_forget_the_token(step):
            # As if the server had dropped the token from both places it travels in: the harness
            # awaits a token the INVITE did not carry.
            await dial(step)
            runner.tokens[step.party] = "rayo-token-the-server-never-saw"

        runner.do_CallerDials = dial_then_forget_the_token
        result = asyncio.run(runner.run())
    assert result.verdict is Verdict.INCONCLUSIVE, result.findings
    message = result.findings[-1].message
    assert "cannot tell whose call it is" in message and "X-Harness-Call" in message
    assert "rayo-token-the-server-never-saw" in message and "<offer" in message
