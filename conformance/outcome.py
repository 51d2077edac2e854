"""The run's exit code, made one a CI job can trust (docs/verdicts.md).

pytest's codes say whether a test failed. A conformance run needs three more
answers: a broken scenario file is a usage error like a broken target file (4,
where pytest says 2 for an interrupted collection); a run in which no case
reached a verdict, every one inconclusive or not applicable, proved nothing
and is not a success (7); nor is a certification in which a case was
inconclusive, since it has no verdict for that case's requirements (7); nor is
a run the circuit breaker cut short, the server having stopped answering (6).
"""

from __future__ import annotations

import pytest

from . import breaker
from .results import CaseResult, Verdict

UNREACHABLE = 6  # the server under test cannot be used at all (the pre-run check says why)
NO_VERDICT = 7  # no case reached a verdict; or a certification with an inconclusive case


class RunOutcome:
    def __init__(self, certify: bool):
        self.certify = certify
        self.cases: set[str] = set()  # Rayo cases that ran or were skipped (node ids)
        self.decided: set[str] = set()  # of them, those that reached pass, warn or fail
        self.inconclusive = 0
        self.not_run = 0  # cases the circuit breaker ended: the server had stopped answering
        self.broken_files: list[str] = []  # scenario files that could not be loaded

    def collected(self, report: pytest.CollectReport) -> None:
        if getattr(report, "rayo_broken_scenario", False):
            self.broken_files.append(report.nodeid)

    def reported(self, report: pytest.TestReport, results: list[CaseResult]) -> None:
        """One phase of a test; a Rayo case is one with the rayo marker or results of its own."""
        if "rayo" not in report.keywords and not results:
            return
        self.inconclusive += sum(result.verdict is Verdict.INCONCLUSIVE for result in results)
        self.not_run += sum(any(f.kind == breaker.KIND for f in result.findings) for result in results)
        self.cases.add(report.nodeid)
        if report.when == "call" and (report.passed or report.failed or hasattr(report, "wasxfail")):
            self.decided.add(report.nodeid)

    def exit_code(self, status: int) -> int:
        if self.broken_files:
            return pytest.ExitCode.USAGE_ERROR
        if status == pytest.ExitCode.OK and self.not_run:
            return UNREACHABLE
        if status == pytest.ExitCode.OK and self.sentence():
            return NO_VERDICT
        return status

    def sentence(self) -> str:
        """Why the run is not a success although pytest may think so, or ""."""
        if self.not_run:
            return f"the server stopped answering: {self.not_run} case(s) did not run"
        if self.cases and not self.decided:
            return f"no case reached a verdict: all {len(self.cases)} were inconclusive or not applicable; the server was not tested"
        if self.certify and self.inconclusive:
            return (f"the certification did not pass: {self.inconclusive} case(s) inconclusive, and a certification "
                    "needs a verdict for every applicable case")
        return ""
