"""Each check the suite makes must be shown failing against a fault of the reference server."""

from __future__ import annotations

import re

import pytest

from conformance.reference.faults import CATALOGUE
from conformance.results import Verdict

from conformance.reference.features import OPTIONAL

from .conftest import SLOTS, components_of, describe, reach, served, suite

DIALECTS = ("xep0327", "seed")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("xmpp_mode", ["embedded", "prosody"])
def test_the_clean_reference_server_passes_every_case(xmpp_mode, dialect, suite_runner, tmp_path):
    results = suite_runner(dialect=dialect, xmpp_mode=xmpp_mode)
    assert results, f"no {dialect} case ran"
    failing = [describe(r) for r in results.values() if r.verdict is not Verdict.PASS]
    assert not failing, "\n".join(failing)
    if xmpp_mode == "prosody":  # the cases went through Prosody, not around it
        log = (tmp_path / "reference" / "prosody" / "prosody.log").read_text()
        assert "External component successfully authenticated" in log
        assert sum(log.count(f"Authenticated as {user}@localhost") for user in SLOTS) >= len(results)


# How a server takes documents and grammars: only the component cases depend on these.
MEDIA_FEATURES = ("output-document:url", "builtin-grammars")


@pytest.mark.parametrize("feature", [feature for feature in OPTIONAL if feature not in MEDIA_FEATURES])
def test_the_reference_without_an_optional_feature_passes_the_call_control_cases_that_apply(feature, suite_runner):
    # The components do not depend on these features; their cases would cost a minute per feature.
    cases = [case for case in served(without=(feature,)) if not components_of(case)]
    assert any(f"no {feature}" in case.needs for case in cases), f"no case is about servers without {feature}"
    results = suite_runner(without=(feature,), cases=cases)
    failing = [describe(r) for r in results.values() if r.verdict is not Verdict.PASS]
    assert not failing, "\n".join(failing)


def test_the_reference_with_inline_documents_only_and_no_builtin_grammars_passes_every_media_case(suite_runner):
    # As mod_rayo takes documents and grammars: every output, input, prompt and record case still runs
    # (with inline documents and SRGS grammars), except the two about the url form and builtin grammars,
    # which give way to the cases about what such a server must answer instead.
    cases = [case for case in served(without=MEDIA_FEATURES) if components_of(case) & {"output", "input", "prompt", "record"}]
    for feature in MEDIA_FEATURES:
        assert any(f"no {feature}" in case.needs for case in cases), f"no case is about servers without {feature}"
    left_out = [case.id for case in suite() if components_of(case) & {"output", "input", "prompt", "record"} and case not in cases]
    assert left_out == ["xep0327.input.builtin-digits-match", "xep0327.output.audio-file-finishes"]
    results = suite_runner(without=MEDIA_FEATURES, cases=cases)
    failing = [describe(r) for r in results.values() if r.verdict is not Verdict.PASS]
    assert not failing, "\n".join(failing)
    assert '<document content-type="application/ssml+xml">' in " ".join(
        record.text for record in results["xep0327.output.stop-silences"].records if record.direction == "sent")


@pytest.mark.parametrize("fault", CATALOGUE, ids=lambda f: f.name if f.dialect == "xep0327" else f"{f.dialect}-{f.name}")
def test_the_suite_catches_the_fault(fault, suite_runner):
    cases = reach(fault, served(fault.dialect, fault.without))
    results = suite_runner((fault.name,), dialect=fault.dialect, cases=cases, without=fault.without)
    expected = {case_id: Verdict.FAIL for case_id in fault.caught_by} | {case_id: Verdict.WARN for case_id in fault.warns}
    for case_id, verdict in expected.items():
        result = results[case_id]
        assert result.verdict is verdict, f"{fault.name} should make {case_id} {verdict.value}:\n{describe(result)}"
        text = " ".join(f.message for f in result.findings)
        assert re.search(fault.evidence, text), f"{case_id}'s findings do not name the difference ({fault.evidence!r}):\n{describe(result)}"
    others = [describe(r) for r in results.values() if r.case_id not in expected and r.verdict is not Verdict.PASS]
    assert not others, f"{fault.name} also changed cases it should not:\n" + "\n".join(others)


def test_every_fault_is_caught_by_some_case():
    assert [f.name for f in CATALOGUE if not f.caught_by and not f.warns] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_case_fails_under_some_fault(dialect):
    # A case of a SHOULD-level requirement "fails" by warning; a fault shows it in its own dialect's run.
    caught = {case_id for fault in CATALOGUE if fault.dialect == dialect for case_id in fault.caught_by + fault.warns}
    uncaught = [case.id for case in suite(dialect) if case.id not in caught]
    assert not uncaught, f"no fault of the catalogue shows these {dialect} cases can fail: {uncaught}"


def test_the_catalogue_names_only_real_cases_of_its_dialect():
    ids = {dialect: {case.id for case in suite(dialect)} for dialect in DIALECTS}
    unknown = {(f.name, c) for f in CATALOGUE for c in f.caught_by + f.warns if c not in ids[f.dialect]}
    assert not unknown


def test_each_fault_is_judged_on_the_cases_it_names():
    outside = {(f.name, c) for f in CATALOGUE for c in f.caught_by + f.warns
               if c not in {case.id for case in reach(f, served(f.dialect, f.without))}}
    assert not outside


def test_a_fault_has_one_entry_per_dialect():
    entries = [(f.name, f.dialect) for f in CATALOGUE]
    assert len(entries) == len(set(entries))
