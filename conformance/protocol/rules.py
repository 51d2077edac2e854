"""Rules of the XEPs that XSD 1.0 cannot state, checked in code.

A document (output) or grammar (input) has either a url, or a content-type
and an inline body. The XSDs already require exactly one of the two
attributes (an identity constraint); whether the element has a body is text,
which XSD 1.0 cannot tie to an attribute, so it is checked here.
"""

from __future__ import annotations

from lxml import etree

from . import namespaces as ns
from .schema_errors import Problem

SOURCE_RULE = "url or content-type with body"
_SOURCED = (ns.qname(ns.OUTPUT, "document"), ns.qname(ns.INPUT, "grammar"))


def check(payload: etree._Element) -> list[Problem]:
    return [problem for node in payload.iter(*_SOURCED) if (problem := _source(node)) is not None]


def _source(node: etree._Element) -> Problem | None:
    name = etree.QName(node).localname
    has_body = bool((node.text or "").strip())
    if node.get("content-type") is not None and not has_body:
        what = f"<{name}> has a content-type but no body"
    elif node.get("url") is not None and has_body:
        what = f"<{name}> has a url and an inline body as well"
    else:
        return None
    return Problem(node, SOURCE_RULE, f"{SOURCE_RULE}: {what}. A {name} has either a url, or a content-type and an inline body.")
