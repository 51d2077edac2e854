"""Hostile input through `rayo-conformance run`: what the user sees and the exit code, against
the reference server started with a fault that sends it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reference.process import ReferenceProcess
from conformance.resources import scenarios_dir

CLI = str(Path(sys.executable).with_name("rayo-conformance"))
FAILED = 1


def run(tmp_path: Path, fault: str, extra_xmpp: str = "") -> subprocess.CompletedProcess:
    (tmp_path / "scenarios").mkdir(parents=True, exist_ok=True)
    shutil.copy(scenarios_dir() / "xep0327" / "inbound" / "offer-carries-the-call.yaml", tmp_path / "scenarios")
    reference = ReferenceProcess((fault,), workdir=tmp_path / "reference")
    with reference:
        text = reference.target_file.read_text().replace("[xmpp]\n", f"[xmpp]\n{extra_xmpp}")
        (tmp_path / "t.toml").write_text(text)
        return subprocess.run([CLI, "run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_a_stanza_over_the_limit_is_named_as_such_and_a_larger_limit_takes_it(tmp_path):
    done = run(tmp_path / "default", "offer-over-the-size-limit")
    assert done.returncode == FAILED, done.stdout + done.stderr
    assert ("the XMPP stream of client closed: the server sent a stanza longer than 1048576 bytes, the harness's limit "
            "(max_stanza_size in the target's [xmpp])") in done.stdout
    assert "Text node too long" not in done.stdout and "malformed" not in done.stdout
    larger = run(tmp_path / "larger", "offer-over-the-size-limit", "max_stanza_size = 2000000\n")
    assert larger.returncode == 0, larger.stdout + larger.stderr


@pytest.mark.parametrize(
    "fault, said",
    [
        ("offer-from-another-domain", r"it comes from \S+@calls\.elsewhere\.example, outside the service's domain"),
        ("offer-from-the-client", r"it comes from the client's own JID harness@\S+"),
        ("offer-without-from", r"it has no 'from'"),
    ],
)
def test_an_offer_from_no_call_of_the_service_fails_the_case(tmp_path, fault: str, said: str):
    done = run(tmp_path, fault)
    assert done.returncode == FAILED, done.stdout + done.stderr
    assert re.search(r"\[expectation/must\] R-6\.2\.2-f: an offer must come from its call's JID, but " + said, done.stdout)
