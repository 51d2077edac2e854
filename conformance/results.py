"""What a case run produces: a verdict with its evidence. The report renders these."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from .transcript import Record


class Verdict(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"  # a SHOULD-level requirement not met (fail under --strict)
    INCONCLUSIVE = "inconclusive"  # the precondition could not be set up
    NOT_APPLICABLE = "not-applicable"  # excluded by the capability statement
    ERROR = "error"  # a fault of the harness itself


@dataclass(frozen=True)
class Finding:
    """One thing the case found wrong: a failed expectation or a schema violation."""

    kind: str  # "expectation", "schema", "setup", "harness"
    message: str  # a sentence a reviewer can read: what was expected, what came
    step: int | None = None  # 1-based step of the scenario, where there is one
    expected: str = ""
    actual: str = ""
    level: str = "must"  # "must" fails the case; "should" only warns (unless strict)
    record: int | None = None  # seq of the transcript record it points at


@dataclass
class CaseResult:
    case_id: str
    title: str
    dialect: str
    section: str = ""
    requirements: list[str] = field(default_factory=list)
    source: str = ""  # scenario file:line
    verdict: Verdict = Verdict.PASS
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    artifacts: list[Path] = field(default_factory=list)  # SIPp traces and the like
    started: float = 0.0  # monotonic
    duration: float = 0.0  # seconds
