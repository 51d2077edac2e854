"""The transcript of a case as HTML: every message, in order, with its raw text."""

from __future__ import annotations

from typing import Sequence

from lxml import etree

from ..protocol.stanza import safe_parser
from ..results import Finding
from ..transcript import Record
from .markup import esc, finding_anchor, format_ms, pre, record_anchor, relative_ms

_ARROWS = {"sent": "→", "received": "←", "note": "✎"}


def pretty_xml(text: str) -> tuple[str, str]:
    """(text to show, why it is shown raw) for an XMPP message.

    Only a single element with nothing around it is indented. Anything else (an
    XML declaration, a DOCTYPE, comments outside the element, several elements,
    malformed text) is shown exactly as it came, because re-serializing would
    hide part of what the server sent.
    """
    stripped = text.strip()
    if not stripped.startswith("<") or stripped[1:2] in ("?", "!"):
        return text, "not a single XML element; shown as received"
    try:
        root = etree.fromstring(stripped, safe_parser())
    except (etree.XMLSyntaxError, ValueError) as err:
        return text, f"not well-formed XML ({err}); shown as received"
    if root.getprevious() is not None or root.getnext() is not None:
        return text, "markup outside the element; shown as received"
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode"), ""


def _body(record: Record) -> tuple[str, str]:
    if record.channel == "xmpp":
        return pretty_xml(record.text)
    return record.text, ""


def _finding_links(numbers: list[int], prefix: str) -> str:
    if not numbers:
        return ""
    links = ", ".join(
        f'<a href="#{finding_anchor(prefix, n)}">{n}</a>' for n in numbers
    )
    word = "finding" if len(numbers) == 1 else "findings"
    return f' <span class="rec-findings">{word} {links}</span>'


def _who(record: Record) -> str:
    arrow = _ARROWS.get(record.direction, "?")
    who = f'<span class="party">{esc(record.party)}</span> <span class="dir" title="{esc(record.direction)}">{arrow}</span>'
    if record.direction != "note":
        who += f' <span class="peer">{esc(record.peer)}</span>'
    return who


def _label(record: Record) -> str:
    if record.channel == "note" and record.label == record.text:
        return ""  # a note's text is shown below; once is enough
    return f' <span class="rec-label">{esc(record.label)}</span>'


def _entry(record: Record, ms: int, numbers: list[int], prefix: str) -> str:
    anchor = record_anchor(prefix, record.seq)
    body, remark = _body(record)
    classes = f"rec ch-{esc(record.channel)} d-{esc(record.direction)}"
    if numbers:
        classes += " flagged"
    remark_html = f'<p class="rec-remark">{esc(remark)}</p>' if remark else ""
    return (
        f'<section class="{classes}" id="{anchor}">'
        f'<div class="rec-head"><a class="rec-seq" href="#{anchor}">#{record.seq}</a>'
        f' <span class="rec-time">{format_ms(ms)}</span>'
        f' <span class="rec-channel">{esc(record.channel)}</span>'
        f" {_who(record)}"
        f"{_label(record)}"
        f"{_finding_links(numbers, prefix)}</div>"
        f"{remark_html}"
        f'{pre(body, "rec-text")}'
        "</section>"
    )


def findings_by_record(findings: Sequence[Finding]) -> dict[int, list[int]]:
    """Finding numbers (1-based, in list order) by the record seq they point at."""
    by_record: dict[int, list[int]] = {}
    for number, finding in enumerate(findings, start=1):
        if finding.record is not None:
            by_record.setdefault(finding.record, []).append(number)
    return by_record


def transcript_html(
    records: Sequence[Record],
    findings: Sequence[Finding] = (),
    anchor_prefix: str = "",
) -> str:
    """An HTML fragment: every record with its time, direction, ends and raw text.

    Records that a finding points at are highlighted and link to the finding
    (numbered by position in `findings`, as `findings_html` numbers them).
    """
    if not records:
        return '<div class="transcript"><p class="empty">No messages were exchanged.</p></div>'
    times = relative_ms(records)
    flagged = findings_by_record(findings)
    entries = "\n".join(
        _entry(r, times[r.seq], flagged.get(r.seq, []), anchor_prefix) for r in records
    )
    return f'<div class="transcript">\n{entries}\n</div>'
