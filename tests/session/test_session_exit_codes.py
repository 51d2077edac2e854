"""Exit codes a CI job can trust (docs/verdicts.md), through `rayo-conformance run` and plain
pytest: a bad target or scenario file is one message and code 4 before anything runs; a run
that reached no verdict is not a success (7), nor is a certification with an inconclusive case."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.outcome import NO_VERDICT
from conformance.reference.process import ReferenceProcess
from conformance.resources import scenarios_dir
from conformance.target import TargetError, load_target

from .gate import Gate

pytest_plugins = ["pytester"]

CLI = str(Path(sys.executable).with_name("rayo-conformance"))
PASSING_CASE = scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml"
SECOND_CASE = scenarios_dir() / "xep0327" / "service" / "disco-on-the-service.yaml"

GOOD = """\
name = "lab"

[xmpp]
host = "127.0.0.1"
port = 5222
jid = "harness@rayo.lab"
password = "secret"
tls = "plain"
service = "rayo.lab"

[sip]
server = "127.0.0.1:5060"
inbound_uri = "sip:{user}@127.0.0.1:5060"

[accounts.other]
jid = "other@rayo.lab"
password = "secret"
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('host = "127.0.0.1"', 'hots = "127.0.0.1"', "t.toml:4: [xmpp] hots: unknown key; did you mean 'host'?"),
        ('host = "127.0.0.1"', "", "t.toml:3: [xmpp]: missing key 'host'"),
        ("port = 5222", 'port = "5222"', "t.toml:5: [xmpp] port: must be an integer, not '5222'"),
        ("port = 5222", "port = true", "t.toml:5: [xmpp] port: must be an integer, not True"),
        ('tls = "plain"', 'tls = "tls"', "t.toml:8: [xmpp] tls: must be one of 'starttls', 'plain', not 'tls'"),
        ("port = 5222", "port 5222", "t.toml:5: not valid TOML: Expected '=' after a key in a key/value pair (column 6)"),
        ("[sip]", "[sipp]", "t.toml:11: sipp: unknown table; did you mean 'sip'?"),
        ('server = "127.0.0.1:5060"', 'server = "127.0.0.1"', "t.toml:12: [sip] server: '127.0.0.1' is not host:port"),
        ('jid = "other@rayo.lab"', 'jdi = "other@rayo.lab"', "t.toml:16: [accounts.other] jdi: unknown key; did you mean 'jid'?"),
        ('name = "lab"', 'name = "lab"\n[timeouts]\nevent = 0', "t.toml:3: [timeouts] event: must be a positive number of seconds, not 0"),
    ],
)
def test_a_bad_target_file_is_one_message_with_its_line_and_key(tmp_path, monkeypatch, old, new, message):
    monkeypatch.chdir(tmp_path)
    assert old in GOOD
    Path("t.toml").write_text(GOOD.replace(old, new, 1))
    with pytest.raises(TargetError) as caught:
        load_target("t.toml")
    assert str(caught.value) == message


def test_the_good_target_file_of_these_tests_loads(tmp_path):
    (tmp_path / "t.toml").write_text(GOOD)
    assert load_target(tmp_path / "t.toml").accounts["other"].jid == "other@rayo.lab"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('host = "127.0.0.1"', 'hots = "127.0.0.1"', "t.toml:4: [xmpp] hots: unknown key; did you mean 'host'?"),
        ("port = 5222", "port 5222", "t.toml:5: not valid TOML: Expected '=' after a key in a key/value pair (column 6)"),
        ('service = "rayo.lab"', "", "t.toml:3: [xmpp]: missing key 'service'"),
        ("port = 5222", 'port = "5222"', "t.toml:5: [xmpp] port: must be an integer, not '5222'"),
    ],
    ids=["unknown-key", "syntax-error", "missing-key", "wrong-type"],
)
def test_run_with_a_bad_target_file_exits_4_with_one_message_before_anything_runs(tmp_path, old, new, message):
    (tmp_path / "t.toml").write_text(GOOD.replace(old, new, 1))
    done = cli("run", "-t", "t.toml", "--report", "report", cwd=tmp_path)
    assert done.returncode == 4
    assert done.stderr.strip().splitlines() == [f"ERROR: {message}"]
    assert "Traceback" not in done.stdout and "passed" not in done.stdout
    assert not (tmp_path / "report" / "index.html").exists()


