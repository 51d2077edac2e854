"""The stanzas the reference server sends: events, iq results and iq errors."""

from __future__ import annotations

import base64
import datetime
import hashlib
from typing import Iterable

from lxml import etree

from ...protocol import namespaces as ns


def element(namespace: str, name: str, attributes: dict[str, str] | None = None, children: Iterable[etree._Element] = ()) -> etree._Element:
    node = etree.Element(ns.qname(namespace, name), nsmap={None: namespace})
    for key, value in (attributes or {}).items():
        if value is not None:
            node.set(key, value)
    node.extend(children)
    return node


def rayo(name: str, attributes: dict[str, str] | None = None, children: Iterable[etree._Element] = ()) -> etree._Element:
    return element(ns.RAYO, name, attributes, children)


def headers(pairs: Iterable[tuple[str, str]]) -> list[etree._Element]:
    return [rayo("header", {"name": name, "value": value}) for name, value in pairs]


def delay_stamp(now: datetime.datetime | None = None) -> etree._Element:
    """XEP-0203 stamp, millisecond resolution, UTC."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return element(ns.DELAY, "delay", {"stamp": stamp})


def caps_ver(identities: Iterable[tuple[str, str]], features: Iterable[str]) -> str:
    """XEP-0115 verification string for identities (category, type) and features."""
    text = "".join(f"{category}/{kind}//<" for category, kind in sorted(identities))
    text += "".join(f"{feature}<" for feature in sorted(features))
    return base64.b64encode(hashlib.sha1(text.encode("utf-8")).digest()).decode("ascii")


def caps(node: str, ver: str) -> etree._Element:
    return element(ns.CAPS, "c", {"hash": "sha-1", "node": node, "ver": ver})


def stanza(kind: str, sender: str, recipient: str, type: str | None = None, id: str | None = None,
           children: Iterable[etree._Element] = ()) -> etree._Element:
    node = etree.Element(ns.qname(ns.CLIENT, kind), nsmap={None: ns.CLIENT})
    for key, value in (("from", sender), ("to", recipient), ("type", type), ("id", id)):
        if value is not None:
            node.set(key, value)
    node.extend(children)
    return node


def reply(request: etree._Element, type: str, children: Iterable[etree._Element] = ()) -> etree._Element:
    """An iq answering `request`: from its addressee, to its sender, same id."""
    return stanza("iq", request.get("to"), request.get("from"), type, request.get("id"), children)


def result(request: etree._Element, children: Iterable[etree._Element] = ()) -> etree._Element:
    return reply(request, "result", children)


def error(request: etree._Element, condition: str, type: str, text: str | None = None) -> etree._Element:
    """A stanza error (RFC 6120 §8.3) of the same kind as the request."""
    body = etree.Element(ns.qname(ns.CLIENT, "error"))
    body.set("type", type)
    body.append(element(ns.STANZAS, condition))
    if text:
        note = element(ns.STANZAS, "text")
        note.text = text
        body.append(note)
    kind = etree.QName(request).localname
    return stanza(kind, request.get("to"), request.get("from"), "error", request.get("id"), [body])
