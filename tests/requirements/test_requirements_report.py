"""The report's coverage page and JSON: per requirement of the run's dialect, the run's cases and verdicts, or why none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import lxml.html

from conformance.report import RunInfo, write_report
from conformance.resources import requirements_dir, scenarios_dir
from conformance.results import CaseResult, Verdict
from conformance.scenario.requirements import load_catalogue

pytest_plugins = ["pytester"]

CATALOGUE = """\
dialect: xep0327
source: a test
requirements:
  - id: R-6.2.2-a
    section: "6.2.2"
    level: MUST
    actor: server
    text: An inbound call is <offered>.
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
    pending: "case: one day."
  - id: R-6.2.2-d
    section: "6.2.2"
    level: MUST
    actor: server
    text: Tested by a case this run left out.
"""

SEED = """\
dialect: seed
source: a test
requirements:
  - id: R-seed.2-a
    section: seed.2
    level: statement
    actor: server
    text: Not of this run's dialect.
"""


def catalogue(tmp_path: Path):
    (tmp_path / "xep0327.yaml").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "seed.yaml").write_text(SEED, encoding="utf-8")
    return load_catalogue([tmp_path / "xep0327.yaml", tmp_path / "seed.yaml"])


def results() -> list[CaseResult]:
    return [
        CaseResult("xep0327.test.offer", "offer", "xep0327", requirements=["R-6.2.2-a"], verdict=Verdict.PASS),
        CaseResult("xep0327.test.offer-again", "offer again", "xep0327", requirements=["R-6.2.2-a", "R-6.2.2-z"], verdict=Verdict.FAIL),
    ]


def test_the_coverage_page_gives_each_requirement_its_cases_and_verdicts_or_why_none(tmp_path):
    index = write_report(results(), tmp_path / "report", RunInfo(target="t"), catalogue(tmp_path))
    page = lxml.html.parse(str(index.parent / "coverage.html")).getroot()
    rows = {row.get("id"): row for row in page.iter("tr") if row.get("class") == "requirement"}
    assert list(rows) == ["R-6.2.2-a", "R-6.2.2-b", "R-6.2.2-c", "R-6.2.2-d"]  # only the run's dialect
    offered = rows["R-6.2.2-a"]
    assert offered.get("data-status") == "tested"
    assert [a.get("href") for a in offered.iter("a")] == ["cases/xep0327.test.offer.html", "cases/xep0327.test.offer-again.html"]
    assert "pass" in offered.text_content() and "fail" in offered.text_content()
    assert "An inbound call is <offered>." in offered.text_content()  # escaped, shown as written
    assert rows["R-6.2.2-b"].get("data-status") == "untestable"
    assert "internal to the server." in rows["R-6.2.2-b"].text_content()
    assert rows["R-6.2.2-c"].get("data-status") == "pending"
    assert "case: one day." in rows["R-6.2.2-c"].text_content()
    assert rows["R-6.2.2-d"].get("data-status") == "not tested"
    index_page = lxml.html.parse(str(index)).getroot()
    assert "coverage.html" in [a.get("href") for a in index_page.iter("a")]


def test_the_coverage_page_counts_requirements_by_level_and_status(tmp_path):
    index = write_report(results(), tmp_path / "report", RunInfo(target="t"), catalogue(tmp_path))
    page = lxml.html.parse(str(index.parent / "coverage.html")).getroot()
    [levels] = [t for t in page.iter("table") if "levels" in t.get("class")]
    counts = [[cell.text_content() for cell in row] for row in levels.iter("tr")]
    assert counts == [
        ["level", "tested", "untestable", "pending", "not tested"],
        ["MUST", "1", "0", "0", "1"],
        ["SHOULD", "0", "1", "0", "0"],
        ["should", "0", "0", "1", "0"],
    ]


def test_results_json_carries_the_coverage(tmp_path):
    index = write_report(results(), tmp_path / "report", RunInfo(target="t"), catalogue(tmp_path))
    coverage = json.loads((index.parent / "results.json").read_text(encoding="utf-8"))["coverage"]
    assert [(r["id"], r["status"]) for r in coverage] == [
        ("R-6.2.2-a", "tested"), ("R-6.2.2-b", "untestable"), ("R-6.2.2-c", "pending"), ("R-6.2.2-d", "not tested"),
    ]
    assert coverage[0]["cases"] == [
        {"case_id": "xep0327.test.offer", "verdict": "pass", "page": "cases/xep0327.test.offer.html"},
        {"case_id": "xep0327.test.offer-again", "verdict": "fail", "page": "cases/xep0327.test.offer-again.html"},
    ]
    assert coverage[1]["untestable"] == "internal to the server."


def test_without_a_catalogue_there_is_no_coverage(tmp_path):
    index = write_report(results(), tmp_path / "report", RunInfo(target="t"))
    assert not (index.parent / "coverage.html").exists()
    assert "coverage" not in json.loads((index.parent / "results.json").read_text(encoding="utf-8"))


def test_a_run_skips_the_catalogue_files_and_reports_coverage_from_the_shipped_catalogue(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    shutil.copytree(requirements_dir(), scenarios / "requirements")
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--rayo-report", "report")
    result.assert_outcomes(passed=1)  # the catalogue files are not cases
    coverage = json.loads((pytester.path / "report" / "results.json").read_text(encoding="utf-8"))["coverage"]
    assert len(coverage) == len(load_catalogue().of_dialect("xep0327"))
    [item_not_found] = [r for r in coverage if r["id"] == "R-6.6.4-f"]
    assert item_not_found["cases"] == [
        {"case_id": "xep0327.errors.command-to-unknown-call", "verdict": "pass",
         "page": "cases/xep0327.errors.command-to-unknown-call.html"},
    ]
