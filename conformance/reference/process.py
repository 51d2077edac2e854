"""The reference server as a child process: how the plugin, `demo` and the self-test run it.

A separate process, so that the harness meets it only over sockets, and so
that a test can kill it mid-case.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..commands.serve import READY
from ..target import Target, load_target


class ReferenceError(RuntimeError):
    pass


class ReferenceProcess:
    def __init__(self, faults: tuple[str, ...] = (), dialect: str = "xep0327", users: tuple[str, ...] = ("harness",),
                 workdir: Path | None = None, xmpp_mode: str = "embedded", without: tuple[str, ...] = (),
                 variations: tuple[str, ...] = (), host: str = "127.0.0.1"):
        self.faults, self.dialect, self.users, self.xmpp_mode = faults, dialect, users, xmpp_mode
        self.host = host  # the address it listens on: a loopback alias stands in for another host
        self.without = without  # optional features left out (reference/features.py)
        self.variations = variations  # legal choices other than the default (reference/variations.py)
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="rayo-reference-"))
        self.target_file = self.workdir / "target.toml"
        self.log_file = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "conformance.cli", "serve", "--dialect", self.dialect, "--target-file", str(self.target_file)]
        command += ["--xmpp-mode", self.xmpp_mode, "--host", self.host]
        if self.xmpp_mode == "prosody":
            command += ["--prosody-dir", str(self.workdir / "prosody")]  # its log stays with the server's
        for user in self.users:
            command += ["--user", user]
        for fault in self.faults:
            command += ["--fault", fault]
        for feature in self.without:
            command += ["--without", feature]
        for name in self.variations:
            command += ["--variant", name]
        return command

    def start(self, timeout: float = 20.0) -> Target:
        """Starts the server and returns its target once it says it is ready."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Appending: the ready line is copied into the same file through another handle.
        log = self.log_file.open("a", encoding="utf-8")
        log.truncate(0)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=log)
        try:
            self._wait_ready(timeout)
        except ReferenceError as err:
            self.stop()
            detail = self.log_file.read_text(encoding="utf-8")[-2000:]
            raise ReferenceError(f"the reference server did not start ({err}): {detail}") from None
        return load_target(self.target_file)

    def _wait_ready(self, timeout: float) -> None:
        """Reads its stdout until the ready line; select() bounds each wait."""
        deadline = time.monotonic() + timeout
        pending = b""
        fd = self.process.stdout.fileno()
        with self.log_file.open("ab") as log:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                    raise ReferenceError(f"no ready line within {timeout:.0f} s")
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise ReferenceError(f"it exited with code {self.process.wait()}")
                log.write(chunk)
                pending += chunk
                if any(line.startswith(READY.encode()) for line in pending.split(b"\n")):
                    return

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def kill(self) -> None:
        """End it abruptly (SIGKILL): what a crash looks like to the harness."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 5.0) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> Target:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
