"""The shipped requirement catalogue: complete against the digest, and in step with the shipped cases."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from conformance.resources import case_files
from conformance.scenario.loader import load_cases
from conformance.scenario.requirements import check, coverage, load_catalogue, summary

# The digest is project material beside the checkout (../shared), not shipped with it.
DIGEST = Path(__file__).resolve().parents[3] / "shared" / "spec" / "xep0327-digest.md"
SEED_PAGE_TOPICS = 16  # the seed page's behaviours, numbered by its own headings


class PendingRequirements(UserWarning):
    """Not a fault: shows, in every run, how many requirements still wait for a case."""


def digest_ids(text: str) -> set[str]:
    """Every R- id of the digest's §4, combined ids split ("R-7.14-a / R-7.15-a", "R-7.19.3.2…7-a", ...)."""
    section = text[text.index("## 4. Normative requirements"):text.index("## 5. ")]
    ids: set[str] = set()
    for bold in re.findall(r"\*\*(R-[^*]+)\*\*", section):  # a bullet may define two ids (R-11-a, R-11-b)
        ids |= split_combined(bold)
    return ids


def split_combined(name: str) -> set[str]:
    first, *others = [part.strip() for part in name.split(" / ")]
    number, letter = re.fullmatch(r"R-([0-9.…/]+)-([a-z])", first).groups()
    ids = set(_expand(number, letter))
    for other in others:  # "R-7.15-a", or ".4-a": the last number of the first id replaced
        found = re.fullmatch(r"(?:R-([0-9.]+)|\.([0-9]+))-([a-z])", other)
        full = found[1] or number.rsplit(".", 1)[0] + "." + found[2]
        ids.add(f"R-{full}-{found[3]}")
    return ids


def _expand(number: str, letter: str) -> list[str]:
    """7.19.3.2…7 -> 7.19.3.2 .. 7.19.3.7; 7.19.6.5/6/7 -> 7.19.6.5, .6, .7; others as they are."""
    stem, _, last = number.rpartition(".")
    if "…" in last:
        low, high = map(int, last.split("…"))
        return [f"R-{stem}.{n}-{letter}" for n in range(low, high + 1)]
    return [f"R-{stem + '.' if stem else ''}{n}-{letter}" for n in last.split("/")]


def test_the_digest_parser_splits_every_combined_form():
    assert split_combined("R-6.2.2-a") == {"R-6.2.2-a"}
    assert split_combined("R-7.14-a / R-7.15-a") == {"R-7.14-a", "R-7.15-a"}
    assert split_combined("R-6.5.3.2.3-a / .4-a") == {"R-6.5.3.2.3-a", "R-6.5.3.2.4-a"}
    assert split_combined("R-7.19.3.2…4-a") == {"R-7.19.3.2-a", "R-7.19.3.3-a", "R-7.19.3.4-a"}
    assert split_combined("R-7.19.6.5/6/7-a") == {"R-7.19.6.5-a", "R-7.19.6.6-a", "R-7.19.6.7-a"}
    assert split_combined("R-10-b") == {"R-10-b"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def cases():
    return load_cases(case_files())


def test_the_catalogue_holds_exactly_the_ids_of_the_digest(catalogue):
    expected = digest_ids(DIGEST.read_text(encoding="utf-8"))
    listed = {r.id for r in catalogue.of_dialect("xep0327")}
    assert not expected - listed, f"missing from xep0327.yaml: {sorted(expected - listed)}"
    assert not listed - expected, f"not in the digest: {sorted(listed - expected)}"


def test_seed_ids_number_the_seed_pages_topics(catalogue):
    seed = catalogue.of_dialect("seed")
    topics = {int(re.fullmatch(r"R-seed\.([0-9]+)-[a-z]", r.id)[1]) for r in seed}
    assert topics == set(range(1, SEED_PAGE_TOPICS + 1))
    assert all(r.section == "seed." + r.id.split(".")[1].split("-")[0] for r in seed)


def test_every_section_is_the_number_its_id_carries(catalogue):
    wrong = [r.id for r in catalogue.of_dialect("xep0327") if f"R-{r.section}-" not in r.id]
    assert not wrong


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
