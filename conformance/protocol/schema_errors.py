"""libxml2's schema errors, turned into problems that name the rule broken.

lxml reports each error with the XPath of the node (relative to the element
validated) and a message whose wording libxml2 has kept stable for years.
This module finds the node, recognises the kind of error, and names the rule
from the annotations of the XSDs (schemaset.RuleBook). A message it does not
recognise still becomes a problem, under the rule "schema", in libxml2's own
words: nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .schemaset import EMPTY, Rule, RuleBook


@dataclass(frozen=True)
class Problem:
    """A broken rule at an element, before it is placed in its stanza."""

    node: etree._Element
    rule: str
    message: str
    line: int | None = None  # where the fault is, when not at node itself (an unexpected child)


@dataclass(frozen=True)
class _Complaint:
    node: etree._Element
    attribute: str | None
    details: tuple[str, ...]  # libxml2's messages, without the "Element '...':" prefix


_ENTRY = re.compile(r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<detail>.*)", re.S)
_REQUIRED = re.compile(r"The attribute '(?P<name>[^']+)' is required but missing")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( (?P<names>[^)]*) \)")
_CONSTRAINT = re.compile(r"(?:key|unique) identity-constraint '(?P<name>[^']+)'")
_ATOMIC = re.compile(r"is not a valid value of the (?:local )?atomic type(?: '(?P<type>[^']+)')?")
_FACET = re.compile(r"\[facet '(?P<facet>[^']+)'\] (?P<text>.*)", re.S)

UNKNOWN = Rule("unknown element", "No schema of this dialect declares it.")
TEXT_ONLY = Rule("text only", "This element holds text, not elements.")


def explain(log: etree._ListErrorLog, root: etree._Element, rules: RuleBook) -> list[Problem]:
    """One problem per complaint of libxml2 about the tree under root."""
    complaints = _complaints(log, root)
    problems = []
    for complaint in complaints:
        if not _consequential(complaint, complaints, rules):
            problems.append(_problem(complaint, rules))
    return problems


def _complaints(log: etree._ListErrorLog, root: etree._Element) -> list[_Complaint]:
    """The log's entries by node; the facet and type messages about one value make one complaint."""
    grouped: dict[tuple[int, str | None, int], _Complaint] = {}
    for index, entry in enumerate(log):
        match = _ENTRY.match(entry.message)
        detail = match.group("detail").strip() if match else entry.message.strip()
        if detail.startswith("Warning:"):
            continue  # libxml2's aside on a value it already reported
        node = _resolve(root, entry.path)
        attribute = match.group("attribute") if match else None
        key = (id(node), attribute, -1 if _is_value(detail) else index)
        known = grouped.get(key)
        grouped[key] = _Complaint(node, attribute, (known.details if known else ()) + (detail,))
    return list(grouped.values())


def _is_value(detail: str) -> bool:
    return bool(_ATOMIC.search(detail) or _FACET.match(detail))


def _consequential(complaint: _Complaint, complaints: list[_Complaint], rules: RuleBook) -> bool:
    """A key that finds no value because its attribute's value was invalid: already reported."""
    constraint = _CONSTRAINT.search(complaint.details[0])
    if constraint is None or "more than one" in complaint.details[0]:
        return False
    fields = rules.constraint_fields.get(constraint.group("name"), frozenset())
    return any(other.node is complaint.node and other.attribute in fields and _is_value(other.details[0])
               for other in complaints)


def _resolve(root: etree._Element, path: str | None) -> etree._Element:
    """The node libxml2 named; its path starts at the validated element, spelt /*."""
    if not path or path in ("/", "/*") or not path.startswith("/"):
        return root
    steps = path.split("/")[2:]  # drop "" and the root step
    prefixes = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    try:
        found = root.xpath("./" + "/".join(steps), namespaces=prefixes)
    except etree.XPathError:
        return root
    return found[0] if found and isinstance(found[0], etree._Element) else root


def _name(node: etree._Element) -> str:
    return etree.QName(node).localname


def _sentence(rule: Rule, what: str) -> str:
    return f"{rule.name}: {what}." + (f" {rule.doc}" if rule.doc else "")


def _content_rule(node: etree._Element, rules: RuleBook) -> Rule:
    parent = node.getparent()
    return rules.element(parent.tag if parent is not None else None, node.tag) or Rule(f"content of {_name(node)}")


