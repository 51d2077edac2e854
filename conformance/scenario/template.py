"""Stanza templates: what a scenario expects, and how a received element matches it.

Matching is lenient by default, as in scansion: attributes and children the
template does not mention are ignored, and children may come in any order.
An element marked `m:strict="true"` (or a whole template with `strict: true`)
must have exactly the template's attributes and children, in order. An element
marked `m:ordered="true"` must have the template's children in the template's
order, other children allowed in between; `m:ordered="same-name"` orders only
the children that share a `name` (the values of a repeated header, R-6.7-b).
A Rayo <header>'s name compares case-insensitively, as SIP header names do.
`m:optional="duration value"` names attributes the element may leave out (an
OPTIONAL attribute): absent they pass, present they must match.
An element marked `m:deep="true"` may also sit inside one of its parent's
other children (a record's <recording/> beside its reason or inside it, A2).

Attribute values and text may hold:
  *                 any value (the attribute must be present)
  {name}            the value of a variable (a capture or a target value)
  {document:NAME}   the <document> NAME, in a form the server takes (documents.py)
  {capture:name}    any value, remembered as variable `name`
  {400..600}        a whole number from 400 to 600 (a duration in ms, with its tolerance)
  \\*               a literal star
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.stanza import MalformedXML, parse_fragment

MATCH_NS = "urn:rayo-conformance:match"
STRICT = f"{{{MATCH_NS}}}strict"
ORDERED = f"{{{MATCH_NS}}}ordered"
OPTIONAL = f"{{{MATCH_NS}}}optional"
HEADER = f"{{{ns.RAYO}}}header"
DEEP = f"{{{MATCH_NS}}}deep"

# A variable's name may be a document's, {document:tone-440-300ms.wav}: the runner makes its value (documents.py).
_PLACEHOLDER = re.compile(r"\\\*|\*|\{capture:([A-Za-z_][\w.-]*)\}|\{(document:[\w+.-]+|[A-Za-z_][\w.-]*)\}|\{(\d+)\.\.(\d+)\}")


class UnknownVariable(KeyError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown variable {{{self.name}}}"


def parse_template(text: str) -> list[etree._Element]:
    """The template's top-level elements. Raises MalformedXML with the line."""
    return parse_fragment(text, {"m": MATCH_NS})


def variables_in(text: str) -> set[str]:
    """Names the text reads (not those it captures)."""
    return {m.group(2) for m in _PLACEHOLDER.finditer(text) if m.group(2)}


def captures_in(text: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1)}


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Replace {name} with its value; leave wildcards and captures alone."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name is None:
            return match.group(0)
        if name not in variables:
            raise UnknownVariable(name)
        return variables[name]

    return _PLACEHOLDER.sub(replace, text)


def _value_pattern(template: str, variables: Mapping[str, str]) -> tuple[re.Pattern[str], list[str], list[tuple[int, int]]]:
    parts: list[str] = []
    names: list[str] = []
    ranges: list[tuple[int, int]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        token, capture, name = match.group(0), match.group(1), match.group(2)
        if token == "\\*":
            parts.append(re.escape("*"))
        elif token == "*":
            parts.append(".*")
        elif capture:
            parts.append(f"(?P<g{len(names)}>.+?)")
            names.append(capture)
        elif match.group(3):
            parts.append(f"(?P<r{len(ranges)}>-?[0-9]+)")
            ranges.append((int(match.group(3)), int(match.group(4))))
        else:
            if name not in variables:
                raise UnknownVariable(name)
            parts.append(re.escape(variables[name]))
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL), names, ranges


def match_value(template: str, actual: str, variables: Mapping[str, str]) -> dict[str, str] | None:
    """Captured variables if `actual` fits `template`, else None."""
    pattern, names, ranges = _value_pattern(template, variables)
    found = pattern.fullmatch(actual)
    if found is None:
        return None
    if any(not low <= int(found.group(f"r{i}")) <= high for i, (low, high) in enumerate(ranges)):
        return None
    captured = {name: found.group(f"g{i}") for i, name in enumerate(names)}
    for name, value in captured.items():
        if name in variables and variables[name] != value:
            return None  # a name captured twice must keep its value
    return captured


