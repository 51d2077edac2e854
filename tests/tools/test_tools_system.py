"""tools/ensure-system-tools says exactly what to do when it cannot install what is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "ensure-system-tools"


def run(tmp_path: Path, *tools: str, uid: str) -> subprocess.CompletedProcess:
    # A PATH with the shell's basics but none of the tools asked for, and an
    # `id` that answers for a user who is not root: the one stand-in here.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("sh", "cat", "printf", "chmod", "rm", "tail"):
        target = subprocess.run(["sh", "-c", f"command -v {name}"], capture_output=True, text=True).stdout.strip()
        if target:
            os.symlink(target, bin_dir / name)
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "id").chmod(0o755)
    env = {"PATH": str(bin_dir)}
    return subprocess.run([str(bin_dir / "sh"), str(SCRIPT), *tools], capture_output=True, text=True, env=env, timeout=30)


def test_a_user_who_cannot_install_is_told_the_exact_command(tmp_path):
    result = run(tmp_path, "sipp", "prosody", uid="1000")
    assert result.returncode == 1
    assert "rayo-conformance needs: sipp prosody" in result.stderr
    assert "sudo apt-get install -y sip-tester prosody" in result.stderr


def test_nothing_to_do_when_the_tools_are_there(tmp_path):
    result = run(tmp_path, "sh", uid="1000")
    assert result.returncode == 0 and result.stderr == ""
