"""The pytest plugin: collects Rayo scenario files and runs them against a target.

    pytest --rayo-target target.toml path/to/scenarios

Every `*.yaml` under a directory named `scenarios` is a case, except the
requirement catalogue in `scenarios/requirements/`. Without --rayo-target,
the built-in reference server is started for the session.

Verdicts map to pytest outcomes (docs/verdicts.md):
    pass           -> passed
    warn           -> passed, with a RayoWarning (failed under --rayo-strict)
    fail           -> failed
    inconclusive   -> skipped, reason "inconclusive: ..."
    not-applicable -> skipped, reason "not applicable: ..."
    error          -> error (a fault of the harness, raised in setup)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from .report.markup import visible
from .resources import is_data_file
from .results import CaseResult, Verdict
from .scenario.loader import ScenarioError, load_case, load_case_text
from .scenario.model import Case
from .session import RayoSession
from .target import Target

STATE = pytest.StashKey["RayoSession"]()


class RayoWarning(UserWarning):
    """A SHOULD-level requirement was not met."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rayo", "Rayo conformance")
    group.addoption("--rayo-target", metavar="FILE", help="the server under test (TOML); default: start the reference server")
    group.addoption("--rayo-dialect", choices=("xep0327", "seed"), help="override the target's dialect")
    group.addoption("--rayo-strict", action="store_true", help="a warning (SHOULD not met) fails the case")
    group.addoption("--rayo-certify", action="store_true",
                    help="a certification run: strict, the target's baseline of known failures ignored, titled as such")
    group.addoption("--rayo-profile", metavar="NAME", help="only the cases of this profile (scenarios/profiles.yaml)")
    group.addoption("--rayo-timeout-scale", type=float, metavar="X", help="multiply every timeout by X")
    group.addoption("--rayo-harness-address", metavar="ADDRESS",
                    help="the harness's own address for SIP, RTP, documents and XMPP (overrides the target's [harness] address)")
    group.addoption("--rayo-report", metavar="DIR", help="write the HTML/JSON report here (default: reports/<time>)")
    group.addoption("--rayo-fault", action="append", default=[], metavar="NAME",
                    help="start the reference server with this deliberate fault (repeatable; no --rayo-target)")
    group.addoption("--rayo-variant", action="append", default=[], metavar="NAME",
                    help="start the reference server with this legal variation (repeatable; no --rayo-target)")
    group.addoption("--rayo-reference-mode", choices=("embedded", "prosody"), default="embedded",
                    help="the reference server's XMPP side: its own c2s listener, or a component behind Prosody (no --rayo-target)")
    group.addoption("--rayo-reference-host", default="127.0.0.1", metavar="ADDRESS",
                    help="the loopback address the reference server listens on, e.g. 127.0.0.9 (no --rayo-target)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rayo: a Rayo conformance case")
    session = RayoSession(config)
    config.stash[STATE] = session
    config.pluginmanager.register(session, "rayo-session")  # it collects the results (pytest_runtest_logreport)


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash[STATE]
    session.close()
    config.pluginmanager.unregister(session)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts[:-1] and not is_data_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist starts its workers