def test_pytest_with_a_bad_target_file_exits_4_with_one_message(pytester):
    pytester.mkdir("scenarios")
    shutil.copy(PASSING_CASE, pytester.path / "scenarios")
    (pytester.path / "t.toml").write_text(GOOD.replace("port = 5222", 'port = "5222"'))
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--rayo-target", "t.toml", "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip().splitlines() == ["ERROR: t.toml:5: [xmpp] port: must be an integer, not '5222'"]
    assert "Traceback" not in result.stdout.str()


BROKEN_CASE = PASSING_CASE.read_text().replace("send to", "sned to", 1)


def test_run_with_a_bad_scenario_file_exits_4_naming_its_line(tmp_path):
    (tmp_path / "t.toml").write_text(GOOD)  # nothing listens there: the run must stop before connecting
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "broken.yaml").write_text(BROKEN_CASE)
    done = cli("run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report", cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "broken.yaml:" in done.stdout and "unknown step 'sned to" in done.stdout
    assert "cannot connect" not in done.stdout


def write_gated_target(reference: ReferenceProcess, gate: Gate, path: Path) -> None:
    """The reference server's target file, with its XMPP port behind the gate."""
    lines = [f"port = {gate.port}" if line.startswith("port =") else line for line in reference.target_file.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n[timeouts]\nconnect = 2\n")


def upstream(reference: ReferenceProcess) -> tuple[str, int]:
    target = load_target(reference.target_file)
    return target.host, target.port


def test_a_run_in_which_every_login_is_refused_is_not_a_success_even_certifying(tmp_path, reference):
    (tmp_path / "scenarios").mkdir()
    shutil.copy(PASSING_CASE, tmp_path / "scenarios")
    shutil.copy(SECOND_CASE, tmp_path / "scenarios")
    for extra in ((), ("--certify",)):
        # The pre-run check gets through; every case's login after it finds the door shut.
        with Gate(upstream(reference), open_for=1, then="close") as gate:
            write_gated_target(reference, gate, tmp_path / "t.toml")
            done = cli("run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report", *extra, cwd=tmp_path)
            assert done.returncode == NO_VERDICT, done.stdout + done.stderr
            assert "2 skipped" in done.stdout
            assert "no case reached a verdict: all 2 were inconclusive or not applicable; the server was not tested (exit code 7)" in done.stdout
            assert (tmp_path / "report" / "index.html").exists()


def test_a_certification_with_an_inconclusive_case_does_not_pass(tmp_path, reference):
    (tmp_path / "scenarios").mkdir()
    shutil.copy(PASSING_CASE, tmp_path / "scenarios" / "1.yaml")  # collected in name order: passes
    shutil.copy(SECOND_CASE, tmp_path / "scenarios" / "2.yaml")  # then the door shuts: inconclusive
    with Gate(upstream(reference), open_for=2, then="close") as gate:
        write_gated_target(reference, gate, tmp_path / "t.toml")
        done = cli("run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr  # a pass and an inconclusive: a success
        assert "1 passed, 1 skipped" in done.stdout
    with Gate(upstream(reference), open_for=2, then="close") as gate:
        write_gated_target(reference, gate, tmp_path / "t.toml")
        done = cli("run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "cert", "--certify", cwd=tmp_path)
        assert done.returncode == NO_VERDICT, done.stdout + done.stderr
        assert "1 passed, 1 skipped" in done.stdout
        assert "the certification did not pass: 1 case(s) inconclusive, and a certification needs a verdict for every applicable case (exit code 7)" in done.stdout


def test_pytest_with_every_case_not_applicable_exits_7(pytester):
    pytester.mkdir("scenarios")
    shutil.copy(PASSING_CASE, pytester.path / "scenarios")
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", "--rayo-dialect", "seed")
    result.assert_outcomes(skipped=1)
    assert result.ret == NO_VERDICT
    result.stdout.fnmatch_lines(["*no case reached a verdict: all 1 were inconclusive or not applicable; the server was not tested (exit code 7)*"])