def _problem(complaint: _Complaint, rules: RuleBook) -> Problem:
    node, detail = complaint.node, complaint.details[0]
    name = _name(node)
    constraint = _CONSTRAINT.search(detail)
    if constraint:
        rule = rules.constraints.get(constraint.group("name"), Rule(etree.QName(constraint.group("name")).localname))
        found = "more than one of them" if "more than one member" in detail else "none of them"
        return Problem(node, rule.name, _sentence(rule, f"<{name}> has {found}"))
    if complaint.attribute is not None:
        return _attribute_problem(complaint, rules)
    required = _REQUIRED.search(detail)
    if required:
        rule = Rule(f"required attribute {required.group('name')}")
        return Problem(node, rule.name, _sentence(rule, f"<{name}> lacks attribute {required.group('name')}"))
    if "No matching global declaration" in detail or "The element is abstract" in detail:
        return Problem(node, UNKNOWN.name, _sentence(UNKNOWN, f"<{name}> in {etree.QName(node).namespace}"))
    if "This element is not expected" in detail and node.getparent() is not None:
        parent = node.getparent()
        rule = _content_rule(parent, rules)
        what = f"<{name}> is not expected in <{_name(parent)}>{_expected(detail, rules)}"
        return Problem(parent, rule.name, _sentence(rule, what), node.sourceline)
    if "Missing child element" in detail:
        rule = _content_rule(node, rules)
        return Problem(node, rule.name, _sentence(rule, f"<{name}> lacks a child{_expected(detail, rules)}"))
    if "content type is empty" in detail:
        what = "text" if detail.startswith("Character") else "child elements"
        return Problem(node, EMPTY.name, _sentence(EMPTY, f"<{name}> has {what}"))
    if "content type is a simple type" in detail:
        return Problem(node, TEXT_ONLY.name, _sentence(TEXT_ONLY, f"<{name}> has child elements"))
    if "Character content" in detail:
        rule = _content_rule(node, rules)
        return Problem(node, rule.name, _sentence(rule, f"<{name}> has text where only elements may be"))
    if _is_value(detail):
        rule = _value_rule(node.tag, None, complaint.details, rules)
        text = _shorten(node.text or "")
        return Problem(node, rule.name, _sentence(rule, f"<{name}> holds {text!r}{_facet_text(complaint.details, rule)}"))
    return Problem(node, "schema", f"schema: <{name}>: {detail}")


def _attribute_problem(complaint: _Complaint, rules: RuleBook) -> Problem:
    node, attribute = complaint.node, complaint.attribute
    name = _name(node)
    if "is not allowed" in complaint.details[0]:
        rule = Rule(f"unknown attribute {attribute}", "The schema declares no such attribute for this element.")
        return Problem(node, rule.name, _sentence(rule, f"<{name}> has attribute {attribute}"))
    rule = _value_rule(node.tag, attribute, complaint.details, rules)
    what = f"<{name}> attribute {attribute}={node.get(attribute)!r}{_facet_text(complaint.details, rule)}"
    return Problem(node, rule.name, _sentence(rule, what))


def _value_rule(tag: str, attribute: str | None, details: tuple[str, ...], rules: RuleBook) -> Rule:
    """The rule of the value's declared type, else the facet that failed, else the type's name."""
    if (tag, attribute) in rules.values:
        return rules.values[(tag, attribute)]
    for detail in details:
        facet = _FACET.match(detail)
        if facet:
            return Rule(facet.group("facet"))
    for detail in details:
        atomic = _ATOMIC.search(detail)
        if atomic and atomic.group("type"):
            return Rule(f"type {atomic.group('type')}")
    return Rule("value")


def _facet_text(details: tuple[str, ...], rule: Rule) -> str:
    """libxml2's words on the facet, unless it only quotes a pattern the rule's sentence explains."""
    for detail in details:
        facet = _FACET.match(detail)
        if facet and not (facet.group("facet") == "pattern" and rule.doc):
            return ": " + facet.group("text").rstrip(".")
    return ""


def _expected(detail: str, rules: RuleBook) -> str:
    expected = _EXPECTED.search(detail)
    if expected is None:
        return ""
    names = [name.strip() for name in expected.group("names").split(",")]
    shown = [etree.QName(name).localname for name in names if name and name not in rules.abstract]
    return "; expected " + " or ".join(shown) if shown else ""


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