def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STATE].read_target_file()


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash[STATE]
    state.write_report()
    session.exitstatus = state.outcome.exit_code(session.exitstatus)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    outcome = config.stash[STATE].outcome
    if outcome.sentence():
        terminalreporter.write_sep("=", f"{outcome.sentence()} (exit code {int(outcome.exit_code(exitstatus))})", red=True)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    if isinstance(collector, ScenarioFile) and report.failed:
        report.rayo_broken_scenario = True  # kept on the report as xdist carries it: exit code 4 (outcome.py)
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.stash[STATE].outcome.broken_files:
        # Nothing runs beside a broken scenario file: pytest stops by itself, its xdist workers do not.
        config.hook.pytest_deselected(items=list(items))
        items.clear()
        return
    name = config.getoption("rayo_profile")
    if not name:
        return
    from .scenario.profiles import ProfileError, load_profile

    try:
        profile = load_profile(name)
    except ProfileError as err:
        raise pytest.UsageError(str(err)) from None
    keep = [i for i in items if not isinstance(i, ScenarioItem) or profile.includes(i.case.id)]
    dropped = [i for i in items if i not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    results: list[CaseResult] = getattr(item, "rayo_results", [])
    if not results or report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    # Carried to the controller by xdist; collected by RayoSession.pytest_runtest_logreport.
    report.rayo_results = [item.config.stash[STATE].encode(result) for result in results]
    from .report import case_extras_html

    try:
        import pytest_html
    except ImportError:  # pytest-html is a dependency; without it there is simply no row extra
        return
    extras = []
    for result in results:
        extras.append(pytest_html.extras.html(case_extras_html(result)))
        extras += [pytest_html.extras.text(text, name=name) for name, text in _trace_texts(result)]
    report.extras = getattr(report, "extras", []) + extras


def _trace_texts(result: CaseResult, limit: int = 256 * 1024) -> list[tuple[str, str]]:
    """The SIPp trace files of a case, for its pytest-html row (large ones are linked from the report instead)."""
    texts = []
    for path in result.artifacts:
        try:
            if path.stat().st_size <= limit:
                texts.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return texts


@pytest.fixture(scope="session")
def rayo_target(request: pytest.FixtureRequest) -> Target:
    """The server under test (the reference server when no --rayo-target is given)."""
    return request.config.stash[STATE].target()


@pytest.fixture
def rayo_run(request: pytest.FixtureRequest):
    """Runs a case written in a Python test, with the same steps as a scenario file.

        def test_answer(rayo_run):
            result = rayo_run(\"\"\"
              - caller dials the server
              - expect offer
            \"\"\", section="6.2.2", requirements=["R-6.2.2-e"])
            assert result.verdict is Verdict.PASS

    The result also goes into the run's report.
    """
    session: RayoSession = request.config.stash[STATE]

    def run(steps: str, *, section: str, requirements: list[str], title: str | None = None,
            dialects: tuple[str, ...] = ("xep0327", "seed")) -> CaseResult:
        import textwrap

        import yaml

        header = {
            "id": "python." + "".join(c if c.isalnum() else "-" for c in request.node.name).strip("-").lower(),
            "title": title or (request.node.function.__doc__ or request.node.name).strip(),
            "section": section,
            "requirements": list(requirements),
            "dialects": list(dialects),
        }
        text = yaml.safe_dump(header, sort_keys=False) + "steps:\n" + textwrap.indent(textwrap.dedent(steps).strip("\n"), "  ") + "\n"
        result = session.run(load_case_text(text, f"{request.node.nodeid} (steps)"))
        request.node.rayo_results = getattr(request.node, "rayo_results", []) + [result]
        return result

    return run


class ScenarioFile(pytest.File):
    def collect(self):
        try:
            case = load_case(self.path)
        except ScenarioError as err:
            raise ScenarioCollectError(err.render()) from None
        yield ScenarioItem.from_parent(self, name=case.id, case=case)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioCollectError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ScenarioCollectError(Exception):
    """A scenario file is broken; the message has file:line for each problem."""


class CaseFailed(Exception):
    def __init__(self, result: CaseResult):
        super().__init__(result.case_id)
        self.result = result


class HarnessError(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.result: CaseResult | None = None
        self.add_marker("rayo")

    def setup(self) -> None:
        session: RayoSession = self.config.stash[STATE]
        target = session.target()
        if target.dialect not in self.case.dialects:
            pytest.skip(f"not applicable: the case is for {', '.join(self.case.dialects)}, the target speaks {target.dialect}")
        self.result = session.run(self.case)
        self.rayo_results = [self.result]
        # JUnit takes these from every report of the item (it writes them at teardown).
        self.user_properties += [("verdict", self.result.verdict.value), ("requirements", " ".join(self.result.requirements))]
        if self.result.verdict is Verdict.ERROR:
            raise HarnessError(_findings_text(self.result))
        if self.result.verdict is Verdict.INCONCLUSIVE:
            pytest.skip("inconclusive: " + _findings_text(self.result))
        if self.result.verdict is Verdict.NOT_APPLICABLE:
            pytest.skip("not applicable: " + _findings_text(self.result))

    def runtest(self) -> None:
        verdict = self.result.verdict
        if verdict is Verdict.FAIL:
            known = self.config.stash[STATE].known_failure(self.result)
            if known:
                self.result.known_failure = known
                pytest.xfail(f"known failure (baseline): {known}")
            raise CaseFailed(self.result)
        if verdict is Verdict.WARN:
            warnings.warn(RayoWarning(f"{self.case.id}: {_findings_text(self.result)}"))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (CaseFailed, HarnessError)):
            result = self.result
            return f"{result.case_id} ({result.source}): {result.verdict.value}\n{_findings_text(result)}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"{self.case.id}: {self.case.title}"


def _findings_text(result: CaseResult) -> str:
    lines = []
    for finding in result.findings:
        where = f"step {finding.step}: " if finding.step else ""
        lines.append(f"  [{finding.kind}/{finding.level}] {where}{visible(finding.message)}")
    return "\n".join(lines) or "  (no findings)"
