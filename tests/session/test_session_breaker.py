"""The circuit breaker: once the server has said nothing at all in silent_limit cases in a row,
the cases left end at once as inconclusive with one sentence, the report is still written, and
the run is not a success (exit code 6)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conformance.outcome import UNREACHABLE
from conformance.resources import scenarios_dir
from conformance.target import load_target

from .gate import Gate

CLI = str(Path(sys.executable).with_name("rayo-conformance"))
CASES = ("errors/command-to-unknown-call.yaml", "errors/unknown-command.yaml", "service/disco-on-the-service.yaml")
CONNECT = 2  # seconds: each silent case waits this long for its login


def test_a_server_gone_silent_after_the_check_ends_the_run_early_with_one_sentence(tmp_path, reference):
    (tmp_path / "scenarios").mkdir()
    for name in CASES:
        shutil.copy(scenarios_dir() / "xep0327" / name, tmp_path / "scenarios")
    target = load_target(reference.target_file)
    # The pre-run check gets through; then the server takes connections and never says a word.
    with Gate((target.host, target.port), open_for=1, then="silent") as gate:
        text = "\n".join(f"port = {gate.port}" if line.startswith("port =") else line
                         for line in reference.target_file.read_text().splitlines())
        text = text.replace("[run]\n", "[run]\nsilent_limit = 2\n")
        (tmp_path / "t.toml").write_text(f"{text}\n[timeouts]\nconnect = {CONNECT}\n")
        started = time.monotonic()
        done = subprocess.run([CLI, "run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        took = time.monotonic() - started
    assert done.returncode == UNREACHABLE, done.stdout + done.stderr
    assert "the server stopped answering: 1 case(s) did not run (exit code 6)" in done.stdout
    results = {r["case_id"]: r for r in json.loads((tmp_path / "report" / "results.json").read_text())["cases"]}
    assert [r["verdict"] for r in results.values()] == ["inconclusive"] * 3  # and all three are in the report
    silent, ended = [r for r in results.values() if r["findings"][0]["kind"] != "server-silent"], \
        [r for r in results.values() if r["findings"][0]["kind"] == "server-silent"]
    assert len(silent) == 2 and all("login timed out" in r["findings"][0]["message"] for r in silent)
    assert len(ended) == 1 and ended[0]["findings"][0]["message"] == (
        "not run: the server has not answered at all in 2 cases in a row (silent_limit = 2 in the target's [run]), "
        "so the cases left end here")
    assert ended[0]["duration"] < 0.5
    assert took < 30  # a bound against hanging: two logins of 2 s, not three


def test_the_breaker_counts_only_cases_in_a_row_that_got_nothing_from_the_server():
    from conformance.breaker import CircuitBreaker
    from conformance.results import CaseResult, Verdict
    from conformance.transcript import Transcript

    def result(verdict: Verdict, *directions: str) -> CaseResult:
        transcript = Transcript()
        for direction in directions:
            transcript.add("xmpp", direction, "client", "server", "stream header", "<stream:stream>")
        return CaseResult("c", "t", "xep0327", verdict=verdict, records=transcript.records)

    breaker = CircuitBreaker(2)
    breaker.note(result(Verdict.INCONCLUSIVE, "sent"))  # the harness spoke; the server said nothing
    breaker.note(result(Verdict.NOT_APPLICABLE))  # did not run: says nothing either way
    breaker.note(result(Verdict.FAIL, "sent", "received"))  # the server answered: the count starts again
    breaker.note(result(Verdict.FAIL, "sent"))
    assert not breaker.open
    breaker.note(result(Verdict.INCONCLUSIVE))
    assert breaker.open
    assert not CircuitBreaker(0).open  # 0: never
