"""Requirement coverage of a run: per requirement of the run's dialect, the
cases of this run that test it, or why none can, or which case would.

The requirements come from the catalogue the caller hands over; the report
reads no file of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from ..results import CaseResult
from ..scenario.requirements import Requirement, levels

# A requirement's state in one run. "not tested" is a requirement the catalogue
# does not excuse but no case of this run names (a filtered run, or a gap).
STATUSES = ("tested", "untestable", "pending", "not tested")
COVERAGE_PAGE = "coverage.html"


@dataclass(frozen=True)
class Tested:
    result: CaseResult
    page: str  # the case's page, relative to the report directory


@dataclass(frozen=True)
class RequirementRow:
    requirement: Requirement
    tested: tuple[Tested, ...]  # the run's cases that name it, in run order

    @property
    def status(self) -> str:
        if self.tested:
            return "tested"
        if self.requirement.untestable:
            return "untestable"
        return "pending" if self.requirement.pending else "not tested"


def coverage_rows(requirements: Sequence[Requirement], results: Sequence[CaseResult], pages: Sequence[str]) -> list[RequirementRow]:
    """One row per requirement, in catalogue order; `pages[i]` is results[i]'s page."""
    naming: dict[str, list[Tested]] = {}
    for result, page in zip(results, pages):
        for requirement_id in dict.fromkeys(result.requirements):
            naming.setdefault(requirement_id, []).append(Tested(result, page))
    return [RequirementRow(r, tuple(naming.get(r.id, ()))) for r in requirements]


def counts_by_level(rows: Sequence[RequirementRow]) -> dict[str, Counter[str]]:
    """Per level, in the catalogue's level order, how many rows are in each status."""
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        counts.setdefault(row.requirement.level, Counter())[row.status] += 1
    return {level: counts[level] for level in levels() if level in counts}