@dataclass(frozen=True)
class Mismatch:
    """Why an element does not match: the first difference found, and where."""

    path: str
    reason: str
    same_element: bool = True  # False when the element itself was another one

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


def describe(element: etree._Element) -> str:
    """A short name for an element: <ns:local> without noise."""
    qname = etree.QName(element)
    return f"<{qname.localname}>" if not qname.namespace else f"<{qname.localname} xmlns='{qname.namespace}'>"


def brief(element: etree._Element) -> str:
    """An element with its attributes, without namespaces or children: <header name='X' value='1'/>."""
    attributes = "".join(f" {k}='{v}'" for k, v in _template_attributes(element).items())
    return f"<{etree.QName(element).localname}{attributes}/>"


def _template_attributes(element: etree._Element) -> dict[str, str]:
    return {k: v for k, v in element.attrib.items() if not k.startswith(f"{{{MATCH_NS}}}")}


def _is_strict(element: etree._Element, inherited: bool) -> bool:
    flag = element.get(STRICT)
    return inherited if flag is None else flag == "true"


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


class Matcher:
    """Matches one template element against one actual element."""

    def __init__(self, variables: Mapping[str, str]):
        self.variables = variables

    def match(
        self, template: etree._Element, actual: etree._Element, strict: bool = False, path: str = ""
    ) -> tuple[dict[str, str] | None, Mismatch | None]:
        path = f"{path}/{etree.QName(template).localname}"
        if template.tag != actual.tag:
            return None, Mismatch(path, f"expected {describe(template)}, got {describe(actual)}", same_element=False)
        strict = _is_strict(template, strict)
        captured: dict[str, str] = {}
        for check in (self._attributes, self._text, self._child_list):
            found, mismatch = check(template, actual, strict, path, {**self.variables, **captured})
            if mismatch:
                return None, mismatch
            captured.update(found or {})
        return captured, None

    def _attributes(self, template, actual, strict, path, variables):
        captured: dict[str, str] = {}
        expected = _template_attributes(template)
        for name, value in expected.items():
            got, mismatch = _attribute(template, name, value, actual, path, {**variables, **captured})
            if mismatch:
                return None, mismatch
            captured.update(got)
        if strict:
            extra = sorted(set(actual.attrib) - set(expected))
            if extra:
                return None, Mismatch(path, f"unexpected attribute(s) {', '.join(extra)} (strict)")
        return captured, None

    def _text(self, template, actual, strict, path, variables):
        expected = _text(template)
        if not expected and not strict:
            return {}, None
        got = match_value(expected, _text(actual), variables)
        if got is None:
            return None, Mismatch(path, f"text is {_text(actual)!r}, expected {expected!r}")
        return got, None

    def _child_list(self, template, actual, strict, path, variables):
        wanted, present = _children(template), _children(actual)
        if strict:
            return self._children_in_order(wanted, present, path, variables)
        if template.get(ORDERED) == "true":
            return self._children_as_subsequence(wanted, present, path, variables)
        if template.get(ORDERED) == "same-name":
            return self._children_ordered_per_name(wanted, present, path, variables)
        return self._children_any_order(wanted, present, path, variables, strict)

    def _children_in_order(self, wanted, present, path, variables):
        if len(wanted) != len(present):
            names = ", ".join(describe(c) for c in present) or "none"
            return None, Mismatch(path, f"expected {len(wanted)} child element(s), got {len(present)}: {names} (strict)")
        captured: dict[str, str] = {}
        for template, actual in zip(wanted, present):
            found, mismatch = Matcher({**variables, **captured}).match(template, actual, True, path)
            if mismatch:
                return None, mismatch
            captured.update(found)
        return captured, None

    def _children_as_subsequence(self, wanted, present, path, variables):
        """Wanted children appear in this order among the present ones."""
        def assign(index: int, start: int, captured: dict[str, str]):
            if index == len(wanted):
                return captured
            for position in range(start, len(present)):
                found, mismatch = Matcher({**variables, **captured}).match(wanted[index], present[position], False, path)
                if mismatch:
                    continue
                result = assign(index + 1, position + 1, {**captured, **found})
                if result is not None:
                    return result
            return None

        result = assign(0, 0, {})
        if result is None:
            expected = ", ".join(brief(c) for c in wanted)
            got = ", ".join(brief(c) for c in present) or "none"
            return None, Mismatch(path, f"children not in the expected order: expected {expected} in this order; got {got}")
        return result, None

    def _children_ordered_per_name(self, wanted, present, path, variables):
        """Children that share a name keep the template's order among themselves; names may interleave."""
        captured: dict[str, str] = {}
        for key in dict.fromkeys(map(_name_key, wanted)):
            same = [child for child in present if _name_key(child) == key]
            group = [child for child in wanted if _name_key(child) == key]
            found, mismatch = self._children_as_subsequence(group, same, path, {**variables, **captured})
            if mismatch:
                return None, mismatch
            captured.update(found)
        return captured, None

    def _children_any_order(self, wanted, present, path, variables, strict):
        """Each wanted child matches a distinct present child (backtracking: templates are small)."""
        best: list[Mismatch] = []

        # m:deep: an element may also be one of the children's descendants (the first len(present) are the children)
        pool = present + [d for child in present for d in child.iterdescendants() if isinstance(d.tag, str)]

        def assign(index: int, used: frozenset[int], captured: dict[str, str]):
            if index == len(wanted):
                return captured
            template = wanted[index]
            candidates = pool if template.get(DEEP) == "true" else present
            for position, actual in enumerate(candidates):
                if position in used:
                    continue
                found, mismatch = Matcher({**variables, **captured}).match(template, actual, strict, path)
                if mismatch:
                    best.append(mismatch)
                    continue
                result = assign(index + 1, used | {position}, {**captured, **found})
                if result is not None:
                    return result
            if not any(c.tag == template.tag for c in candidates):
                there = ", ".join(describe(c) for c in present) or "none"
                best.append(Mismatch(path, f"child {describe(template)} missing; the children are: {there}"))
            return None

        result = assign(0, frozenset(), {})
        if result is None:
            return None, _deepest(best) or Mismatch(path, "children do not match")
        return result, None


