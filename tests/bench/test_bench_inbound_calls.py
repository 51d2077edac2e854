"""bench/inbound_calls.py end to end, small: it runs its calls, checks them, prints its figures.

A smoke test, not a timing assertion: the figures must be there, whatever they are.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "inbound_calls.py"

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed")


def run_bench(workdir: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--workdir", str(workdir), *options],
                          capture_output=True, text=True, timeout=180)


def test_ten_calls_five_at_a_time_pass_and_print_their_figures(tmp_path: Path):
    done = run_bench(tmp_path, "--calls", "10", "--concurrency", "5")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert re.search(r"calls completed +10\n", out) and re.search(r"calls failed +0\n", out), out
    assert re.search(r"wall time +\d+\.\d\d s\n", out), out
    assert re.search(r"calls per second reached +\d+\.\d\n", out), out
    for label in ("setup (INVITE -> offer)", "whole call (INVITE -> end)"):
        assert re.search(re.escape(label) + r" +p50 \d+\.\d ms +p95 \d+\.\d ms\n", out), out
    assert re.search(r"UDP datagrams dropped +at the server 0, at SIPp 0\n", out), out
    for process in ("reference server", "harness", "sipp caller"):
        assert re.search(re.escape(process) + r" \(pid \d+\) +\d+\.\d MiB +\d+\.\d MiB +\d+\.\d MiB\n", out), out
    # Its evidence is where it said: the server's log and SIPp's traces.
    assert (tmp_path / "reference" / "server.log").exists() and list((tmp_path / "sip").glob("caller-*.messages.log"))


@pytest.mark.parametrize(
    ("fault", "complaint"),
    [
        ("event-after-end", "events offer, end, answered; expected offer, end"),
        ("remote-hangup-reported-as-hangup", "end reason hangup; the caller hung up, so hungup"),
    ],
)
def test_a_wrong_sequence_fails_the_run_and_names_the_call(tmp_path: Path, fault: str, complaint: str):
    done = run_bench(tmp_path, "--calls", "4", "--concurrency", "2", "--fault", fault)
    assert done.returncode == 1, done.stdout + done.stderr
    assert complaint in done.stdout, done.stdout
    assert re.search(r"calls failed +[1-4]\n", done.stdout), done.stdout
