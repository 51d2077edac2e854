"""`rayo-conformance demo`, the README's first command, end to end: the suite against the
reference server, the time per area of the catalogue, and the report's path last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_selected_cases_and_ends_with_the_time_per_area_and_the_report(tmp_path):
    report = tmp_path / "report"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rayo-conformance")), "demo", "-k", "unknown-command or disco-on-the-service", "--report", str(report)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    areas = lines[lines.index("Time by area:") + 1 : -1]
    assert [line.split()[0] for line in areas] == ["errors", "service"]
    assert all(line.split()[3:5] == ["1", "cases"] for line in areas)
    assert lines[-1] == f"Report: {(report / 'index.html').resolve()}"
    assert Path(lines[-1].split(": ", 1)[1]).exists()