def _name_key(element: etree._Element) -> tuple[str, str]:
    return element.tag, (element.get("name") or "").lower()


def _header_name(template: etree._Element, attribute: str, value: str) -> bool:
    """A literal header name in the template, which compares case-insensitively."""
    return template.tag == HEADER and attribute == "name" and _PLACEHOLDER.search(value) is None


def _attribute(template: etree._Element, name: str, value: str, actual: etree._Element, path: str,
               variables: Mapping[str, str]) -> tuple[dict[str, str], Mismatch | None]:
    """One attribute of the template against the actual element: its captures, or why it does not fit."""
    if name not in actual.attrib:
        if name in template.get(OPTIONAL, "").split():
            return {}, None
        return {}, Mismatch(path, f"attribute {name!r} missing (expected {value!r})")
    got = match_value(value, actual.get(name), variables)
    if got is None and _header_name(template, name, value) and value.lower() == actual.get(name).lower():
        got = {}  # RFC 3261 §7.3.1: header names are case-insensitive
    if got is None:
        return {}, Mismatch(path, f"attribute {name!r} is {actual.get(name)!r}, expected {value!r}")
    return got, None


def _deepest(mismatches: list[Mismatch]) -> Mismatch | None:
    """The most specific explanation: the right element, as far into the tree as it got."""
    if not mismatches:
        return None
    return max(mismatches, key=lambda m: (m.same_element, m.path.count("/")))


def match_payload(
    templates: list[etree._Element],
    children: list[etree._Element],
    variables: Mapping[str, str],
    strict: bool = False,
) -> tuple[dict[str, str] | None, Mismatch | None]:
    """Every template element matches a distinct child of a stanza.

    `strict` applies to each template element, not to the stanza: a stanza
    may always carry other children (a delay stamp, caps).
    """
    matcher = Matcher(variables)
    return matcher._children_any_order(templates, children, "", variables, strict)


