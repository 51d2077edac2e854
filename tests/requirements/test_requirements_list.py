"""rayo-conformance list [--requirements]: the cases, the catalogue with its coverage, and file:line when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import resources
from conformance.cli import main
from conformance.resources import case_files
from conformance.scenario.loader import load_cases
from conformance.scenario.requirements import load_catalogue

CASE = """\
id: xep0327.test.offer
title: An inbound call is offered
section: "6.2.2"
requirements: [R-6.2.2-a]
dialects: [xep0327, seed]
steps:
  - caller dials the server
  - expect offer
"""

CATALOGUE = """\
dialect: xep0327
source: a test
requirements:
  - id: R-6.2.2-a
    section: "6.2.2"
    level: MUST
    actor: server
    text: An inbound call is offered.
  - id: R-6.2.2-b
    section: "6.2.2"
    level: SHOULD
    actor: server
    text: Routing is the server's own.
    untestable: internal to the server.
  - id: R-6.2.2-c
    section: "6.2.2"
    level: should
    actor: server
    text: Something testable.
    pending: "case: one day. Needs: nothing new."
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["list", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def own_scenarios(tmp_path, monkeypatch) -> Path:
    """A scenarios directory of the test's own, in place of the shipped one."""
    root = tmp_path / "scenarios"
    (root / "requirements").mkdir(parents=True)
    (root / "case.yaml").write_text(CASE, encoding="utf-8")
    (root / "requirements" / "xep0327.yaml").write_text(CATALOGUE, encoding="utf-8")
    monkeypatch.setattr(resources, "scenarios_dir", lambda: root)
    return root


def test_list_prints_every_shipped_case_with_its_requirements_dialects_and_needs(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    cases = load_cases(case_files())
    for case in cases:
        assert f"{case.id}: {case.title}" in out
    assert out.rstrip().endswith(f"{len(cases)} cases")


def test_list_shows_one_case_in_full(capsys, own_scenarios):
    code, out, _ = run(capsys)
    assert (code, out) == (0, (
        "xep0327.test.offer: An inbound call is offered\n"
        "    requirements: R-6.2.2-a\n"
        "    dialects: xep0327 seed; needs: nothing\n"
        "1 cases\n"
    ))


def test_list_requirements_prints_every_shipped_id_and_a_summary_per_dialect(capsys):
    code, out, _ = run(capsys, "--requirements")
    assert code == 0
    listed = [line.split(" ", 1)[0] for line in out.splitlines() if line.startswith(("R-", "A"))]
    assert listed == [r.id for r in load_catalogue().requirements]
    assert "\nxep0327: 228 requirements\n" in out
    assert "\nseed: " in out


def test_list_requirements_says_what_tests_each_id_and_counts_them_by_level(capsys, own_scenarios):
    code, out, _ = run(capsys, "--requirements")
    assert (code, out) == (0, (
        "R-6.2.2-a MUST server: An inbound call is offered.\n"
        "    tested by xep0327.test.offer\n"
        "R-6.2.2-b SHOULD server: Routing is the server's own.\n"
        "    untestable: internal to the server.\n"
        "R-6.2.2-c should server: Something testable.\n"
        "    pending: case: one day. Needs: nothing new.\n"
        "xep0327: 3 requirements\n"
        "    MUST: 1 (1 covered)\n"
        "    SHOULD: 1 (1 untestable)\n"
        "    should: 1 (1 pending)\n"
    ))


def test_a_broken_catalogue_stops_list_with_file_and_line(capsys, own_scenarios):
    catalogue = own_scenarios / "requirements" / "xep0327.yaml"
    catalogue.write_text(CATALOGUE.replace("level: SHOULD", "level: SHALL"), encoding="utf-8")
    code, out, err = run(capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"{catalogue}:11: R-6.2.2-b, level: 'SHALL' is not one of")
    assert "      11 |     level: SHALL" in err  # the line quoted


def test_a_broken_case_or_an_unknown_id_stops_list_with_file_and_line(capsys, own_scenarios):
    case = own_scenarios / "case.yaml"
    case.write_text(CASE.replace("[R-6.2.2-a]", "[R-6.2.2-q]"), encoding="utf-8")
    code, _, err = run(capsys, "--requirements")
    assert code == 1
    assert f"{case}:4: xep0327.test.offer names R-6.2.2-q, which the requirement catalogue does not know" in err
    case.write_text(CASE.replace("expect offer", "expect ofer"), encoding="utf-8")
    code, _, err = run(capsys)
    assert code == 1
    assert f"{case}:8: unknown step 'expect ofer'" in err
