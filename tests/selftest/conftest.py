"""The self-test: the suite against the reference server, clean, with each fault and with each legal variation."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import pytest

from conformance.reference.features import OPTIONAL
from conformance.reference.process import ReferenceProcess
from conformance.resources import case_files
from conformance.results import CaseResult
from conformance.scenario.loader import load_cases
from conformance.scenario.runner import run_case
from conformance.target import Timeouts

# The reference server answers in milliseconds; a third of the default
# timeouts still leaves it a wide margin, and keeps faults that make a case
# wait for its timeout cheap. SIP waits keep their full 5 s: what SIPp receives
# reaches the harness through another process, late when the machine is loaded
# (CI runs saw an outbound INVITE miss a 1.5 s wait, and then a 3 s one).
TIMEOUTS = Timeouts(sip=5.0 / 0.3, scale=0.3)


@functools.cache
def _all_cases() -> tuple:
    return tuple(load_cases(case_files()))  # loading validates every file: once per process, not per fault


def suite(dialect: str = "xep0327"):
    return [case for case in _all_cases() if dialect in case.dialects]


def served(dialect: str = "xep0327", without: tuple[str, ...] = ()):
    """The cases of the dialect that apply to the reference server started without these optional
    features: those needing a feature it keeps, or the absence of one it leaves out."""
    def applies(need: str) -> bool:
        feature = need.removeprefix("no ")
        if feature not in OPTIONAL:
            return True  # the reference offers everything else, and lacks voice input in any case
        return (feature in without) == need.startswith("no ")
    return [case for case in suite(dialect) if all(applies(need) for need in case.needs)]


# The component areas of the fault catalogue, and how a case's commands show it uses each.
COMPONENTS = {"output": "<output ", "input": "<input ", "prompt": "<prompt ", "record": "<record ",
              "cpa": 'mode="cpa"', "say": "<say "}


def components_of(case) -> set[str]:
    return {area for area, mark in COMPONENTS.items() if mark in case.text()}


def reach(fault, cases) -> list:
    """The cases a fault is judged on: for a component's fault, the cases that use that component (any
    component for "components"); for any other fault, the cases that use none. Every media case under
    every fault would cost minutes per fault, and call control does not run through the components.
    A fault of a server without an optional feature: the cases for servers without it."""
    if fault.without:
        return [case for case in cases if any(f"no {feature}" in case.needs for feature in fault.without)]
    if fault.area == "components":
        return [case for case in cases if components_of(case)]
    if fault.area in COMPONENTS:
        return [case for case in cases if fault.area in components_of(case)]
    return [case for case in cases if not components_of(case)]


# A fault's call-control cases run this many at a time against its server, each on an account of its
# own (a security zone of its own, so offers, availability and mixer names stay apart), as the xdist
# workers of a run against one server do: most of their time is spent waiting on timeouts. Cases with
# media components run one at a time: they measure tones in real time, and a loaded machine skews that.
SLOTS = ("harness", "harness-2", "harness-3")


def run_suite(tmp_path: Path, faults: tuple[str, ...] = (), dialect: str = "xep0327", cases=None,
              xmpp_mode: str = "embedded", without: tuple[str, ...] = (), variations: tuple[str, ...] = ()) -> dict[str, CaseResult]:
    """Every case of the dialect that applies, against a fresh reference server with these faults (or variations)."""
    cases = cases if cases is not None else served(dialect, without)
    with ReferenceProcess(faults, dialect, users=SLOTS, workdir=tmp_path / "reference", xmpp_mode=xmpp_mode,
                          without=without, variations=variations) as target:
        target = target.with_options(timeouts=TIMEOUTS)

        async def run_all() -> dict[str, CaseResult]:
            control = [case for case in cases if not components_of(case)]
            media = [case for case in cases if components_of(case)]
            return await _run_in_slots(control, target, tmp_path, SLOTS) | await _run_in_slots(media, target, tmp_path, SLOTS[:1])

        return asyncio.run(run_all())


async def _run_in_slots(cases, target, tmp_path: Path, users: tuple[str, ...]) -> dict[str, CaseResult]:
    """The cases, as many at a time as there are users, each logged in as a free one."""
    domain = target.jid.split("@", 1)[1]
    slots: asyncio.Queue = asyncio.Queue()
    for user in users:
        slots.put_nowait(target.with_options(jid=f"{user}@{domain}"))
    shared_accounts = asyncio.Lock()  # the other accounts (another zone, unregistered) exist once

    async def run(case) -> CaseResult:
        slot = await slots.get()
        try:
            if any(need.startswith("account:") for need in case.needs):
                async with shared_accounts:
                    return await run_case(case, slot, tmp_path / case.id)
            return await run_case(case, slot, tmp_path / case.id)
        finally:
            slots.put_nowait(slot)

    results = await asyncio.gather(*(run(case) for case in cases))
    return {case.id: result for case, result in zip(cases, results)}


def describe(result: CaseResult) -> str:
    lines = [f"{result.case_id}: {result.verdict.value}"]
    lines += [f"  step {f.step}: [{f.kind}/{f.level}] {f.message}" for f in result.findings]
    return "\n".join(lines)


@pytest.fixture
def suite_runner(tmp_path):
    return lambda *args, **kwargs: run_suite(tmp_path, *args, **kwargs)
