"""A packet capture on the loopback interface (tcpdump, by its PID): which addresses a run
really used, seen by the kernel rather than told by the harness."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

_PACKET = re.compile(r" IP (\d+(?:\.\d+){3})\S* > (\d+(?:\.\d+){3})\S*?:")


class CaptureUnavailable(RuntimeError):
    pass


class LoopbackCapture:
    """Every IPv4 packet on `lo` to or from one of `hosts`, headers only, written to `path`."""

    def __init__(self, path: Path, hosts: tuple[str, ...]):
        self.path = path
        self.filter = " or ".join(f"host {host}" for host in hosts)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        tcpdump = shutil.which("tcpdump")
        if tcpdump is None:
            raise CaptureUnavailable("tcpdump is not installed (tools/ensure-system-tools tcpdump)")
        # -U: each packet reaches the file as it is captured, so stopping loses none.
        self.process = subprocess.Popen([tcpdump, "-i", "lo", "-n", "-U", "-s", "96", "-w", str(self.path), self.filter],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        said = self._wait_listening(timeout=10.0)
        if "listening on" not in said:
            self.stop()
            raise CaptureUnavailable(f"tcpdump did not start capturing: {said.strip() or 'no word from it'}")

    def _wait_listening(self, timeout: float) -> str:
        """tcpdump says 'listening on lo' once its filter is in place; bounded by select()."""
        assert self.process is not None and self.process.stderr is not None
        said, deadline = b"", time.monotonic() + timeout
        while b"listening on" not in said:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.process.stderr], [], [], remaining)[0]:
                break
            chunk = os.read(self.process.stderr.fileno(), 4096)
            if not chunk:
                break
            said += chunk
        return said.decode(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # our child, by its PID; it flushes and exits
            self.process.wait(timeout=10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def pairs(self) -> list[tuple[str, str]]:
        """(source, destination) of every packet captured, in order; the capture ends first."""
        self.stop()
        shown = subprocess.run(["tcpdump", "-n", "-r", str(self.path)], capture_output=True, text=True, timeout=120)
        return [(match.group(1), match.group(2)) for match in _PACKET.finditer(shown.stdout)]
