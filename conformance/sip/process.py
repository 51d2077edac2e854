"""One SIPp process: its command line, its files, and stopping it by its PID."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import SipError

# What SIPp 3.6.1's exit codes were seen to mean (notes/sipp.md 4).
EXIT_MEANINGS = {
    0: "no call failed",
    1: "a call failed, or the scenario did not load",
    97: "its global -timeout ran out",
    254: "one of its ports was already in use",
    255: "a fatal error",
}


_ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class SippFiles:
    """Every file of one run, named per role and attempt so no run reads another's."""

    scenario: Path
    messages: Path  # -trace_msg: every SIP message in full; the driver reads it live
    short: Path  # -trace_shortmsg: one line per message
    errors: Path  # -trace_err: created by SIPp only when something goes wrong
    logs: Path  # -trace_logs
    stdout: Path  # SIPp prints its statistics screen here when it exits
    stderr: Path

    @classmethod
    def for_run(cls, workdir: Path, role: str, attempt: int) -> "SippFiles":
        stem = workdir / f"{role}-{attempt}"
        return cls(
            scenario=workdir / f"{role}.xml",
            messages=stem.with_suffix(".messages.log"),
            short=stem.with_suffix(".short.log"),
            errors=stem.with_suffix(".errors.log"),
            logs=stem.with_suffix(".logs.log"),
            stdout=stem.with_suffix(".stdout.log"),
            stderr=stem.with_suffix(".stderr.log"),
        )

    def existing(self) -> list[Path]:
        return [path for path in vars(self).values() if path.exists()]


@dataclass(frozen=True)
class SippPorts:
    host: str  # the harness's address: every port below is on it
    sip: int
    media: int
    control: int
    twin: int


def command_line(sipp: str, files: SippFiles, ports: SippPorts, remote: tuple[str, int], timeout: float) -> list[str]:
    """Every socket on the harness's address (SIPp's 3PCC client connects from
    it in any case), every port explicit, traces named per run, in the
    foreground (never -bg, which hides the PID and the exit code). UDP
    retransmissions are off (-nr): see scenario.py.

    If the harness dies, its SIPps must not live on. SIPp's global -timeout
    does not end one whose twin is gone while a call is open (tried), so
    setpriv (util-linux) asks the kernel to kill SIPp with its parent; it
    then becomes SIPp, with the same PID. -timeout stays for the rest.
    """
    host, port = remote
    guard = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
    return [
        *guard, sipp, f"{host}:{port}",
        "-sf", str(files.scenario),
        "-i", ports.host, "-p", str(ports.sip), "-mp", str(ports.media), "-cp", str(ports.control),
        "-3pcc", f"{ports.host}:{ports.twin}",
        "-t", "u1", "-nr", "-nostdin", "-timeout", f"{timeout:g}s",
        "-trace_msg", "-message_file", str(files.messages),
        "-trace_shortmsg", "-shortmessage_file", str(files.short),
        "-trace_err", "-error_file", str(files.errors),
        "-trace_logs", "-log_file", str(files.logs),
    ]  # fmt: skip


class SippProcess:
    def __init__(self, role: str, args: list[str], files: SippFiles):
        self.role, self.args, self.files = role, args, files
        self._proc: asyncio.subprocess.Process | None = None
        self.exited: asyncio.Task[int] | None = None  # done when the process has exited
        self.stopping = False  # the harness asked it to stop: its exit is expected

    async def start(self) -> None:
        with self.files.stdout.open("wb") as out, self.files.stderr.open("wb") as err:
            self._proc = await asyncio.create_subprocess_exec(
                *self.args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.files.scenario.parent
            )
        self.exited = asyncio.get_running_loop().create_task(self._proc.wait())

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    async def exited_within(self, seconds: float) -> bool:
        assert self.exited is not None
        done, _ = await asyncio.wait({self.exited}, timeout=seconds)
        return bool(done)

    async def stop(self, grace: float) -> int:
        """Wait `grace` for it to end on its own, then SIGTERM, then SIGKILL: by PID only."""
        assert self._proc is not None and self.exited is not None
        self.stopping = True
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and not self.exited.done():
                try:
                    self._proc.send_signal(sig)  # our child, by its PID
                except ProcessLookupError:
                    pass  # it exited on its own just now
            if await self.exited_within(grace):
                return self.exited.result()
        raise SipError(f"SIPp {self.role} (pid {self.pid}) did not exit even after SIGKILL")

    def describe_exit(self) -> str:
        code = self.returncode
        meaning = EXIT_MEANINGS.get(code, "signal" if code is not None and code < 0 else "unexpected")
        last = self.last_words()
        return f"SIPp {self.role} (pid {self.pid}) exited with code {code} ({meaning})" + (f"; it said: {last}" if last else "")

    def last_words(self, lines: int = 3) -> str:
        """SIPp's last error lines ("<date> <time> <epoch>: <message>"), from its
        stderr and error file, without the time stamps and the repeats."""
        said: list[str] = []
        for path in (self.files.stderr, self.files.errors):
            if path.exists():
                said += [m.group(1) for m in _ERROR_LINE.finditer(path.read_text("utf-8", "replace"))]
        return " | ".join(list(dict.fromkeys(said))[-lines:])
