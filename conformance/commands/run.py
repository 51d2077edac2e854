"""rayo-conformance run / demo: the suite against a target, ending with the report's path.

`run -t target.toml` tests any server; `demo` tests the built-in reference
server. Both wrap pytest (the same run as `pytest --rayo-target ...`) and
exit with its code: 0 every case passed (or warned, or is a known failure of
the baseline), 1 some case failed, 2 interrupted, 3 internal error, 4 usage
error (a bad target or scenario file, said in one message before anything
runs), 5 no case selected, 6 when the server under test cannot be used at all
(unreachable, login refused, no answer from the Rayo service), and 7 when no
case reached a verdict (or a certification has an inconclusive case).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from ..resources import scenarios_dir


def add_parser(subparsers) -> None:
    run = subparsers.add_parser("run", help="run the suite against a server", description=__doc__)
    run.add_argument("-t", "--target", required=True, type=Path, help="the target file (TOML) describing the server")
    _common(run)
    demo = subparsers.add_parser("demo", help="run the suite against the built-in reference server", description=__doc__)
    demo.add_argument("--fault", action="append", default=[], metavar="NAME", help="start the reference server with this fault")
    demo.add_argument("--xmpp-mode", choices=("embedded", "prosody"), default="embedded",
                      help="the reference server's XMPP side: its own c2s listener, or a component behind Prosody")
    _common(demo)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", choices=("xep0327", "seed"), help="override the target's dialect")
    parser.add_argument("--strict", action="store_true", help="warnings (SHOULD not met) fail their case")
    parser.add_argument("--certify", action="store_true",
                        help="a certification run: strict, and the target's baseline of known failures is ignored")
    parser.add_argument("--profile", metavar="NAME", help="only the cases of this profile (rayo-conformance list --profiles)")
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="only cases whose id matches (pytest -k)")
    parser.add_argument("--report", type=Path, help="report directory (default: reports/<date-time>)")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here, for CI (docs/ci.md)")
    parser.add_argument("--timeout-scale", type=float, metavar="X", help="multiply every timeout by X")
    parser.add_argument("--scenarios", type=Path, action="append", help="scenario files or directories (default: the shipped suite)")
    parser.set_defaults(func=run)


def pytest_arguments(args: argparse.Namespace, report: Path) -> list[str]:
    paths = [str(p) for p in (args.scenarios or [scenarios_dir()])]
    arguments = paths + [
        "--rayo-report", str(report),
        "--html", str(report / "pytest.html"), "--self-contained-html",
        "-p", "no:cacheprovider",
        "-q", "-rfEs",
        # The CLI has imported the package before pytest loads the plugin from it.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
    ]
    if getattr(args, "target", None):
        arguments += ["--rayo-target", str(args.target)]
    for fault in getattr(args, "fault", []):
        arguments += ["--rayo-fault", fault]
    if getattr(args, "xmpp_mode", None):
        arguments += ["--rayo-reference-mode", args.xmpp_mode]
    if args.dialect:
        arguments += ["--rayo-dialect", args.dialect]
    if args.strict:
        arguments.append("--rayo-strict")
    if getattr(args, "certify", False):
        arguments.append("--rayo-certify")
    if getattr(args, "profile", None):
        arguments += ["--rayo-profile", args.profile]
    if args.keyword:
        arguments += ["-k", args.keyword]
    if getattr(args, "junit", None):
        arguments += ["--junitxml", str(args.junit), "-o", "junit_suite_name=rayo-conformance"]
    if args.timeout_scale:
        arguments += ["--rayo-timeout-scale", str(args.timeout_scale)]
    return arguments


def run(args: argparse.Namespace) -> int:
    report = args.report or Path("reports") / datetime.now().strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()
    code = int(pytest.main(pytest_arguments(args, report)))
    if code == pytest.ExitCode.USAGE_ERROR:
        return code  # pytest has said what is wrong with the target or a scenario file; nothing ran
    index = report / "index.html"
    print(f"\nSuite time: {time.monotonic() - started:.1f} s")
    if (report / "results.json").exists():
        print(area_times(json.loads((report / "results.json").read_text())["cases"]))
    if index.exists():
        print(f"Report: {index.resolve()}")
    else:
        print("No report was written (no case ran).")
    return code


def area_times(cases: list[dict]) -> str:
    """Time spent per area of the catalogue (the id's second part: output, input, joins, ...), so a
    slow area shows; with parallel workers the areas overlap and add up to more than the wall time."""
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        area = case["case_id"].split(".")[1]
        seconds[area] += case["duration"]
        counts[area] += 1
    lines = [f"  {area:<12} {seconds[area]:6.1f} s  {counts[area]:3d} cases" for area in sorted(seconds)]
    return "Time by area:\n" + "\n".join(lines)
