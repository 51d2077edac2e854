"""The shipped requirement catalogue: complete against the digest, and in step with the shipped cases."""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path

import pytest

from conformance.resources import case_files
from conformance.scenario.loader import load_cases
from conformance.scenario.requirements import check, coverage, load_catalogue, summary

# The digest is project material beside the checkout (../shared), not shipped with it: its ids
# and levels are kept here as a snapshot, made by tools/digest_requirements.py.
HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "digest-requirements.tsv"
SEED_PAGE_TOPICS = 16  # the seed page's behaviours, numbered by its own headings


class PendingRequirements(UserWarning):
    """Not a fault: shows, in every run, how many requirements still wait for a case."""


def _digest_tool():
    spec = importlib.util.spec_from_file_location("digest_requirements", HERE.parents[1] / "tools" / "digest_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digest_levels() -> dict[str, str]:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def test_the_digest_parser_splits_every_combined_form():
    split_combined = _digest_tool().split_combined
    assert split_combined("R-6.2.2-a") == {"R-6.2.2-a"}
    assert split_combined("R-7.14-a / R-7.15-a") == {"R-7.14-a", "R-7.15-a"}
    assert split_combined("R-6.5.3.2.3-a / .4-a") == {"R-6.5.3.2.3-a", "R-6.5.3.2.4-a"}
    assert split_combined("R-7.19.3.2…4-a") == {"R-7.19.3.2-a", "R-7.19.3.3-a", "R-7.19.3.4-a"}
    assert split_combined("R-7.19.6.5/6/7-a") == {"R-7.19.6.5-a", "R-7.19.6.6-a", "R-7.19.6.7-a"}
    assert split_combined("R-10-b") == {"R-10-b"}


def test_the_digest_parser_takes_each_level_from_its_bullet_or_its_heading():
    text = """## 4. Normative requirements
- **R-1-a** (MUST, S) one. **R-1-b** (should(lc)) two.
### §2 Errors (all should(lc), S; iq error)
- **R-2-a** bare bullet.
- **R-2-b** (MAY, C) its own.
### §3 Notes
- **R-3-a / R-3.1-a** (stmt) combined.
- **R-3-b** (from §2 example) no keyword.
## 5. Next
"""
    assert _digest_tool().requirements(text) == {
        "R-1-a": "MUST", "R-1-b": "should", "R-2-a": "should", "R-2-b": "MAY",
        "R-3-a": "statement", "R-3.1-a": "statement", "R-3-b": "statement"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def cases():
    return load_cases(case_files())


def test_the_catalogue_holds_exactly_the_ids_of_the_digest_at_its_levels(catalogue):
    expected = digest_levels()
    listed = {r.id: r.level for r in catalogue.of_dialect("xep0327") if not r.decision}
    assert not expected.keys() - listed.keys(), f"missing from xep0327.yaml: {sorted(expected.keys() - listed.keys())}"
    assert not listed.keys() - expected.keys(), f"not in the digest: {sorted(listed.keys() - expected.keys())}"
    other = {name: (level, expected[name]) for name, level in listed.items() if level != expected[name]}
    assert not other, f"levels other than the digest's (catalogue, digest): {other}"


def test_seed_ids_number_the_seed_pages_topics(catalogue):
    seed = [r for r in catalogue.of_dialect("seed") if not r.decision]
    topics = {int(re.fullmatch(r"R-seed\.([0-9]+)-[a-z]", r.id)[1]) for r in seed}
    assert topics == set(range(1, SEED_PAGE_TOPICS + 1))
    assert all(r.section == "seed." + r.id.split(".")[1].split("-")[0] for r in seed)


def test_every_section_is_the_number_its_id_carries(catalogue):
    wrong = [r.id for r in catalogue.of_dialect("xep0327") if not r.decision and f"R-{r.section}-" not in r.id]
    assert not wrong


def test_the_decisions_are_the_suites_on_the_ambiguities_cases_meet(catalogue, cases):
    """Each decision is named by a case: a decision no step checks would only clutter the report."""
    decisions = {r.id for r in catalogue.requirements if r.decision}
    assert {"A6", "A14", "A15", "A-seed.1"} <= decisions
    named = {rid for case in cases for rid in case.named_requirements()}
    assert decisions <= named, f"decisions no case names: {sorted(decisions - named)}"


def test_the_shipped_cases_and_the_catalogue_agree(cases, catalogue):
    """Known ids only; every graded server-side requirement covered, untestable or pending; notes honest."""
    problems = [f"{p.file}:{p.line}: {p.message}" for p in check(cases, catalogue)]
    assert not problems, "\n".join(problems)


def test_every_graded_server_requirement_of_the_digest_is_accounted_for(cases, catalogue):
    covered_by = coverage(cases, catalogue)
    graded = [r for r in catalogue.of_dialect("xep0327") if r.graded]
    assert len(graded) > 100
    unaccounted = [r.id for r in graded if not (covered_by[r.id] or r.untestable or r.pending)]
    assert not unaccounted
    for dialect in ("xep0327", "seed"):
        counts = summary(catalogue, covered_by, dialect)
        pending = ", ".join(f"{level} {c['pending']}" for level, c in counts.items() if c["pending"])
        if pending:
            warnings.warn(PendingRequirements(f"{dialect} requirements waiting for a case, by level: {pending}"))
