"""One pytest session's Rayo run: its target, its event loop, its results and its report.

With pytest-xdist every worker has its own session (and, without a target
file, its own reference server); workers send each result to the controller
on the test report, and only the controller writes the Rayo report.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .baseline import excuse
from .breaker import CircuitBreaker
from .outcome import UNREACHABLE, RunOutcome
from .preflight import ServerInfo, TargetUnreachable, preflight
from .results import CaseResult, result_from_dict, result_to_dict
from .scenario.model import Case
from .target import Account, Target, TargetError, load_target


class RayoSession:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.loop: asyncio.AbstractEventLoop | None = None
        self._target: Target | None = None
        self._file_target: Target | None = None  # as the target file says, before the options
        self.server: ServerInfo | None = None
        self.reference = None
        self.results: list[CaseResult] = []
        self.facts: dict | None = None  # what the report says of the run, from whoever ran the cases
        self._workdir: Path | None = None
        self.started = datetime.now(timezone.utc)
        default = Path("reports") / self.started.strftime("%Y%m%d-%H%M%S")
        self.report_dir = Path(config.getoption("rayo_report") or default)
        self.report_path: Path | None = None
        self.outcome = RunOutcome(self.certify)
        self.breaker: CircuitBreaker | None = None  # made with the target, at the first case

    # --- options ------------------------------------------------------------------

    @property
    def certify(self) -> bool:
        return bool(self.config.getoption("rayo_certify"))

    @property
    def strict(self) -> bool:
        return self.certify or bool(self.config.getoption("rayo_strict"))

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @property
    def workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="rayo-run-"))
        return self._workdir

    # --- the target ---------------------------------------------------------------

    def target(self) -> Target:
        if self._target is None:
            self._target = self._load_target()
            self.server = self._preflight(self._target)
        return self._target

    def read_target_file(self) -> Target | None:
        """The --rayo-target file, read once and checked whole before anything runs: a bad one is
        one usage error (exit 4) naming the file, line and key, not an error in every case."""
        path = self.config.getoption("rayo_target")
        if path and self._file_target is None:
            try:
                self._file_target = self._with_address(load_target(path))
            except TargetError as err:
                raise pytest.UsageError(str(err)) from None
        return self._file_target

    def _with_address(self, target: Target) -> Target:
        """The harness's own address, found once (TargetError when there is no route to the server)."""
        return target.with_options(address=self.config.getoption("rayo_harness_address") or target.harness_address())

    def _load_target(self) -> Target:
        target = self.read_target_file() or self._with_address(self._start_reference())
        changes: dict = {}
        if self.config.getoption("rayo_dialect"):
            changes["dialect"] = self.config.getoption("rayo_dialect")
        if self.config.getoption("rayo_timeout_scale"):
            changes["timeouts"] = replace(target.timeouts, scale=self.config.getoption("rayo_timeout_scale"))
        if self.certify:
            changes["baseline"] = {}  # a certification counts every failure
            changes["known_findings"] = ()
        return worker_target(target.with_options(**changes), os.environ.get("PYTEST_XDIST_WORKER"))

    def _start_reference(self) -> Target:
        from .reference.process import ReferenceError, ReferenceProcess

        self.reference = ReferenceProcess(
            tuple(self.config.getoption("rayo_fault")),
            self.config.getoption("rayo_dialect") or "xep0327",
            workdir=self.workdir / "reference",
            xmpp_mode=self.config.getoption("rayo_reference_mode"),
            variations=tuple(self.config.getoption("rayo_variant")),
            host=self.config.getoption("rayo_reference_host"),
        )
        try:
            return self.reference.start()
        except ReferenceError as err:
            raise pytest.UsageError(str(err)) from None

    def _preflight(self, target: Target) -> ServerInfo:
        try:
            return self.event_loop().run_until_complete(preflight(target))
        except TargetUnreachable as err:
            pytest.exit(f"the server under test cannot be used: {err}", returncode=UNREACHABLE)

    def event_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()  # one loop for the whole session
        return self.loop

    # --- cases ----------------------------------------------------------------------

    def run(self, case: Case) -> CaseResult:
        from .scenario.runner import run_case

        target = self.target()
        if self.breaker is None:
            self.breaker = CircuitBreaker(target.silent_limit)
        if self.breaker.open:
            return self.breaker.ended(case, target.dialect)
        result = self.event_loop().run_until_complete(run_case(case, target, self.workdir / "cases" / case.id, strict=self.strict))
        self.breaker.note(result)
        return result

    def known_failure(self, result: CaseResult) -> str | None:
        """Why the baseline excuses a failed case: it lists the case, or every finding that fails it."""
        target = self.target()
        return target.baseline.get(result.case_id) or excuse(result, target.known_findings, self.strict)

    def encode(self, result: CaseResult) -> str:
        """A result and the facts of the run, for the test report (xdist carries it to the controller)."""
        return json.dumps({"result": result_to_dict(result), "run": self.run_facts()})

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Every case's result reaches the session that writes the report (the controller under xdist)."""
        if report.when != "teardown":
            results = [self.collect(encoded) for encoded in getattr(report, "rayo_results", ())]
            self.outcome.reported(report, results)

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.outcome.collected(report)

    def collect(self, encoded: str) -> CaseResult:
        """A result reported by this process or a worker; the controller keeps them all."""
        data = json.loads(encoded)
        self.results.append(result_from_dict(data["result"]))
        self.facts = self.facts or data["run"]
        return self.results[-1]

    def run_facts(self) -> dict:
        target = self.target()
        return {
            "target": target.name,
            "server": self.server.identity() if self.server else "",
            "dialect": target.dialect,
            "claims": sorted(target.capabilities()),
            "notes": list(self.server.notes) if self.server else [],
        }

    # --- the end --------------------------------------------------------------------

    def write_report(self) -> None:
        if self.is_worker or not self.results:
            return
        from .report import RunInfo, write_report
        from .scenario.requirements import load_catalogue

        facts = self.facts
        run = RunInfo(
            target=facts["target"],
            server=facts["server"],
            dialect=facts["dialect"],
            strict=self.strict,
            certify=self.certify,
            claims=tuple(facts["claims"]),
            notes=tuple(facts["notes"]),
            started=self.started,
        )
        self.report_path = write_report(self.results, self.report_dir, run, load_catalogue())
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("-", f"Rayo conformance report: {self.report_path.resolve()}")

    def close(self) -> None:
        if self.reference is not None:
            self.reference.stop()
        if self.loop is not None:
            self.loop.close()


def worker_target(target: Target, worker: str | None) -> Target:
    """In a parallel run each worker logs in with its own account where the target has one
    for it ([accounts.gw0], ...): cases about who is available must not see each other."""
    account: Account | None = target.accounts.get(worker) if worker else None
    if account is None:
        return target
    return target.with_options(jid=account.jid, password=account.password)
