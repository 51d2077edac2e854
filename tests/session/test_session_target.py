"""A run against a target that cannot be used stops at once with a sentence and exit code 6;
baselines, certification, profiles and the capability statement shape what runs and how it counts."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from conformance.reference.process import ReferenceProcess
from conformance.resources import scenarios_dir
from conformance.session import UNREACHABLE

pytest_plugins = ["pytester"]

CASES = scenarios_dir() / "xep0327"


def target_text(reference: ReferenceProcess, **replace: str) -> str:
    text = reference.target_file.read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text + "\n[timeouts]\nconnect = 2\n"


def copy_case(pytester, *names: str) -> None:
    scenarios = pytester.path / "scenarios"
    scenarios.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(CASES / name, scenarios)


def run(pytester, *args: str):
    started = time.monotonic()
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", *args, timeout=60)
    return result, time.monotonic() - started


def test_a_wrong_password_stops_the_run_with_a_sentence(pytester, reference):
    copy_case(pytester, "errors/command-to-unknown-call.yaml")
    text = reference.target_file.read_text()
    password = next(line for line in text.splitlines() if line.startswith("password"))
    pytester.path.joinpath("t.toml").write_text(target_text(reference, **{password: 'password = "wrong"'}))
    result, took = run(pytester, "--rayo-target", "t.toml")
    assert result.ret == UNREACHABLE
    result.stdout.fnmatch_lines(["*the server under test cannot be used: cannot log in to 127.0.0.1:* as harness@localhost: authentication failed: not-authorized*"])
    assert "Traceback" not in result.stdout.str()
    assert took < 30  # a bound against hanging, not a performance figure


def test_an_unreachable_host_stops_the_run(pytester, reference):
    copy_case(pytester, "errors/command-to-unknown-call.yaml")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    text = target_text(reference)
    port_line = next(line for line in text.splitlines() if line.startswith("port ="))
    pytester.path.joinpath("t.toml").write_text(text.replace(port_line, f"port = {closed_port}"))
    result, _ = run(pytester, "--rayo-target", "t.toml")
    assert result.ret == UNREACHABLE
    result.stdout.fnmatch_lines([f"*cannot connect to 127.0.0.1:{closed_port}*"])


def test_a_server_that_never_answers_stops_the_run_within_the_connect_timeout(pytester, reference):
    copy_case(pytester, "errors/command-to-unknown-call.yaml")
    with socket.socket() as silent:  # accepts TCP, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        text = target_text(reference)
        port_line = next(line for line in text.splitlines() if line.startswith("port ="))
        pytester.path.joinpath("t.toml").write_text(text.replace(port_line, f"port = {silent.getsockname()[1]}"))
        result, took = run(pytester, "--rayo-target", "t.toml")
    assert result.ret == UNREACHABLE
    result.stdout.fnmatch_lines(["*login timed out after 2 s waiting for the server*"])
    assert took < 30


def test_a_known_failure_of_the_baseline_does_not_fail_the_run_unless_certifying(pytester, tmp_path):
    copy_case(pytester, "inbound/reject-error.yaml", "inbound/answer-then-client-hangup.yaml")
    with ReferenceProcess(("hangup-without-bye",), workdir=tmp_path / "faulty") as target:
        text = (tmp_path / "faulty" / "target.toml").read_text()
        text = text.replace('[run]\n', '[run]\nbaseline = "known.toml"\n')
        pytester.path.joinpath("t.toml").write_text(text)
        pytester.path.joinpath("known.toml").write_text(
            '[known-failures]\n"xep0327.inbound.answer-then-client-hangup" = "we send no BYE, ticket 7"\n')
        result, _ = run(pytester, "--rayo-target", "t.toml", "-rx", "--rayo-report", "report")
        result.assert_outcomes(passed=1, xfailed=1)
        result.stdout.fnmatch_lines(["*known failure (baseline): we send no BYE, ticket 7*"])
        assert "known failure" in (pytester.path / "report" / "index.html").read_text()
        certified, _ = run(pytester, "--rayo-target", "t.toml", "--rayo-certify", "--rayo-report", "cert")
        certified.assert_outcomes(passed=1, failed=1)
        assert "Rayo certification report" in (pytester.path / "cert" / "index.html").read_text()


def test_a_known_finding_excuses_only_cases_whose_every_failing_finding_it_covers(pytester, tmp_path):
    # Without caps, both cases fail at the offer; one of them also ends with the wrong reason later.
    copy_case(pytester, "inbound/offer-carries-the-call.yaml", "inbound/answer-then-client-hangup.yaml")
    with ReferenceProcess(("offer-without-caps", "hangup-command-reported-as-hungup"), workdir=tmp_path / "faulty"):
        text = (tmp_path / "faulty" / "target.toml").read_text()
        pytester.path.joinpath("t.toml").write_text(text.replace("[run]\n", '[run]\nbaseline = "known.toml"\n'))
        pytester.path.joinpath("known.toml").write_text(
            '[known-findings]\n"R-6.2.2-g" = {reason = "no caps yet, ticket 9", pattern = "caps"}\n')
        result, _ = run(pytester, "--rayo-target", "t.toml", "-rx")
        result.assert_outcomes(failed=1, xfailed=1)
        result.stdout.fnmatch_lines(["*answer-then-client-hangup*: fail", "*step 2: expect offer*caps*", "*step 7: *hangup-command*",
                                     "*offer-carries-the-call*known failure (baseline): known findings: R-6.2.2-g: no caps yet, ticket 9"])
        certified, _ = run(pytester, "--rayo-target", "t.toml", "--rayo-certify")
        certified.assert_outcomes(failed=2)


def test_a_known_finding_needs_a_reason_and_a_valid_pattern(tmp_path, reference):
    from conformance.target import TargetError, load_target

    target = tmp_path / "t.toml"
    target.write_text(target_text(reference, **{"[run]\n": '[run]\nbaseline = "known.toml"\n'}))
    (tmp_path / "known.toml").write_text('[known-findings]\n"R-6.2.2-g" = {pattern = "caps"}\n')
    with pytest.raises(TargetError, match=r"known.toml:2: \[known-findings\] R-6.2.2-g: give the reason"):
        load_target(target)
    (tmp_path / "known.toml").write_text('[known-findings]\n"R-6.2.2-g" = {reason = "x", pattern = "("}\n')
    with pytest.raises(TargetError, match="not a regular expression"):
        load_target(target)
    (tmp_path / "known.toml").write_text('[known-findings]\nschema = "mod_rayo extension"\n')
    assert [(k.requirement, k.pattern) for k in load_target(target).known_findings] == [("schema", "")]


def test_a_profile_selects_its_cases(pytester):
    copy_case(pytester, "errors/command-to-unknown-call.yaml", "mixers/join-mixer.yaml")
    result, _ = run(pytester, "--rayo-profile", "xep0327-call-control")
    result.assert_outcomes(passed=2)
    result, _ = run(pytester, "--rayo-profile", "seed")
    result.assert_outcomes()
    assert "2 deselected" in result.stdout.str()
    result, _ = run(pytester, "--rayo-profile", "nonsense")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown profile 'nonsense'; known: *seed*xep0327*"])


def test_a_case_needing_what_the_statement_does_not_claim_is_not_applicable(pytester, reference):
    copy_case(pytester, "mixers/join-mixer.yaml")
    text = target_text(reference, **{"mixers = true": "mixers = false"})
    pytester.path.joinpath("t.toml").write_text(text)
    result, _ = run(pytester, "--rayo-target", "t.toml", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*not applicable: *the target does not meet this case's needs: mixers*"])


def test_each_parallel_worker_logs_in_with_its_own_account_when_the_target_has_one(reference):
    from conformance.session import worker_target
    from conformance.target import Account, load_target

    target = load_target(reference.target_file)
    target = target.with_options(accounts={**target.accounts, "gw1": Account("worker1@localhost", "pw1")})
    assert worker_target(target, "gw1").jid == "worker1@localhost"
    assert worker_target(target, "gw1").inbound() == target.inbound("worker1")
    assert worker_target(target, "gw2") is target
    assert worker_target(target, None) is target


def test_init_writes_a_target_file_the_harness_reads(tmp_path, monkeypatch):
    from conformance.cli import main
    from conformance.target import load_target

    path = tmp_path / "target.toml"
    assert main(["init", str(path)]) == 0
    monkeypatch.setenv("RAYO_PASSWORD", "secret")
    target = load_target(path)
    assert target.service == "rayo.example.net" and target.password == "secret"
    assert target.inbound() == "sip:harness@127.0.0.1:5060"
    assert "component:output" in target.capabilities() and "mixers" in target.capabilities()
    assert main(["init", str(path)]) == 1  # never overwrites by accident


def test_without_a_statement_a_target_claims_the_core_of_its_dialect(tmp_path, monkeypatch):
    from conformance.cli import main
    from conformance.target import load_target

    path = tmp_path / "target.toml"
    assert main(["init", str(path)]) == 0
    monkeypatch.setenv("RAYO_PASSWORD", "secret")
    text = path.read_text().split("[capabilities]")[0] + "[timeouts]\n"
    path.write_text(text)
    assert {"component:output", "component:record", "mixers"} <= load_target(path).capabilities()
    path.write_text(text.replace('dialect = "xep0327"', 'dialect = "seed"'))
    seed = load_target(path).capabilities()
    assert "component:say" in seed and "component:output" not in seed and "mixers" not in seed


def test_output_cases_take_the_first_document_form_a_server_claims(tmp_path, monkeypatch):
    from conformance.cli import main
    from conformance.target import TargetError, load_target

    path = tmp_path / "target.toml"
    assert main(["init", str(path)]) == 0
    monkeypatch.setenv("RAYO_PASSWORD", "secret")
    text = path.read_text()
    target = load_target(path)
    assert target.output_document_form() == "url" and "builtin-grammars" not in target.capabilities()
    path.write_text(text.replace('output-documents = ["url", "inline"]', 'output-documents = ["inline"]')
                    .replace("builtin-grammars = false", "builtin-grammars = true"))
    target = load_target(path)
    assert target.output_document_form() == "inline"
    assert target.unmet(["output-document:url", "no output-document:url", "builtin-grammars"]) == ["output-document:url"]
    path.write_text(text.replace('output-documents = ["url", "inline"]', 'output-documents = ["ssml"]'))
    with pytest.raises(TargetError, match="output-documents: takes only the forms url, inline"):
        load_target(path)


def test_the_stanza_size_limit_is_a_number_of_bytes_in_the_range_rfc_6120_allows(tmp_path, monkeypatch):
    from conformance.cli import main
    from conformance.target import TargetError, load_target
    from conformance.xmpp.splitter import DEFAULT_MAX_STANZA

    path = tmp_path / "target.toml"
    assert main(["init", str(path)]) == 0
    monkeypatch.setenv("RAYO_PASSWORD", "secret")
    text = path.read_text()
    assert load_target(path).login("r").max_stanza_size == DEFAULT_MAX_STANZA
    path.write_text(text.replace("[xmpp]\n", "[xmpp]\nmax_stanza_size = 65536\n"))
    assert load_target(path).login("r").max_stanza_size == 65536
    for wrong in ("9999", "10000001", '"1 MB"'):
        path.write_text(text.replace("[xmpp]\n", f"[xmpp]\nmax_stanza_size = {wrong}\n"))
        with pytest.raises(TargetError, match=r"target.toml:\d+: \[xmpp\] max_stanza_size: must be a number of bytes from 10000 to 10000000"):
            load_target(path)
