"""The pytest plugin end to end: collection, file:line errors, a real run, the report and JUnit."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from conformance.resources import scenarios_dir

pytest_plugins = ["pytester"]

BAD = """\
id: xep0327.test.bad
title: a broken case
section: "6.2.2"
requirements: [R-6.2.2-a]
dialects: [xep0327]
steps:
  - caller dials the server
  - expect ofer
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_broken_scenario_stops_the_run_before_anything_runs(pytester, workers):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    (scenarios / "bad.yaml").write_text(BAD)
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", *workers)
    result.stdout.fnmatch_lines(["*bad.yaml:8: unknown step 'expect ofer'; did you mean 'expect offer'?*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # a usage error, as a bad target file is (docs/verdicts.md)
    assert "passed" not in result.stdout.str()


def test_a_case_against_the_reference_server_writes_the_report_and_junit(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    result = pytester.runpytest_subprocess(
        "scenarios", "-p", "no:cacheprovider", "--rayo-report", "report", "--junitxml", "junit.xml",
        "--html", "report/pytest.html", "--self-contained-html",
    )
    result.assert_outcomes(passed=1)
    index = pytester.path / "report" / "index.html"
    assert index.exists()
    result.stdout.fnmatch_lines([f"*Rayo conformance report: {index}*"])
    assert "xep0327.errors.command-to-unknown-call" in index.read_text()
    assert "rayo-conformance reference server" in index.read_text()  # its XEP-0092 answer, from the preflight
    junit = ET.parse(pytester.path / "junit.xml")
    properties = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert properties["verdict"] == "pass"
    assert "R-6.6.4-f" in properties["requirements"]
    assert "ladder" in (pytester.path / "report" / "pytest.html").read_text()


def test_a_case_for_another_dialect_is_not_applicable(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--rayo-dialect", "seed", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*not applicable: the case is for xep0327, the target speaks seed*"])


PYTHON_CASE = '''
from conformance.results import Verdict


def test_unknown_call(rayo_run, rayo_target):
    """A command to a call that never existed gets item-not-found"""
    result = rayo_run("""
      - send to nobody@{service}: <hangup xmlns="urn:xmpp:rayo:1"/>
        expect: {error: item-not-found}
    """, section="6.6.4", requirements=["R-6.6.4-f"])
    assert result.verdict is Verdict.PASS, result.findings
    assert rayo_target.service == "rayo.localhost"


def test_wrong_expectation_fails(rayo_run):
    result = rayo_run("""
      - send to nobody@{service}: <hangup xmlns="urn:xmpp:rayo:1"/>
        expect: result
    """, section="6.6.4", requirements=["R-6.6.4-f"])
    assert result.verdict is Verdict.FAIL
    assert "expected a result; got error item-not-found (type cancel)" in result.findings[0].message
'''


def test_cases_written_in_python_use_the_fixtures(pytester):
    pytester.makepyfile(test_python_case=PYTHON_CASE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rayo-report", "report")
    result.assert_outcomes(passed=2)
    assert "python.test-unknown-call" in (pytester.path / "report" / "index.html").read_text()


def test_the_pytest_html_row_carries_the_ladder_transcript_and_sipp_traces(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "inbound" / "reject-busy.yaml", scenarios)
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--html", "r.html", "--self-contained-html")
    result.assert_outcomes(passed=1)
    html = (pytester.path / "r.html").read_text()
    assert "caller-1.messages.log" in html  # SIPp's message trace, attached by name
    assert html.count("486 Busy Here") >= 2  # in the transcript and in the trace
    assert "lt;reject xmlns=" in html and "<reject xmlns=" not in html  # the stanza, escaped
