"""Loading catalogue files (file:line for every problem) and the checks between cases and catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.scenario.loader import ScenarioError, load_case
from conformance.scenario.requirements import Catalogue, check, coverage, load_catalogue, status

HEAD = "dialect: xep0327\nsource: a test\nrequirements:\n"


def entry(rid: str, level: str = "MUST", actor: str = "server", **extra: str) -> str:
    lines = [f"  - id: {rid}", '    section: "6.2.2"', f"    level: {level}", f"    actor: {actor}", "    text: something happens"]
    return "\n".join(lines + [f"    {key}: {value}" for key, value in extra.items()]) + "\n"


def write(tmp_path: Path, text: str, name: str = "xep0327.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_catalogue(list(paths))
    return [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]


def case_file(tmp_path: Path, requirements: str, step_requirements: str = "", name: str = "case.yaml") -> Path:
    text = (
        f"id: xep0327.test.{name.removesuffix('.yaml')}\ntitle: a case\nsection: \"6.2.2\"\n"
        f"requirements: [{requirements}]\ndialects: [xep0327]\nsteps:\n  - caller dials the server\n"
        "  - expect offer:\n"
    )
    if step_requirements:
        text += f"    requirements: [{step_requirements}]\n"
    return write(tmp_path, text, name)


# --- bad files ---------------------------------------------------------------------


def test_yaml_syntax_error_gives_its_line(tmp_path):
    path = write(tmp_path, HEAD + entry("R-6.2.2-a") + entry("R-6.2.2-b").replace("something happens", "a: b"))
    [(name, line, message)] = problems(path)
    assert (name, line) == ("xep0327.yaml", 13)
    assert message == "YAML syntax: mapping values are not allowed here"


def test_a_wrong_field_names_the_entry_and_its_line(tmp_path):
    path = write(tmp_path, HEAD + entry("R-6.2.2-a") + entry("R-6.2.2-b", level="must(lc)"))
    [(name, line, message)] = problems(path)
    assert line == 11
    assert message.startswith("R-6.2.2-b, level: 'must(lc)' is not one of")


def test_a_missing_field_is_reported_at_its_entry(tmp_path):
    path = write(tmp_path, HEAD + entry("R-6.2.2-a").replace("    actor: server\n", ""))
    [(name, line, message)] = problems(path)
    assert (line, message) == (4, "R-6.2.2-a: 'actor' is a required property")


def test_an_entry_cannot_be_both_untestable_and_pending(tmp_path):
    path = write(tmp_path, HEAD + entry("R-6.2.2-a", untestable="why", pending="which"))
    assert problems(path) == [("xep0327.yaml", 4, "R-6.2.2-a: an entry is either untestable or pending, not both")]


def test_an_id_listed_twice_gives_both_places_even_across_files(tmp_path):
    first = write(tmp_path, HEAD + entry("R-6.2.2-a"))
    second = write(tmp_path, HEAD + entry("R-6.2.2-b") + entry("R-6.2.2-a"), "more.yaml")
    [(name, line, message)] = problems(first, second)
    assert (name, line) == ("more.yaml", 9)
    assert message.startswith("R-6.2.2-a is listed twice (first at ") and message.endswith("xep0327.yaml:4)")


def test_ids_must_fit_the_dialect_of_their_file(tmp_path):
    path = write(tmp_path, HEAD + entry("R-seed.3-a"))
    assert problems(path) == [("xep0327.yaml", 4, "R-seed.3-a: the ids of a xep0327 file do not start with R-seed. (A-seed. for a decision)")]
    seed = write(tmp_path, HEAD.replace("xep0327", "seed") + entry("R-6.2.2-a"), "seed.yaml")
    assert problems(seed) == [("seed.yaml", 4, "R-6.2.2-a: the ids of a seed file start with R-seed. (A-seed. for a decision)")]


def test_a_decision_and_only_a_decision_has_an_a_id(tmp_path):
    path = write(tmp_path, HEAD + entry("A2", level="decision") + entry("A3") + entry("R-6.2.2-a", level="decision"))
    assert problems(path) == [("xep0327.yaml", 9, "A3: an A id names a decision (level: decision)"),
                              ("xep0327.yaml", 14, "R-6.2.2-a: a decision has an A id (level: decision)")]


# --- the checks --------------------------------------------------------------------


def catalogue(tmp_path: Path, *entries: str) -> Catalogue:
    return load_catalogue([write(tmp_path, HEAD + "".join(entries))])


def messages(cases, cat: Catalogue) -> list[str]:
    return [p.message for p in check(cases, cat)]


def test_a_graded_server_requirement_needs_a_case_a_reason_or_a_pending_note(tmp_path):
    cat = catalogue(
        tmp_path,
        entry("R-6.2.2-a"),
        entry("R-6.2.2-b", level="should"),
        entry("R-6.2.2-c", untestable="needs ASR"),
        entry("R-6.2.2-d", pending="a case, one day"),
        entry("R-6.2.2-e", level="MAY"),
        entry("R-6.2.2-f", level="statement"),
        entry("R-6.2.2-g", actor="client"),
        entry("R-6.2.2-h"),
    )
    case = load_case(case_file(tmp_path, "R-6.2.2-h"))
    found = [(p.line, p.message) for p in check([case], cat)]
    assert found == [
        (4, "R-6.2.2-a (MUST, server) has no case, no untestable reason and no pending note"),
        (9, "R-6.2.2-b (should, server) has no case, no untestable reason and no pending note"),
    ]


def test_a_covered_requirement_cannot_be_untestable_or_pending(tmp_path):
    cat = catalogue(tmp_path, entry("R-6.2.2-a", untestable="why not"), entry("R-6.2.2-b", pending="some case"))
    case = load_case(case_file(tmp_path, "R-6.2.2-a, R-6.2.2-b"))
    assert messages([case], cat) == [
        "R-6.2.2-a is marked untestable, yet cases test it: xep0327.test.case",
        "R-6.2.2-b is marked pending, yet cases test it: xep0327.test.case; drop the note",
    ]


def test_coverage_comes_from_the_cases_lists_and_their_steps(tmp_path):
    cat = catalogue(tmp_path, entry("R-6.2.2-a"), entry("R-6.2.2-b"), entry("R-6.2.2-c", pending="later"))
    one = load_case(case_file(tmp_path, "R-6.2.2-a", name="one.yaml"))
    two = load_case(case_file(tmp_path, "R-6.2.2-a", step_requirements="R-6.2.2-b", name="two.yaml"))
    covered_by = coverage([one, two], cat)
    assert covered_by == {
        "R-6.2.2-a": ("xep0327.test.one", "xep0327.test.two"),
        "R-6.2.2-b": ("xep0327.test.two",),
        "R-6.2.2-c": (),
    }
    assert [status(r, covered_by[r.id]) for r in cat.requirements] == ["covered", "covered", "pending"]
    assert check([one, two], cat) == []
