"""The reference server in prosody mode, as a process: what it starts, and that it leaves nothing behind."""

from __future__ import annotations

import os
import select
import signal
from pathlib import Path

from conformance.reference.process import ReferenceProcess

TIMEOUT = 10.0


def prosody_pid(workdir: Path) -> int:
    return int((workdir / "prosody" / "prosody.pid").read_text())


def ended_within(pid: int, timeout: float) -> bool:
    """Whether the process `pid` (not our child) ends within `timeout`: a pidfd turns readable when it does."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def test_the_target_points_at_prosody_and_stop_ends_it(tmp_path):
    reference = ReferenceProcess(workdir=tmp_path, xmpp_mode="prosody")
    target = reference.start()
    try:
        pid = prosody_pid(tmp_path)
        assert target.name == "reference (xep0327, via Prosody, faults: none)"
        log = (tmp_path / "prosody" / "prosody.log").read_text()
        assert f"Activated service 'c2s' on [127.0.0.1]:{target.port}" in log
        assert "External component successfully authenticated" in log
        assert (tmp_path / "prosody" / "data" / "localhost" / "accounts" / "harness.dat").exists()
    finally:
        reference.stop()
    assert reference.process.returncode == 0
    assert ended_within(pid, TIMEOUT)


def test_prosody_dies_with_a_killed_server(tmp_path):
    reference = ReferenceProcess(workdir=tmp_path, xmpp_mode="prosody")
    reference.start()
    pid = prosody_pid(tmp_path)
    reference.kill()  # SIGKILL: the server cannot stop Prosody itself
    ended = ended_within(pid, TIMEOUT)
    if not ended:
        os.kill(pid, signal.SIGKILL)  # leave nothing running, even when failing
    assert ended, f"Prosody (pid {pid}) outlived the server"


def test_the_server_exits_and_says_why_when_its_component_loses_prosody(tmp_path):
    reference = ReferenceProcess(workdir=tmp_path, xmpp_mode="prosody")
    reference.start()
    try:
        os.kill(prosody_pid(tmp_path), signal.SIGKILL)
        assert reference.process.wait(TIMEOUT) == 1
    finally:
        reference.stop()
    assert "stopped: the server closed the connection" in reference.log_file.read_text()
