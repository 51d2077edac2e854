"""The whole suite against the reference server: one worker, then as many as the machine has,
then as many again against a reference server with faults that break most cases.

    .venv/bin/python bench/suite.py [--dialect xep0327] [--xmpp-mode embedded]

Prints, for each run, the wall time and the number of cases, and for the
one-worker run the median time per case and the median harness time per case
outside waiting on the server (CPU the harness process used). The broken run's
time over the passing run's says whether failing cases fail fast: a wait ends
when its outcome is decided, not when its time is up (the goal is at most 2).
Compare the runs of one invocation; absolute figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.resources import scenarios_dir

# Faults that break most cases the way a real server was seen to (mod_rayo: outputs of a URL
# that complete with an error, wrong end and complete reasons), each answering rather than
# staying silent: a missing answer can only be found missing when its time is up.
BREAKING = ("url-document-errors", "hangup-command-reported-as-hungup", "remote-hangup-reported-as-hangup",
            "record-hangup-as-final-timeout", "max-time-reported-as-finish", "call-disco-not-implemented",
            "nomatch-reported-as-noinput", "busy-reported-as-rejected")


def run_suite(workers: str, report: Path, dialect: str, xmpp_mode: str, faults: tuple[str, ...] = ()) -> float:
    command = [
        sys.executable, "-m", "pytest", str(scenarios_dir()), "-q", "-p", "no:cacheprovider",
        "--rayo-report", str(report), "--rayo-dialect", dialect, "--rayo-reference-mode", xmpp_mode, "-n", workers,
        *(f"--rayo-fault={fault}" for fault in faults),
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    took = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"the suite did not run (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dialect", default="xep0327", choices=("xep0327", "seed"))
    parser.add_argument("--xmpp-mode", default="embedded", choices=("embedded", "prosody"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = run_suite("0", Path(tmp) / "one", args.dialect, args.xmpp_mode)
        auto = run_suite("auto", Path(tmp) / "auto", args.dialect, args.xmpp_mode)
        broken = run_suite("auto", Path(tmp) / "broken", args.dialect, args.xmpp_mode, BREAKING) if args.dialect == "xep0327" else None
        cases = json.loads((Path(tmp) / "one" / "results.json").read_text())["cases"]
        broken_cases = json.loads((Path(tmp) / "broken" / "results.json").read_text())["cases"] if broken else []
    ran = [c for c in cases if c["verdict"] != "not-applicable"]
    failed = [c["case_id"] for c in cases if c["verdict"] in ("fail", "error")]
    print(f"cases: {len(cases)} ({len(ran)} applicable, {len(failed)} failed)")
    print(f"wall time, 1 worker:      {one:6.1f} s")
    print(f"wall time, -n auto:       {auto:6.1f} s   (ratio {one / auto:.2f})")
    print(f"median time per case:     {statistics.median(c['duration'] for c in ran) * 1000:6.0f} ms")
    print(f"median harness CPU/case:  {statistics.median(c['harness_cpu'] for c in ran) * 1000:6.0f} ms  (time outside waiting on the server)")
    if broken:
        failing = sum(c["verdict"] in ("fail", "error") for c in broken_cases)
        print(f"wall time, -n auto, broken server ({failing} of {len(broken_cases)} cases fail): {broken:6.1f} s"
              f"   (ratio to passing {broken / auto:.2f}; goal at most 2)")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
