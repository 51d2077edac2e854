"""results.json: the machine-readable evidence of a run (shape in docs/report.md).

Field names follow the dataclasses in conformance/results.py and
conformance/transcript.py, so a reader of one knows the other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any, Sequence

from ..results import CaseResult, Verdict
from .artifacts import PlacedArtifact
from .coverage import RequirementRow
from .markup import relative_ms
from .run import RunInfo

FORMAT = "rayo-conformance-results/1"


def _run(run: RunInfo) -> dict[str, Any]:
    fields = asdict(run)
    fields["started"] = run.started.isoformat()
    return fields


def _records(result: CaseResult) -> list[dict[str, Any]]:
    times = relative_ms(result.records)
    return [{**asdict(r), "ms": times[r.seq]} for r in result.records]


def _case(result: CaseResult, page: str, artifacts: Sequence[PlacedArtifact]) -> dict[str, Any]:
    return {
        "case_id": result.case_id,
        "title": result.title,
        "dialect": result.dialect,
        "section": result.section,
        "requirements": list(result.requirements),
        "source": result.source,
        "verdict": result.verdict.value,
        "duration": result.duration,
        "harness_cpu": result.harness_cpu,
        "known_failure": result.known_failure,
        "started": result.started,
        "page": page,
        "findings": [asdict(f) for f in result.findings],
        "artifacts": [asdict(a) for a in artifacts],
        "records": _records(result),
    }


def _requirement(row: RequirementRow) -> dict[str, Any]:
    r = row.requirement
    return {
        "id": r.id,
        "section": r.section,
        "level": r.level,
        "actor": r.actor,
        "text": r.text,
        "status": row.status,
        "cases": [{"case_id": t.result.case_id, "verdict": t.result.verdict.value, "page": t.page} for t in row.tested],
        "untestable": r.untestable,
        "pending": r.pending,
    }


def results_document(
    results: Sequence[CaseResult],
    run: RunInfo,
    pages: Sequence[str],
    artifacts: Sequence[Sequence[PlacedArtifact]],
    coverage: Sequence[RequirementRow] | None = None,
) -> dict[str, Any]:
    """The whole run; `pages[i]` and `artifacts[i]` belong to `results[i]`; coverage when there is a catalogue."""
    counts = Counter(r.verdict for r in results)
    document = {
        "format": FORMAT,
        "run": _run(run),
        "counts": {v.value: counts[v] for v in Verdict},
        "cases": [_case(r, p, a) for r, p, a in zip(results, pages, artifacts)],
    }
    if coverage is not None:
        document["coverage"] = [_requirement(row) for row in coverage]
    return document
