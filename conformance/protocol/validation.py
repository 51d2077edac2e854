"""Validation of Rayo payloads against the schemas of a dialect, with findings that name the rule.

Runs on every stanza the harness sends or receives, so the common case is
kept cheap: lxml (libxml2) decides validity in a few microseconds; only an
invalid payload pays for reading the error log into findings. The checks
XSD 1.0 cannot state run in code (rules.py), and findings with a documented
cause are renamed (deviations.py).

Elements in namespaces that are not Rayo's for the dialect (caps, delay,
stanza errors, disco) are not validated. The payloads of an error stanza are
not validated either: they are the request echoed back, often the very
reason for the error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lxml import etree

from . import deviations, rules
from .namespaces import DIALECTS, RAYO_NAMESPACES
from .schema_errors import Problem, explain
from .schemaset import CompiledDialect, compile_dialect

_STANZAS = frozenset({"iq", "presence", "message"})


@dataclass(frozen=True)
class SchemaFinding:
    path: str  # element path in the stanza, e.g. "/presence/end" or "/iq/output/document[2]"
    rule: str  # short name of the rule broken, e.g. "one end reason", "enumeration", "required attribute uri"
    message: str  # a sentence naming the rule and the element
    line: int | None  # line in the original text (lxml sourceline) of the fault: the element, or its unexpected child
    namespace: str


class Validator:
    def __init__(self, compiled: CompiledDialect):
        self.dialect = compiled.dialect
        self.namespaces = RAYO_NAMESPACES[compiled.dialect]
        self._schema = compiled.schema
        self._rules = compiled.rules

    def payload(self, element: etree._Element) -> list[SchemaFinding]:
        """Findings for one element in a Rayo namespace of this dialect (none for any other element)."""
        if _namespace(element.tag) not in self.namespaces:
            return []
        problems = [] if self._schema.validate(element) else explain(self._schema.error_log, element, self._rules)
        problems += rules.check(element)
        if not problems:
            return []
        if self.dialect == "xep0327":
            problems = [deviations.relabel(problem) for problem in problems]
        return _findings(problems)

    def stanza(self, element: etree._Element) -> list[SchemaFinding]:
        """Findings for every Rayo payload child of an iq, presence or message."""
        if element.get("type") == "error":
            return []
        findings: list[SchemaFinding] = []
        for child in element:
            if _namespace(child.tag) in self.namespaces:
                findings += self.payload(child)
        return findings


@functools.cache
def validator(dialect: str) -> Validator:
    """The validator of a dialect; its schemas are compiled once per process."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    return Validator(compile_dialect(dialect))


def _namespace(tag: object) -> str | None:
    # Comments and processing instructions have a non-string tag.
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return None


def _findings(problems: list[Problem]) -> list[SchemaFinding]:
    """One finding per (path, rule), in document order."""
    seen: dict[tuple[str, str], SchemaFinding] = {}
    for problem in problems:
        path = element_path(problem.node)
        if (path, problem.rule) not in seen:
            namespace = etree.QName(problem.node).namespace or ""
            line = problem.line or problem.node.sourceline
            seen[(path, problem.rule)] = SchemaFinding(path, problem.rule, problem.message, line, namespace)
    return sorted(seen.values(), key=lambda f: (f.line or 0, f.path))


def element_path(node: etree._Element) -> str:
    """/stanza/payload/child[n]: local names from the stanza down; [n] where a name repeats among siblings."""
    steps: list[str] = []
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent.iterchildren(node.tag)]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        if etree.QName(node).localname in _STANZAS or parent is None:
            break
        node = parent
    return "/" + "/".join(reversed(steps))