def _pairs(templates: list[etree._Element], children: list[etree._Element], variables: Mapping[str, str]) -> list[tuple[etree._Element, etree._Element | None]]:
    """Each template element with the element of a payload that does not match it was meant for:
    the first unpaired one of its name whose own attributes and text fit, or else the only one of
    its name; None when there is none. Among several of a name none of which fits, none is taken:
    a header of another name is not the header the template meant."""
    paired: set[int] = set()
    pairs: list[tuple[etree._Element, etree._Element | None]] = []
    for template in templates:
        same = [p for p, actual in enumerate(children) if actual.tag == template.tag]
        fitting = [p for p in same if p not in paired and _own_fit(template, children[p], variables)]
        chosen = fitting[0] if fitting else same[0] if len(same) == 1 and same[0] not in paired else None
        if chosen is not None:
            paired.add(chosen)
        pairs.append((template, None if chosen is None else children[chosen]))
    return pairs


def _own_fit(template: etree._Element, actual: etree._Element, variables: Mapping[str, str]) -> bool:
    """The element's attributes and text fit the template's, its children aside."""
    matcher = Matcher(variables)
    try:
        attributes, mismatch = matcher._attributes(template, actual, False, "", variables)
        return mismatch is None and matcher._text(template, actual, False, "", {**variables, **attributes})[1] is None
    except UnknownVariable:
        return False


def salvage(templates: list[etree._Element], children: list[etree._Element], variables: Mapping[str, str]) -> dict[str, str]:
    """The captures a payload that does not match still gives, so one wrong detail does not lose the
    values later steps need: every capture whose own value fits, in the element it was meant for."""
    captured: dict[str, str] = {}
    for template, actual in _pairs(templates, children, variables):
        if actual is None:
            continue
        values = [(value, actual.get(name)) for name, value in _template_attributes(template).items() if name in actual.attrib]
        for expected, got in values + [(_text(template), _text(actual))]:
            try:
                captured.update(match_value(expected, got, {**variables, **captured}) or {})
            except UnknownVariable:
                continue  # a value that needs a variable no step captured: nothing to keep from it
        captured.update(salvage(_children(template), _children(actual), {**variables, **captured}))
    return captured


def differences(templates: list[etree._Element], children: list[etree._Element], variables: Mapping[str, str],
                path: str = "") -> list[Mismatch]:
    """Every difference of a payload from the template, where match_payload names the first: each
    template element against the element it was meant for, attribute by attribute, its text and its
    children. Order and strictness are match_payload's to judge."""
    found: list[Mismatch] = []
    for template, actual in _pairs(templates, children, variables):
        if actual is None:
            namesakes = [brief(c) for c in children if c.tag == template.tag]
            if namesakes:
                found.append(Mismatch(path, f"child {brief(template)} missing; those of its name are: {', '.join(namesakes)}"))
            else:
                there = ", ".join(describe(c) for c in children) or "none"
                found.append(Mismatch(path, f"child {describe(template)} missing; the children are: {there}"))
            continue
        where = f"{path}/{etree.QName(template).localname}"
        try:
            found += [m for name, value in _template_attributes(template).items()
                      if (m := _attribute(template, name, value, actual, where, variables)[1])]
            found += [m for m in [Matcher(variables)._text(template, actual, False, where, variables)[1]] if m]
        except UnknownVariable:
            continue  # match_payload names it
        found += differences(_children(template), _children(actual), variables, where)
    return list(dict.fromkeys(found))  # three missing headers of one name are one difference to read


__all__ = [
    "MalformedXML",
    "Matcher",
    "Mismatch",
    "UnknownVariable",
    "captures_in",
    "describe",
    "differences",
    "match_payload",
    "match_value",
    "parse_template",
    "salvage",
    "substitute",
    "variables_in",
]
