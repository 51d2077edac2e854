"""The CI jobs in docs/ci/ are valid YAML, name only commands and options that exist, keep the
report whether the run passed or failed, publish the JUnit file the run writes, and their
commands work as written against the server they start."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from conformance.cli import build_parser

DOCS = Path(__file__).parents[2] / "docs" / "ci"
BIN = Path(sys.executable).parent


def github() -> dict:
    return yaml.safe_load((DOCS / "github-actions.yml").read_text())


def gitlab_job() -> dict:
    return yaml.safe_load((DOCS / "gitlab-ci.yml").read_text())["rayo-conformance"]


def harness_commands(script: str, variables: dict[str, str]) -> list[list[str]]:
    """The arguments of every rayo-conformance command of a shell script, its variables expanded,
    up to the first redirection or `&`."""
    commands = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] != ["rayo-conformance"]:
            continue
        end = next((i for i, w in enumerate(words) if w.startswith(("&", ">", "2>", "|", ";"))), len(words))
        commands.append([_expand(w, variables) for w in words[1:end]])
    return commands


def _expand(word: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        word = word.replace(f"${name}", value).replace(f"${{{name}}}", value)
    return word


def github_steps() -> list[dict]:
    return github()["jobs"]["conformance"]["steps"]


def test_the_github_workflow_runs_commands_that_exist_and_keeps_the_report_and_junit_always():
    workflow = github()
    assert workflow.get("on", workflow.get(True)) == ["push", "pull_request"]  # YAML 1.1 reads `on` as true
    env = workflow["env"]
    commands = [c for step in github_steps() for c in harness_commands(step.get("run", ""), env)]
    assert [c[0] for c in commands] == ["serve", "run"]
    parsed = [build_parser().parse_args(c) for c in commands]  # argparse exits on an unknown option
    run = parsed[1]
    uses = {step["uses"].split("@")[0]: step for step in github_steps() if "uses" in step}
    artifact, junit = uses["actions/upload-artifact"], uses["mikepenz/action-junit-report"]
    assert artifact["if"] == junit["if"] == "always()"
    assert str(run.report) in _expand(artifact["with"]["path"].replace("${{ env.REPORT }}", "$REPORT"), env)
    assert _expand(junit["with"]["report_paths"].replace("${{ env.REPORT }}", "$REPORT"), env) == str(run.junit)
    assert str(parsed[0].target_file) == str(run.target)


def test_the_gitlab_job_runs_commands_that_exist_and_keeps_the_report_and_junit_always():
    job = gitlab_job()
    script = "\n".join(job["before_script"] + job["script"])
    commands = harness_commands(script, job["variables"])
    assert [c[0] for c in commands] == ["serve", "run"]
    serve, run = (build_parser().parse_args(c) for c in commands)
    assert serve.target_file == run.target
    assert job["artifacts"]["when"] == "always"
    assert any(str(run.report).startswith(path.rstrip("/")) for path in job["artifacts"]["paths"])
    assert job["artifacts"]["reports"]["junit"] == str(run.junit)


def test_the_github_steps_start_a_server_and_run_the_suite_against_it_as_written(tmp_path):
    """The two steps' shell as written (the run limited to two cases, to spare the machine)."""
    steps = {step.get("name"): step for step in github_steps()}
    env = {**os.environ, **github()["env"], "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    serve, *wait = steps["Start the server under test"]["run"].splitlines()
    assert serve.startswith("rayo-conformance serve") and serve.endswith("&")
    start = "\n".join([serve, "echo $! > serve.pid", *wait])  # the server's pid, for the test to end it
    try:
        subprocess.run(["bash", "-e", "-c", start], cwd=tmp_path, env=env, check=True, timeout=90)
        run = steps["Run the suite"]["run"] + " -k 'unknown-command or disco-on-the-service'"
        done = subprocess.run(["bash", "-e", "-c", run], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    finally:
        if (tmp_path / "serve.pid").exists():
            os.kill(int((tmp_path / "serve.pid").read_text()), signal.SIGTERM)
    assert done.returncode == 0, done.stdout + done.stderr
    report = tmp_path / env["REPORT"]
    assert (report / "index.html").exists()
    junit = (report / "junit.xml").read_text()
    assert 'name="rayo-conformance"' in junit and "xep0327.errors.unknown-command" in junit
