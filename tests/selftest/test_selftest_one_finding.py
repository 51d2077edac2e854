"""One finding does not hide the rest: a case goes on after a message that came with a wrong detail,
or one more than expected, and a later deviation of the same case is reported too (docs/verdicts.md)."""

from __future__ import annotations

import re

import pytest

from conformance.reference.faults import CATALOGUE
from conformance.results import Verdict

from .conftest import describe, suite

# (a fault breaking a detail of an early message, its evidence; a fault of a later step, its evidence)
PAIRS = [
    ("offer-without-caps", "caps.* missing", "hangup-command-reported-as-hungup", "hangup-command"),
    ("end-not-unavailable", "presence type is available", "event-after-end", "sent more"),
    # An extra message is a finding too, and the case goes on to its next command.
    ("mixer-names-global", "sent more", "mixer-visible-across-zones", "expected error item-not-found; got result"),
]


def caught_by(name: str) -> set[str]:
    return {case_id for fault in CATALOGUE if fault.name == name and fault.dialect == "xep0327" for case_id in fault.caught_by}


@pytest.mark.parametrize("early, early_evidence, later, later_evidence", PAIRS, ids=[pair[0] for pair in PAIRS])
def test_a_wrong_detail_early_does_not_hide_a_later_deviation(early, early_evidence, later, later_evidence, suite_runner):
    both = caught_by(early) & caught_by(later)
    assert both, f"no case catches both {early} and {later}"
    results = suite_runner((early, later), cases=[case for case in suite() if case.id in both])
    for result in results.values():
        assert result.verdict is Verdict.FAIL, describe(result)
        first = [f.step for f in result.findings if re.search(early_evidence, f.message)]
        then = [f.step for f in result.findings if re.search(later_evidence, f.message)]
        assert first and then and min(first) < max(then), f"{early} hid {later}:\n{describe(result)}"
