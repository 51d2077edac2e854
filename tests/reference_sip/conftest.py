"""Fixtures for testing the reference SIP UA against real SIPp processes.

Every SIPp gets allocated ports and writes its traces into the test's tmp
dir (pytest keeps the last runs), named per process so a failing test's
evidence is there to read. A process still running when its `async with`
ends is stopped by its PID, SIGTERM then SIGKILL.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.ports import LOOPBACK, free_media_port, free_port, free_udp_tcp_port

SIPP = shutil.which("sipp") or "/usr/bin/sipp"
SCENARIOS = Path(__file__).parent / "sipp"
EXIT_TIMEOUT = 10.0


class Sipp:
    """One SIPp process of ours, as an async context manager."""

    _numbers = itertools.count(1)

    def __init__(
        self,
        directory: Path,
        scenario: str,
        *,
        remote: tuple[str, int] | None = None,
        calls: int = 1,
        limit: int | None = None,
        rate: int = 100,
        keys: dict[str, str] | None = None,
        sets: dict[str, str] | None = None,
    ) -> None:
        self.scenario = SCENARIOS / scenario
        self.port = free_udp_tcp_port()
        self.media_port = free_media_port()
        self.name = f"{next(self._numbers):02d}-{self.scenario.stem}"
        self.directory = directory
        self.args = [
            *([f"{remote[0]}:{remote[1]}"] if remote else []),
            "-sf", str(self.scenario),
            "-i", LOOPBACK, "-p", str(self.port), "-mp", str(self.media_port), "-cp", str(free_port()),
            "-m", str(calls), "-r", str(rate), "-nostdin",
            "-recv_timeout", "5000",
            "-trace_msg", "-message_file", str(self._file("messages.log")),
            "-trace_err", "-error_file", str(self._file("errors.log")),
            "-trace_logs", "-log_file", str(self._file("logs.log")),
        ]  # fmt: skip
        if limit is not None:
            self.args += ["-l", str(limit)]
        for key, value in (keys or {}).items():
            self.args += ["-key", key, value]
        for name, value in (sets or {}).items():
            self.args += ["-set", name, value]
        self.process: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> tuple[str, int]:
        return LOOPBACK, self.port

    def _file(self, suffix: str) -> Path:
        return self.directory / f"{self.name}.{suffix}"

    async def __aenter__(self) -> Sipp:
        with self._file("stdout.log").open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                SIPP, *self.args, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), EXIT_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def exit_code(self, timeout: float = EXIT_TIMEOUT) -> int:
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"SIPp did not exit within {timeout} s\n{self.evidence()}") from None

    async def succeeded(self, timeout: float = EXIT_TIMEOUT) -> None:
        """SIPp exits 0: every call of its scenario, checks included, succeeded."""
        code = await self.exit_code(timeout)
        assert code == 0, f"SIPp exited {code}\n{self.evidence()}"

    async def failed_with(self, reason: str, timeout: float = EXIT_TIMEOUT) -> None:
        """For control cases: SIPp fails, and for the reason the scenario checks, not a broken file."""
        code = await self.exit_code(timeout)
        assert code != 0 and reason in self.text("errors.log"), f"SIPp exited {code}\n{self.evidence()}"

    def text(self, suffix: str) -> str:
        """A trace file's content ("logs.log", "errors.log", ...); "" if SIPp wrote none."""
        path = self._file(suffix)
        return path.read_text(errors="replace") if path.exists() else ""

    def evidence(self) -> str:
        parts = [f"command: {SIPP} {' '.join(self.args)}"]
        for suffix in ("errors.log", "logs.log", "stdout.log", "messages.log"):
            path = self._file(suffix)
            if path.exists():
                parts.append(f"--- {path} (last 6000 chars)\n{path.read_text(errors='replace')[-6000:]}")
        return "\n".join(parts)


class Recorder:
    """Collects what a callback receives; `wait` returns the first item matching, now or later."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._waiters: list[tuple[Callable[[Any], bool], asyncio.Future[Any]]] = []

    def __call__(self, item: Any) -> None:
        self.items.append(item)
        for predicate, future in self._waiters:
            if not future.done() and predicate(item):
                future.set_result(item)

    async def wait(self, predicate: Callable[[Any], bool], timeout: float = 5.0) -> Any:
        for item in self.items:
            if predicate(item):
                return item
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"nothing matched within {timeout} s; got {self.items!r}") from None

    async def event(self, kind: str, timeout: float = 5.0) -> Any:
        """For call events: the first of this kind."""
        return await self.wait(lambda event: event.kind == kind, timeout)

    @property
    def kinds(self) -> list[str]:
        return [event.kind for event in self.items]


@pytest.fixture
def sipp(tmp_path: Path) -> Callable[..., Sipp]:
    if not Path(SIPP).exists():
        pytest.skip("sipp is not installed")
    return lambda scenario, **options: Sipp(tmp_path, scenario, **options)


@pytest.fixture
def recorder() -> Callable[[], Recorder]:
    return Recorder
