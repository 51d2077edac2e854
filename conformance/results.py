"""What a case run produces: a verdict with its evidence. The report renders these."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
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
    level: str = "must"  # "must" fails the case; "should" only warns (unless strict); "note" never fails
    record: int | None = None  # seq of the transcript record it points at
    requirements: tuple[str, ...] = ()  # the catalogue ids of what was checked, where the check names them


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
    harness_cpu: float = 0.0  # CPU seconds the harness process used: its time outside waiting
    known_failure: str = ""  # why the target's baseline lists this case, when it failed


def result_to_dict(result: CaseResult) -> dict:
    """Everything of a result, as JSON-ready data (for parallel workers and results.json)."""
    data = asdict(result)
    data["verdict"] = result.verdict.value
    data["artifacts"] = [str(path) for path in result.artifacts]
    return data


def result_from_dict(data: dict) -> CaseResult:
    data = dict(data)
    data["verdict"] = Verdict(data["verdict"])
    data["findings"] = [Finding(**{**f, "requirements": tuple(f["requirements"])}) for f in data["findings"]]
    data["records"] = [Record(**r) for r in data["records"]]
    data["artifacts"] = [Path(p) for p in data["artifacts"]]
    return CaseResult(**data)
