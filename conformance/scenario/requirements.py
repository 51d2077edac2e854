"""The requirement catalogue: every requirement of each dialect, as data.

The catalogue lives in scenarios/requirements/<dialect>.yaml, one entry per
requirement id. Which cases test a requirement is not stored there: it comes
from the ids the cases name, so there is one source of truth. The loader
keeps the cases honest: a case may name only known ids, and their levels
grade its steps (`grade`). `check` keeps the catalogue honest: a graded
server-side requirement is tested by a case, or says why no case can
(untestable), or which case would (pending).

Besides the requirements, a file lists the suite's decisions on the spec's
ambiguities (level decision, ids A<n> after the digest's §9): a step that
checks one warns at most.

Bad files get file:line problems, like scenario files (they share the YAML
reader and ScenarioError of the loader).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import jsonschema

from ..protocol.namespaces import DIALECTS
from ..resources import requirements_dir
from .loader import Lines, Problem, ScenarioError, _display, _line, read_yaml
from .model import Case

SCHEMA_FILE = Path(__file__).with_name("requirements.schema.json")

# Levels whose server-side requirements a certification must account for.
GRADED_LEVELS = frozenset({"MUST", "MUST NOT", "REQUIRED", "SHOULD", "must", "should", "definite"})

# A suite decision on one of the spec's ambiguities (the digest's §9): not a requirement of the
# spec but the suite's reading of it, so a step that checks one warns at most.
DECISION = "decision"

# What a finding against a requirement of each level does to a verdict (docs/verdicts.md):
# must fails, should warns, note never fails.
GRADE_OF_LEVEL = {
    "MUST": "must", "MUST NOT": "must", "REQUIRED": "must", "must": "must", "definite": "must",
    "SHOULD": "should", "should": "should",
    "MAY": "note", "statement": "note", DECISION: "should",
}
GRADES = ("note", "should", "must")  # weakest first

# What a catalogue entry says about its testing, given the cases that name it.
STATUSES = ("covered", "untestable", "pending", "open")


@dataclass(frozen=True)
class Requirement:
    id: str
    section: str
    level: str
    actor: str  # "server" or "client"
    text: str
    dialect: str
    file: str
    line: int
    untestable: str = ""  # why no black-box case can test it
    pending: str = ""  # which case would, and what it needs

    @property
    def graded(self) -> bool:
        return self.actor == "server" and self.level in GRADED_LEVELS

    @property
    def decision(self) -> bool:
        return self.level == DECISION


@dataclass(frozen=True)
class Catalogue:
    requirements: tuple[Requirement, ...]  # in file order

    @cached_property
    def by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    def of_dialect(self, dialect: str) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.dialect == dialect)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def levels() -> tuple[str, ...]:
    """Every level, in the order the schema lists them."""
    return tuple(schema()["$defs"]["requirement"]["properties"]["level"]["enum"])


def grade(requirements: Sequence[Requirement]) -> str:
    """The grade of a check of these requirements: the strongest of theirs, but at most should
    when one of them is a suite decision."""
    grades = [GRADE_OF_LEVEL[r.level] for r in requirements]
    strongest = max(grades, key=GRADES.index)
    if any(r.decision for r in requirements):
        return min(strongest, "should", key=GRADES.index)
    return strongest


def stronger(grade_a: str, grade_b: str) -> bool:
    return GRADES.index(grade_a) > GRADES.index(grade_b)


# --- Loading -------------------------------------------------------------------


def catalogue_files() -> list[Path]:
    """The shipped catalogue files, the dialects' own (<dialect>.yaml) first, in the order of DIALECTS."""
    rank = {f"{dialect}.yaml": i for i, dialect in enumerate(DIALECTS)}
    return sorted(requirements_dir().glob("*.yaml"), key=lambda p: (rank.get(p.name, len(rank)), p.name))


def load_catalogue(paths: Sequence[Path] | None = None) -> Catalogue:
    """The catalogue from these files (default: the shipped ones), or one ScenarioError with every problem."""
    requirements: list[Requirement] = []
    problems: list[Problem] = []
    for path in catalogue_files() if paths is None else paths:
        try:
            requirements += load_catalogue_text(_read(path), _display(path))
        except ScenarioError as err:
            problems += err.problems
    problems += _duplicates(requirements)
    if problems:
        raise ScenarioError(problems)
    return Catalogue(tuple(requirements))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError([Problem(_display(path), 1, f"cannot read: {err}")]) from None


