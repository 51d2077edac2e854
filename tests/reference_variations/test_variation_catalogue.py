"""The catalogue of legal variations and how the reference server is started with one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conformance.commands.serve import list_variants
from conformance.reference.process import ReferenceProcess
from conformance.reference.variations import CATALOGUE, UnknownVariation, Variations, variation
from conformance.resources import scenarios_dir

pytest_plugins = ["pytester"]


def test_a_name_not_in_the_catalogue_is_refused_with_a_hint():
    with pytest.raises(UnknownVariation, match="did you mean 'reject-error-503'"):
        variation("reject-error-500")
    with pytest.raises(UnknownVariation):
        Variations(["no-such-choice"])
    with pytest.raises(UnknownVariation, match="not a variation of seed: end-platform-code"):
        Variations(["end-platform-code"], "seed")


def test_the_server_asking_for_an_unknown_variation_is_a_bug():
    with pytest.raises(UnknownVariation):
        "reject-error-5O3" in Variations(["reject-error-503"])
    assert "reject-error-503" in Variations(["reject-error-503"])
    assert "reject-error-503" not in Variations()


def test_each_variation_says_what_allows_it_and_where_it_shows():
    assert len({v.name for v in CATALOGUE}) == len(CATALOGUE)
    assert [v.name for v in CATALOGUE if not (v.summary and v.allowed_by and v.shown_in and v.evidence)] == []


def test_list_variants_names_each_with_its_dialects_and_passage(capsys):
    assert list_variants() == 0
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if line.startswith("reject-error-503 ")]) == 1
    assert "(xep0327, seed)" in out and "allowed by A15" in out


def test_serve_refuses_an_unknown_variant():
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "serve", "--variant", "reject-eror-503"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown variation 'reject-eror-503'; did you mean 'reject-error-503'?" in done.stderr


def test_the_started_server_names_its_variants_in_the_target(tmp_path):
    reference = ReferenceProcess(variations=("reject-error-503",), workdir=tmp_path)
    with reference as target:
        assert "variant reject-error-503" in target.name
    assert "variants      reject-error-503" in reference.log_file.read_text()


def test_the_plugin_starts_the_reference_with_a_variant(pytester):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "inbound" / "reject-error.yaml", scenarios)
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--rayo-report", "report",
                                           "--rayo-variant", "reject-error-503")
    result.assert_outcomes(passed=1)
    facts = json.loads((pytester.path / "report" / "results.json").read_text())
    assert "variant reject-error-503" in json.dumps(facts)
    assert "SIP/2.0 503 Service Unavailable" in json.dumps(facts)


def test_serve_refuses_a_sub_domain_variant_behind_prosody():
    """Prosody routes only the service domain to its component: calls on call.<service> would go nowhere."""
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "serve", "--variant", "call-subdomain", "--xmpp-mode", "prosody"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "call-subdomain needs --xmpp-mode embedded" in done.stderr
