"""The shipped XSDs of one dialect, compiled into one lxml schema, with their rule names.

schemas/catalogue.json maps each Rayo namespace of a dialect to its XSD file.
All files of a dialect are compiled together (through a small in-memory
schema that imports each one), so a payload of any namespace validates
against one compiled object, cross-namespace references included.

The XSDs name their rules in xs:appinfo and explain them in
xs:documentation; they are read into a RuleBook so that a finding can say which rule
broke, not only what libxml2 noticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..resources import schemas_dir
from .stanza import safe_parser

XS = "http://www.w3.org/2001/XMLSchema"
CATALOGUE = "catalogue.json"


@dataclass(frozen=True)
class Rule:
    name: str  # short name, e.g. "one end reason"
    doc: str = ""  # the sentence that explains it


EMPTY = Rule("empty element", "This element must be empty.")


@dataclass
class RuleBook:
    """Rules declared by the XSDs, by what they are attached to (Clark names)."""

    elements: dict[tuple[str | None, str], Rule] = field(default_factory=dict)  # (parent, element): content
    values: dict[tuple[str, str | None], Rule] = field(default_factory=dict)  # (element, attribute or None for text)
    constraints: dict[str, Rule] = field(default_factory=dict)  # identity constraint -> rule
    constraint_fields: dict[str, frozenset[str]] = field(default_factory=dict)  # identity constraint -> attributes
    abstract: set[str] = field(default_factory=set)  # abstract heads of substitution groups

    def element(self, parent: str | None, tag: str) -> Rule | None:
        return self.elements.get((parent, tag)) or self.elements.get((None, tag))


@dataclass(frozen=True)
class CompiledDialect:
    dialect: str
    files: dict[str, Path]  # namespace -> XSD file
    schema: etree.XMLSchema
    rules: RuleBook


def catalogue() -> dict[str, dict[str, Path]]:
    """dialect -> namespace -> XSD file, as schemas/catalogue.json says."""
    root = schemas_dir()
    data = json.loads((root / CATALOGUE).read_text(encoding="utf-8"))
    return {dialect: {ns: root / rel for ns, rel in files.items()} for dialect, files in data.items()}


def driver(files: dict[str, Path]) -> str:
    """An XSD that imports every file of a dialect, so they compile as one schema."""
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.resolve().as_uri()}"/>'
        for ns, path in files.items()
    )
    return f'<xs:schema xmlns:xs="{XS}">{imports}</xs:schema>'


def compile_dialect(dialect: str) -> CompiledDialect:
    files = catalogue()[dialect]
    schema = etree.XMLSchema(etree.fromstring(driver(files), safe_parser()))
    xsds = [etree.parse(str(path), safe_parser()).getroot() for path in files.values()]
    return CompiledDialect(dialect, files, schema, _RuleReader(xsds).book)


def _xs(local: str) -> str:
    return f"{{{XS}}}{local}"


def _annotation(node: etree._Element) -> Rule | None:
    appinfo = node.find(f"{_xs('annotation')}/{_xs('appinfo')}")
    if appinfo is None or not (appinfo.text or "").strip():
        return None
    doc = node.findtext(f"{_xs('annotation')}/{_xs('documentation')}") or ""
    return Rule(appinfo.text.strip(), " ".join(doc.split()))


def _clark(node: etree._Element, prefixed: str) -> str:
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def _is_empty(complex_type: etree._Element) -> bool:
    """No particle, no simple content, no text: only attributes (and annotations)."""
    allowed = {_xs("attribute"), _xs("attributeGroup"), _xs("anyAttribute"), _xs("annotation")}
    return complex_type.get("mixed") != "true" and all(
        child.tag in allowed for child in complex_type if isinstance(child.tag, str)
    )


class _RuleReader:
    """Reads the rule annotations of a dialect's XSDs into a RuleBook."""

    def __init__(self, xsds: list[etree._Element]):
        self.book = RuleBook()
        self.complex_types: dict[str, etree._Element] = {}
        self.simple_rules: dict[str, Rule] = {}
        for xsd in xsds:
            self._read_named(xsd)
        for xsd in xsds:
            self._read_elements(xsd)

    def _read_named(self, xsd: etree._Element) -> None:
        tns = xsd.get("targetNamespace", "")
        for node in xsd.iterchildren(_xs("complexType")):
            self.complex_types[f"{{{tns}}}{node.get('name')}"] = node
        for node in xsd.iterchildren(_xs("simpleType")):
            rule = _annotation(node)
            if rule is not None:
                self.simple_rules[f"{{{tns}}}{node.get('name')}"] = rule
        for kind in ("key", "unique"):
            for node in xsd.iter(_xs(kind)):
                name = f"{{{tns}}}{node.get('name')}"
                rule = _annotation(node)
                if rule is not None:
                    self.book.constraints[name] = rule
                fields = node.find(_xs("field")).get("xpath", "").split("|")
                self.book.constraint_fields[name] = frozenset(f.strip().lstrip("@") for f in fields)

    def _read_elements(self, xsd: etree._Element) -> None:
        tns = xsd.get("targetNamespace", "")
        for decl in xsd.iter(_xs("element")):
            if decl.get("name") is None:
                continue  # a reference, ruled where it is declared
            tag = f"{{{tns}}}{decl.get('name')}"
            if decl.get("abstract") == "true":
                self.book.abstract.add(tag)
            for attribute, type_name in self._values(decl):
                if type_name in self.simple_rules:
                    self.book.values[(tag, attribute)] = self.simple_rules[type_name]
            rule = self._element_rule(decl)
            if rule is None:
                continue
            key = (_enclosing_element(decl, tns), tag)
            known = self.book.elements.get(key)
            if known is not None and known != rule:
                raise ValueError(f"two rules for element {key}: {known.name!r} and {rule.name!r}")
            self.book.elements[key] = rule

    def _element_rule(self, decl: etree._Element) -> Rule | None:
        """Its own annotation, else its type's."""
        own = _annotation(decl)
        if own is not None:
            return own
        complex_type = self._complex_type(decl)
        return None if complex_type is None else self._complex_rule(complex_type)

    def _complex_type(self, decl: etree._Element) -> etree._Element | None:
        if decl.get("type") is not None:
            return self.complex_types.get(_clark(decl, decl.get("type")))
        return decl.find(_xs("complexType"))

    def _complex_rule(self, node: etree._Element) -> Rule | None:
        """Its annotation, else the rule of the type it extends, else empty if it is."""
        own = _annotation(node)
        if own is not None:
            return own
        extension = node.find(f"{_xs('complexContent')}/{_xs('extension')}")
        if extension is not None:
            base = self.complex_types.get(_clark(extension, extension.get("base")))
            return None if base is None else self._complex_rule(base)
        return EMPTY if _is_empty(node) else None

    def _values(self, decl: etree._Element) -> list[tuple[str | None, str]]:
        """(attribute, type) for each attribute with a named type; (None, type) for simple content."""
        if decl.get("type") is not None:
            named = _clark(decl, decl.get("type"))
            if named not in self.complex_types:
                return [(None, named)]
        complex_type = self._complex_type(decl)
        return [] if complex_type is None else self._type_values(complex_type)

    def _type_values(self, node: etree._Element) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        extensions = node.findall(f"{_xs('complexContent')}/{_xs('extension')}")
        extensions += node.findall(f"{_xs('simpleContent')}/{_xs('extension')}")
        for holder in [node, *extensions]:
            found += [(a.get("name"), _clark(a, a.get("type"))) for a in holder.iterchildren(_xs("attribute"))
                      if a.get("type") is not None]
            if holder is not node:
                base = _clark(holder, holder.get("base"))
                if base in self.complex_types:
                    found += self._type_values(self.complex_types[base])
                elif holder.getparent().tag == _xs("simpleContent"):
                    found.append((None, base))
        return found


def _enclosing_element(decl: etree._Element, tns: str) -> str | None:
    """The element a local declaration sits in; None for globals and named types."""
    for ancestor in decl.iterancestors(_xs("element")):
        if ancestor.get("name") is not None:
            return f"{{{tns}}}{ancestor.get('name')}"
    return None
