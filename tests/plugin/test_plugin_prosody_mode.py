"""The plugin and `demo` can put the reference server behind Prosody."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from conformance.commands.run import pytest_arguments
from conformance.resources import scenarios_dir

pytest_plugins = ["pytester"]


def test_a_case_runs_against_the_reference_server_behind_prosody(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    result = pytester.runpytest_subprocess(
        "scenarios", "-p", "no:cacheprovider", "--rayo-report", "report", "--rayo-reference-mode", "prosody"
    )
    result.assert_outcomes(passed=1)
    assert "reference (xep0327, via Prosody, faults: none)" in (pytester.path / "report" / "index.html").read_text()


def test_demo_passes_its_xmpp_mode_to_the_plugin():
    args = argparse.Namespace(scenarios=None, dialect=None, strict=False, keyword=None, timeout_scale=None,
                              fault=[], xmpp_mode="prosody")
    arguments = pytest_arguments(args, Path("report"))
    assert arguments[arguments.index("--rayo-reference-mode") + 1] == "prosody"
