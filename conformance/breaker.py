"""The circuit breaker: a server that has stopped answering is not waited on case after case.

A case in which the server sent nothing at all (not one XMPP byte, not one SIP
message) ran into its timeouts one by one, about 10 s a case: over 20 minutes
for the suite against a server gone quiet after the pre-run check. After
`limit` such cases in a row ([run] silent_limit in the target), every case
left ends at once as inconclusive, with one sentence saying why, and the
report is written as usual. Each xdist worker counts its own cases.
"""

from __future__ import annotations

from .results import CaseResult, Finding, Verdict
from .scenario.model import Case

KIND = "server-silent"  # the kind of the finding of a case the breaker ended (outcome.py counts them)


def answered(result: CaseResult) -> bool:
    """Whether the server sent the case anything at all, on XMPP or SIP."""
    return any(record.direction == "received" and record.channel in ("xmpp", "sip") for record in result.records)


class CircuitBreaker:
    def __init__(self, limit: int):
        self.limit = limit  # 0: never open
        self.silent = 0  # cases in a row the server did not answer at all

    @property
    def open(self) -> bool:
        return 0 < self.limit <= self.silent

    def note(self, result: CaseResult) -> None:
        # A case that did not run, or that the harness broke, says nothing of the server.
        if result.verdict not in (Verdict.NOT_APPLICABLE, Verdict.ERROR):
            self.silent = 0 if answered(result) else self.silent + 1

    def ended(self, case: Case, dialect: str) -> CaseResult:
        """The result of a case not run because the breaker is open."""
        return CaseResult(
            case_id=case.id,
            title=case.title,
            dialect=dialect,
            section=case.section,
            requirements=list(case.named_requirements()),
            source=case.source,
            verdict=Verdict.INCONCLUSIVE,
            findings=[Finding(KIND, f"not run: the server has not answered at all in {self.silent} cases in a row "
                                    f"(silent_limit = {self.limit} in the target's [run]), so the cases left end here")],
        )
