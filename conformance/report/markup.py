"""Helpers every renderer shares: escaping, anchors, names, times, verdict badges.

All text that reaches HTML or SVG goes through `esc`: stanzas, JIDs, labels and
even case titles come from places the report does not control. Characters that
would change how the text around them reads, or not show at all, are shown as
their code point (`visible`).
"""

from __future__ import annotations

import html
import re
from typing import Iterable

from ..results import Verdict
from ..transcript import Record


# Controls (but tab and line ends), bidirectional embeddings, overrides and isolates
# (U+202E makes what follows read backwards), zero-width and separator characters,
# the byte order mark, interlinear annotations and tags.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def visible(text: str) -> str:
    """The text with each character that hides or reorders text shown as [U+XXXX]."""
    return _HIDDEN.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)


def esc(text: object) -> str:
    """Text made safe for element content and quoted attribute values, and shown as it is."""
    return html.escape(visible(str(text)), quote=True)


def pre(text: str, css_class: str = "") -> str:
    """Preformatted text shown exactly. HTML drops a newline right after <pre>,
    so one is always put there; a newline the text starts with then survives."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<pre{attribute}>\n{esc(text)}</pre>"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, limit: int = 80) -> str:
    """A file-name and fragment-safe form of `text` (not unique on its own)."""
    name = _UNSAFE.sub("_", text).strip("._")[:limit]
    return name or "case"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name` with -2, -3, ... before its suffix, not yet in `taken`."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    taken.add(candidate)
    return candidate


# Anchors carry a prefix so that several cases can share one HTML page (the
# pytest-html report) without their ids colliding.
def record_anchor(prefix: str, seq: int) -> str:
    return f"{prefix}rec-{seq}"


def finding_anchor(prefix: str, number: int) -> str:
    return f"{prefix}finding-{number}"


def relative_ms(records: Iterable[Record]) -> dict[int, int]:
    """Milliseconds since the first record, by seq."""
    records = list(records)
    if not records:
        return {}
    start = records[0].t
    return {r.seq: round((r.t - start) * 1000) for r in records}


def format_ms(ms: int) -> str:
    return f"{ms} ms"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2f} s"


def verdict_badge(verdict: Verdict) -> str:
    word = verdict.value.replace("-", " ")
    return f'<span class="verdict v-{verdict.value}">{word}</span>'


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, for labels drawn in a fixed space."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
