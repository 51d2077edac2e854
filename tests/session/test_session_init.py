"""`rayo-conformance init` takes the server's address, port, TLS mode and service as options,
or asks for them on a terminal, and the file it writes is one the harness loads."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conformance.target import load_target

CLI = str(Path(sys.executable).with_name("rayo-conformance"))


def load(path: Path, monkeypatch):
    monkeypatch.setenv("RAYO_PASSWORD", "secret")
    return load_target(path)


def test_init_takes_the_server_from_options_and_hints_at_plain_tls(tmp_path, monkeypatch):
    done = subprocess.run(
        [CLI, "init", "lab.toml", "--host", "127.0.0.9", "--port", "5290", "--tls", "plain", "--service", "rayo.lab"],
        capture_output=True, text=True, timeout=30, cwd=tmp_path, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert "tls = plain: the password crosses the network in clear" in done.stdout
    target = load(tmp_path / "lab.toml", monkeypatch)
    assert (target.host, target.port, target.tls, target.service) == ("127.0.0.9", 5290, "plain", "rayo.lab")
    assert target.sip_server == ("127.0.0.9", 5060)
    assert target.inbound() == "sip:harness@127.0.0.9:5060"


def test_init_refuses_a_port_that_is_not_one(tmp_path):
    done = subprocess.run([CLI, "init", "--port", "70000"], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert done.returncode == 2
    assert "'70000' is not a TCP port" in done.stderr
    assert not (tmp_path / "target.toml").exists()


def test_init_asks_on_a_terminal_for_what_the_options_do_not_give(tmp_path, monkeypatch):
    controller, terminal = pty.openpty()
    try:
        # host; a wrong port, then a right one; TLS; Enter keeps the default service
        os.write(controller, b"lab.example\nnot-a-port\n5223\nplain\n\n")
        done = subprocess.run([CLI, "init"], stdin=terminal, capture_output=True, text=True, timeout=30, cwd=tmp_path)
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "TLS: starttls (required, certificate verified) or plain (a lab server without TLS) [starttls]:" in done.stdout
    assert "'not-a-port' is not a TCP port" in done.stdout
    target = load(tmp_path / "target.toml", monkeypatch)
    assert (target.host, target.port, target.tls, target.service) == ("lab.example", 5223, "plain", "rayo.example.net")


def test_init_without_a_terminal_or_options_writes_the_defaults(tmp_path, monkeypatch):
    done = subprocess.run([CLI, "init"], capture_output=True, text=True, timeout=30, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    target = load(tmp_path / "target.toml", monkeypatch)
    assert (target.host, target.port, target.tls, target.service) == ("127.0.0.1", 5222, "starttls", "rayo.example.net")
