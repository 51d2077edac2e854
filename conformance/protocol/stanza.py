"""Stanzas as the harness sees them: parsed from the raw text, built from payloads.

Parsing never resolves entities, loads DTDs or touches the network. A stanza
taken out of a stream is parsed inside a stand-in root that declares the
stream's namespaces, so it means exactly what it meant in the stream.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable

from lxml import etree

from . import namespaces as ns


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


class MalformedXML(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


_WRAPPER = "rayo-conformance-stream"


def parse_fragment(text: str, declarations: dict[str | None, str] | None = None) -> list[etree._Element]:
    """The top-level elements of `text`, which may hold several (or none).

    `declarations` are the in-scope namespaces (prefix -> URI; None is the
    default namespace). Line numbers of the result match the lines of `text`.
    """
    declarations = {None: ns.CLIENT} if declarations is None else declarations
    attrs = "".join(
        f' xmlns="{uri}"' if prefix is None else f' xmlns:{prefix}="{uri}"'
        for prefix, uri in declarations.items()
    )
    wrapped = f"<{_WRAPPER}{attrs}>{text}</{_WRAPPER}>"
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), safe_parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno if err.lineno else None
        raise MalformedXML(err.msg, line) from None
    elements = [child for child in root if isinstance(child.tag, str)]
    for element in elements:
        root.remove(element)  # detach, keeping the inherited namespaces
    return elements


def parse_stanza(text: str, declarations: dict[str | None, str] | None = None) -> etree._Element:
    elements = parse_fragment(text, declarations)
    if len(elements) != 1:
        raise MalformedXML(f"expected one stanza, found {len(elements)} elements")
    return elements[0]


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


@dataclass(frozen=True)
class Stanza:
    """A stanza received or sent by a harness XMPP client."""

    element: etree._Element
    text: str  # the raw text as on the wire
    t: float  # monotonic timestamp
    party: str  # which harness client
    seq: int | None = None  # its record in the case's transcript

    @property
    def kind(self) -> str:
        return local_name(self.element)

    @property
    def type(self) -> str:
        default = "normal" if self.kind == "message" else ("available" if self.kind == "presence" else "")
        return self.element.get("type", default)

    @property
    def sender(self) -> str:
        return self.element.get("from", "")

    @property
    def recipient(self) -> str:
        return self.element.get("to", "")

    @property
    def id(self) -> str:
        return self.element.get("id", "")

    def payload(self) -> list[etree._Element]:
        """The child elements, in order (stanza errors and delay stamps included)."""
        return [child for child in self.element if isinstance(child.tag, str)]

    def error(self) -> tuple[str, str] | None:
        """(condition, type) of a stanza error, or None."""
        err = self.element.find(f"{{{ns.CLIENT}}}error")
        if err is None:
            return None
        conditions = [local_name(c) for c in err if isinstance(c.tag, str) and namespace(c) == ns.STANZAS and local_name(c) != "text"]
        return (conditions[0] if conditions else "", err.get("type", ""))


_ids = itertools.count(1)


def new_id(prefix: str = "h") -> str:
    return f"{prefix}{next(_ids)}"


def _serialize(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def build(
    kind: str,
    to: str | None = None,
    type: str | None = None,
    id: str | None = None,
    children: Iterable[etree._Element] = (),
) -> str:
    """An iq, presence or message in jabber:client, serialized for sending."""
    element = etree.Element(ns.qname(ns.CLIENT, kind), nsmap={None: ns.CLIENT})
    for name, value in (("to", to), ("type", type), ("id", id)):
        if value is not None:
            element.set(name, value)
    for child in children:
        element.append(child)
    return _serialize(element)
