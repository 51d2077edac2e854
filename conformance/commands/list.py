"""rayo-conformance list: the shipped cases, or with --requirements the requirement catalogue.

Cases: one block per case with its id, title, requirements, dialects and
needs. Requirements: per id its level, actor and paraphrase, then the cases
that test it, or why none can (untestable), or which case would (pending);
a summary per dialect counts them by level. Exits 1 with file:line problems
if a scenario file or the catalogue is broken, or if the two disagree.
"""

from __future__ import annotations

import argparse
import sys

from ..resources import case_files
from ..scenario.profiles import profiles
from ..scenario.loader import ScenarioError, load_cases
from ..scenario.model import Case
from ..scenario.requirements import DECISION, STATUSES, Catalogue, Requirement, check, coverage, load_catalogue, status, summary


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("list", help="list the cases or the requirement catalogue", description=__doc__)
    parser.add_argument("--requirements", action="store_true", help="list the requirement catalogue and its coverage")
    parser.add_argument("--profiles", action="store_true", help="list the profiles (run --profile NAME)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        cases = load_cases(case_files())
        catalogue = load_catalogue()
        problems = check(cases, catalogue)
        if problems:
            raise ScenarioError(problems)
    except ScenarioError as err:
        print(err.render(), file=sys.stderr)
        return 1
    if args.profiles:
        lines = profile_lines(cases)
    elif args.requirements:
        lines = requirement_lines(cases, catalogue)
    else:
        lines = case_lines(cases)
    print("\n".join(lines))
    return 0


def profile_lines(cases: list[Case]) -> list[str]:
    lines = []
    for profile in profiles().values():
        count = sum(profile.includes(case.id) for case in cases)
        lines.append(f"{profile.name:<24} {profile.dialect:<8} {count:>3} cases  {profile.description}")
    return lines


def case_lines(cases: list[Case]) -> list[str]:
    lines = []
    for case in sorted(cases, key=lambda c: c.id):
        lines += [
            f"{case.id}: {case.title}",
            f"    requirements: {' '.join(case.named_requirements())}",
            f"    dialects: {' '.join(case.dialects)}; needs: {' '.join(case.needs) or 'nothing'}",
        ]
    lines.append(f"{len(cases)} cases")
    return lines


def requirement_lines(cases: list[Case], catalogue: Catalogue) -> list[str]:
    covered_by = coverage(cases, catalogue)
    lines = [line for r in catalogue.requirements for line in _requirement(r, covered_by[r.id])]
    for dialect in dict.fromkeys(r.dialect for r in catalogue.requirements):
        lines += _summary(catalogue, covered_by, dialect)
    return lines


def _requirement(r: Requirement, cases: tuple[str, ...]) -> list[str]:
    how = {
        "covered": f"tested by {', '.join(cases)}",
        "untestable": f"untestable: {r.untestable}",
        "pending": f"pending: {r.pending}",
        "open": "no case, no reason",
    }[status(r, cases)]
    return [f"{r.id} {r.level} {r.actor}: {r.text}", f"    {how}"]


def _summary(catalogue: Catalogue, covered_by: dict[str, tuple[str, ...]], dialect: str) -> list[str]:
    counts = summary(catalogue, covered_by, dialect)
    total = sum(sum(c.values()) for level, c in counts.items() if level != DECISION)  # decisions are the suite's, counted apart
    lines = [f"{dialect}: {total} requirements"]
    for level, by_status in counts.items():
        parts = ", ".join(f"{by_status[s]} {s}" for s in STATUSES if by_status[s])
        lines.append(f"    {level}: {sum(by_status.values())} ({parts})")
    return lines