def load_catalogue_text(text: str, file: str) -> list[Requirement]:
    """The entries of one catalogue file; `file` names it in messages."""
    data, lines = read_yaml(text, file)
    problems = _schema_problems(data, lines, file)
    if problems:
        raise ScenarioError(problems)
    requirements = [_requirement(entry, data["dialect"], file, lines, i) for i, entry in enumerate(data["requirements"])]
    seed = data["dialect"] == "seed"
    problems = [
        Problem(r.file, r.line, f"{r.id}: the ids of a {r.dialect} file {'start' if seed else 'do not start'} with R-seed. (A-seed. for a decision)")
        for r in requirements
        if r.id.startswith(("R-seed.", "A-seed.")) != seed
    ]
    problems += [
        Problem(r.file, r.line, f"{r.id}: {'a decision has an A id' if r.decision else 'an A id names a decision'} (level: {DECISION})")
        for r in requirements
        if r.decision != r.id.startswith("A")
    ]
    if problems:
        raise ScenarioError(problems)
    return requirements


def _requirement(entry: dict[str, str], dialect: str, file: str, lines: Lines, index: int) -> Requirement:
    return Requirement(
        id=entry["id"],
        section=entry["section"],
        level=entry["level"],
        actor=entry["actor"],
        text=entry["text"],
        dialect=dialect,
        file=file,
        line=_line(lines, ("requirements", index)),
        untestable=entry.get("untestable", ""),
        pending=entry.get("pending", ""),
    )


def _schema_problems(data: Any, lines: Lines, file: str) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        problems.append(Problem(file, _line(lines, path), f"{_where(data, path)}: {_message(error)}"))
    return problems


def _where(data: Any, path: tuple) -> str:
    """('requirements', 3, 'level') -> 'R-5.2-a, level' (the entry's id where it has one)."""
    if len(path) < 2 or path[0] != "requirements":
        return ", ".join(map(str, path)) or "the file"
    entry = data["requirements"][path[1]]
    name = entry.get("id") if isinstance(entry, dict) else None
    return ", ".join([str(name or f"requirement {path[1] + 1}"), *map(str, path[2:])])


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "not":  # the schema's only "not": an entry is untestable or pending, never both
        return "an entry is either untestable or pending, not both"
    return error.message


def _duplicates(requirements: Iterable[Requirement]) -> list[Problem]:
    first: dict[str, Requirement] = {}
    problems = []
    for r in requirements:
        if r.id in first:
            problems.append(Problem(r.file, r.line, f"{r.id} is listed twice (first at {first[r.id].file}:{first[r.id].line})"))
        first.setdefault(r.id, r)
    return problems


# --- Coverage and the checks -----------------------------------------------------


def coverage(cases: Iterable[Case], catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """Per requirement of the catalogue, the ids of the cases that name it (in case order)."""
    found: dict[str, list[str]] = {r.id: [] for r in catalogue.requirements}
    for case in cases:
        for requirement_id in case.named_requirements():
            if requirement_id in found:
                found[requirement_id].append(case.id)
    return {requirement_id: tuple(ids) for requirement_id, ids in found.items()}


def status(requirement: Requirement, cases: Sequence[str]) -> str:
    """covered, untestable, pending, or open (none of them: only allowed below the graded levels)."""
    if cases:
        return "covered"
    return "untestable" if requirement.untestable else "pending" if requirement.pending else "open"


def summary(catalogue: Catalogue, covered_by: dict[str, tuple[str, ...]], dialect: str) -> dict[str, Counter[str]]:
    """Per level of the dialect's requirements, how many are covered, untestable, pending and open."""
    counts: dict[str, Counter[str]] = {}
    for r in catalogue.of_dialect(dialect):
        counts.setdefault(r.level, Counter())[status(r, covered_by[r.id])] += 1
    return {level: counts[level] for level in levels() if level in counts}


def check(cases: Sequence[Case], catalogue: Catalogue) -> list[Problem]:
    """Every entry the cases leave unaccounted for, or whose note they contradict, each with its file:line."""
    covered_by = coverage(cases, catalogue)
    problems = []
    for r in catalogue.requirements:
        problems += _entry_problems(r, covered_by[r.id])
    return problems


def _entry_problems(r: Requirement, cases: tuple[str, ...]) -> list[Problem]:
    named = ", ".join(cases)
    if cases and r.untestable:
        return [Problem(r.file, r.line, f"{r.id} is marked untestable, yet cases test it: {named}")]
    if cases and r.pending:
        return [Problem(r.file, r.line, f"{r.id} is marked pending, yet cases test it: {named}; drop the note")]
    if not cases and r.graded and not (r.untestable or r.pending):
        return [Problem(r.file, r.line, f"{r.id} ({r.level}, server) has no case, no untestable reason and no pending note")]
    return []
