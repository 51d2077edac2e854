"""How the harness writes XMPP traffic into the transcript: a one-line label
per stanza for ladder diagrams, and SASL exchanges with their secrets removed."""

from __future__ import annotations

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.stanza import local_name, namespace
from .splitter import START_TAG

REDACTED = "[redacted]"
# SASL elements whose content is credentials or proof of them; <failure/> is kept.
_SASL_SECRETS = {"auth", "challenge", "response", "success"}
# Children every Rayo event carries that say nothing about what it is.
_QUIET = {(ns.DELAY, "delay"), (ns.CAPS, "c")}


def label(element: etree._Element, direction: str) -> str:
    """'iq set answer → call@rayo', 'presence unavailable end', 'iq error item-not-found'."""
    words = [local_name(element)]
    words += [element.get(name) for name in ("type", "mechanism") if element.get(name)]
    words += _payload_words(element)[:3]
    if direction == "sent" and element.get("to"):
        words += ["→", element.get("to")]
    return " ".join(words)


def _payload_words(element: etree._Element) -> list[str]:
    children = [c for c in _children(element) if (namespace(c), local_name(c)) not in _QUIET]
    error = next((c for c in children if local_name(c) == "error"), None)
    if error is not None:  # an error says more by its condition than by the payload it echoes
        return [local_name(c) for c in _children(error) if local_name(c) != "text"][:1]
    return [local_name(c) for c in children if local_name(c) != "text"]


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def redact(raw: str, element: etree._Element) -> str:
    """The raw text, with the content of a SASL auth/challenge/response/success replaced."""
    if namespace(element) != ns.SASL or local_name(element) not in _SASL_SECRETS:
        return raw
    start = START_TAG.match(raw)
    if start is None or start.group(1) == "/":  # empty element: nothing to hide
        return raw
    return raw[: start.end()] + REDACTED + raw[raw.rindex("</") :]
