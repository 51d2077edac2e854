"""Each legal variation of the reference server must pass the suite: a case it fails is a false fail."""

from __future__ import annotations

import re

import pytest

from conformance.reference.variations import CATALOGUE, Variation
from conformance.results import Verdict

from .conftest import describe, served, suite

RUNS = [(variation, dialect) for variation in CATALOGUE for dialect in variation.dialects]


def reach(variation: Variation, dialect: str) -> list:
    """The cases that can meet the variation: those whose text matches its `touches` (every case of the
    dialect without one). A case that never sends what the variation changes runs as on the default server."""
    return [case for case in served(dialect) if not variation.touches or re.search(variation.touches, case.text())]


@pytest.mark.parametrize("variation, dialect", RUNS, ids=[f"{v.name}-{d}" for v, d in RUNS])
def test_the_suite_passes_against_the_variation(variation, dialect, suite_runner):
    results = suite_runner(dialect=dialect, cases=reach(variation, dialect), variations=(variation.name,))
    expected = {case_id: Verdict.WARN for case_id in variation.warns}
    wrong = [describe(r) for r in results.values() if r.verdict is not expected.get(r.case_id, Verdict.PASS)]
    assert not wrong, f"{variation.name} is allowed by {variation.allowed_by}, yet:\n" + "\n".join(wrong)
    for case_id in shown_in(variation, dialect):
        assert re.search(variation.evidence, received(results[case_id]), re.M | re.S), \
            f"{case_id} shows no sign of {variation.name} ({variation.evidence!r}): the variation did not take effect"


def shown_in(variation: Variation, dialect: str) -> list[str]:
    return [case_id for case_id in variation.shown_in if case_id.startswith(dialect + ".")]


def received(result) -> str:
    return "\n".join(record.text for record in result.records if record.direction == "received")


@pytest.mark.parametrize("dialect", ("xep0327", "seed"))
def test_no_evidence_of_a_variation_shows_on_the_default_server(dialect, suite_runner):
    """The evidence names what the variation changes: the default server's transcript of the same cases lacks it."""
    evidence = {(v.name, case_id): v.evidence for v, d in RUNS if d == dialect for case_id in shown_in(v, d)}
    ids = {case_id for _, case_id in evidence}
    results = suite_runner(dialect=dialect, cases=[case for case in suite(dialect) if case.id in ids])
    assert all(r.verdict is Verdict.PASS for r in results.values()), [describe(r) for r in results.values()]
    shown = [key for key, pattern in evidence.items() if re.search(pattern, received(results[key[1]]), re.M | re.S)]
    assert shown == [], "the default server already shows these variations' evidence"


def test_each_variation_is_shown_in_every_dialect_it_is_run_in():
    assert [(v.name, d) for v, d in RUNS if not shown_in(v, d)] == []


def test_each_variation_is_shown_in_real_cases_it_reaches():
    reached = {(v.name, d): {case.id for case in reach(v, d)} for v, d in RUNS}
    assert [(v.name, c) for v, d in RUNS for c in shown_in(v, d) if c not in reached[v.name, d]] == []


def test_a_variation_warns_only_in_real_cases_of_its_dialects():
    ids = {case.id for dialect in ("xep0327", "seed") for case in suite(dialect)}
    assert [(v.name, c) for v in CATALOGUE for c in v.warns if c not in ids] == []


def test_no_name_is_both_a_fault_and_a_variation():
    from conformance.reference.faults import BY_NAME as FAULTS

    assert {v.name for v in CATALOGUE} & set(FAULTS) == set()
