"""The Prosody launcher: start, register, log in, stop, and nothing left running."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from conformance.ports import LOOPBACK
from conformance.reference.prosody import Prosody, ProsodyError, ProsodyNotInstalled

from .xmpp_kit import TIMEOUT, Harness


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
        return True
    except OSError:
        return False


def test_start_register_log_in_stop(tmp_path: Path) -> None:
    server = Prosody(tmp_path)
    server.start()
    try:
        assert server.register("carol", "carol-pw") == "carol@localhost"
        assert (tmp_path / "data" / "localhost" / "accounts" / "carol.dat").exists()

        async def log_in() -> str:
            harness = Harness(server.c2s_port, "launcher", user="carol", password="carol-pw")
            await harness.client.connect(TIMEOUT)
            await harness.client.close(TIMEOUT)
            return harness.client.full_jid

        assert asyncio.run(log_in()) == "carol@localhost/launcher"
    finally:
        server.stop()
    pid = server.process.pid
    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped
    assert not _accepts(server.c2s_port) and not _accepts(server.component_port)
    log = server.log()
    assert f"Activated service 'c2s' on [127.0.0.1]:{server.c2s_port}" in log  # loopback only
    assert f"Activated service 'component' on [127.0.0.1]:{server.component_port}" in log
    assert "Shutdown complete" in log  # it stopped on SIGTERM, cleanly


def test_a_taken_port_moves_prosody_to_others(tmp_path: Path) -> None:
    server = Prosody(tmp_path)
    with socket.socket() as squatter:  # another program has the port by the time Prosody starts
        squatter.bind((LOOPBACK, server.c2s_port))
        squatter.listen()
        taken = server.c2s_port
        with server:
            assert server.c2s_port != taken
            assert _accepts(server.c2s_port)
    assert "Failed to open server port" in server.log()


def test_without_prosody_the_error_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ProsodyNotInstalled, match="apt-get install prosody"):
        Prosody(tmp_path).start()


def test_a_prosody_that_exits_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    server = Prosody(tmp_path)
    server.config_path.write_text(server.config_path.read_text() + "this is not lua (\n")
    with pytest.raises(ProsodyError, match=r"(?s)Prosody exited with status \d+ while starting:.*prosody\.cfg\.lua"):
        server.start()
    assert server.process.returncode is not None
