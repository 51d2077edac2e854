"""Known findings: deviations a target's baseline accepts in whichever case they occur (docs/target.md).

Besides whole cases ([known-failures]), a baseline may list single findings
by the requirement they break, with an optional pattern their message must
match. A failed case whose every failing finding is known is reported as a
known failure; one unknown finding keeps it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .results import CaseResult, Finding

SCHEMA = "schema"  # the key of every schema violation, whichever requirement it names


@dataclass(frozen=True)
class KnownFinding:
    requirement: str  # a requirement id, or "schema"
    reason: str
    pattern: str = ""  # a regular expression searched in the finding's message; "" any

    def covers(self, finding: Finding, case_requirements: Sequence[str]) -> bool:
        if self.requirement == SCHEMA:
            named = finding.kind == "schema"
        else:
            # A check that names no requirement checks the case's (docs/scenarios.md).
            named = self.requirement in (finding.requirements or (case_requirements if finding.kind == "expectation" else ()))
        return named and re.search(self.pattern, finding.message) is not None


class KnownFindingError(ValueError):
    def __init__(self, requirement: str, problem: str):
        super().__init__(f"{requirement}: {problem}")
        self.requirement, self.problem = requirement, problem


def parse_known_findings(section: dict) -> tuple[KnownFinding, ...]:
    """[known-findings]: "R-7.2-a" = "reason", or = {reason = "...", pattern = "..."}."""
    known = []
    for requirement, entry in section.items():
        entry = {"reason": entry} if isinstance(entry, str) else entry
        if not isinstance(entry, dict) or set(entry) - {"reason", "pattern"} or not isinstance(entry.get("reason"), str):
            raise KnownFindingError(requirement, 'give the reason, or {reason = "...", pattern = "..."}')
        pattern = entry.get("pattern", "")
        try:
            re.compile(pattern)
        except (re.error, TypeError) as err:
            raise KnownFindingError(requirement, f"the pattern is not a regular expression: {err}") from None
        known.append(KnownFinding(requirement, entry["reason"], pattern))
    return tuple(known)


def excuse(result: CaseResult, known: Sequence[KnownFinding], strict: bool) -> str | None:
    """Why a failed case is a known failure: the reasons of its failing findings, when every one is known."""
    failing = [f for f in result.findings if f.level == "must" or (strict and f.level == "should")]
    reasons: list[str] = []
    for finding in failing:
        entry = next((k for k in known if k.covers(finding, result.requirements)), None)
        if entry is None:
            return None
        reasons.append(f"{entry.requirement}: {entry.reason}")
    return "known findings: " + "; ".join(dict.fromkeys(reasons)) if reasons else None
