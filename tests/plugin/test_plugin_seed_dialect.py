"""The plugin runs the seed suite against the reference server started in the seed dialect."""

from __future__ import annotations

import shutil

import pytest

from conformance.resources import scenarios_dir

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("mode", ["embedded", "prosody"])
def test_the_seed_suite_passes_against_the_seed_reference_server(pytester, mode):
    shutil.copytree(scenarios_dir() / "seed", pytester.path / "scenarios")
    count = len(list((pytester.path / "scenarios").rglob("*.yaml")))
    result = pytester.runpytest_subprocess(
        "scenarios", "-p", "no:cacheprovider", "--rayo-report", "report", "--rayo-dialect", "seed",
        "--rayo-reference-mode", mode,
    )
    result.assert_outcomes(passed=count)
    assert "reference (seed" in (pytester.path / "report" / "index.html").read_text()
