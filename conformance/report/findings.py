"""Findings as HTML: the message, and expected vs actual side by side."""

from __future__ import annotations

from typing import Collection, Sequence

from ..results import Finding
from .markup import esc, finding_anchor, pre, record_anchor


def _record_link(finding: Finding, seqs: Collection[int], prefix: str) -> str:
    if finding.record is None:
        return ""
    if finding.record not in seqs:  # say where it pointed rather than link nowhere
        return f' · <span class="missing">record #{finding.record} (not in the transcript)</span>'
    return f' · <a href="#{record_anchor(prefix, finding.record)}">record #{finding.record}</a>'


def _comparison(finding: Finding) -> str:
    if not finding.expected and not finding.actual:
        return ""
    return (
        '<div class="compare">'
        f'<div class="expected"><div class="compare-head">expected</div>{pre(finding.expected)}</div>'
        f'<div class="actual"><div class="compare-head">actual</div>{pre(finding.actual)}</div>'
        "</div>"
    )


def _finding(number: int, finding: Finding, seqs: Collection[int], prefix: str) -> str:
    step = f" · step {finding.step}" if finding.step is not None else ""
    graded_by = f' · <span class="graded-by">{esc(", ".join(finding.requirements))}</span>' if finding.requirements else ""
    return (
        f'<li class="finding lv-{esc(finding.level)}" id="{finding_anchor(prefix, number)}">'
        f'<div class="finding-head"><span class="finding-no">{number}</span>'
        f' <span class="kind">{esc(finding.kind)}</span>'
        f' <span class="level">{esc(finding.level.upper())}</span>{graded_by}{step}'
        f"{_record_link(finding, seqs, prefix)}</div>"
        f'<p class="message">{esc(finding.message)}</p>'
        f"{_comparison(finding)}</li>"
    )


def findings_html(
    findings: Sequence[Finding],
    seqs: Collection[int],
    anchor_prefix: str = "",
) -> str:
    """Two lists, scenario findings then schema findings, numbered by list position.

    `seqs` are the record seqs present in the transcript, so that a finding links
    only to an entry that exists.
    """
    numbered = list(enumerate(findings, start=1))
    groups = (
        ("Findings", "No findings.", [(n, f) for n, f in numbered if f.kind != "schema"]),
        ("Schema findings", "No schema violations.", [(n, f) for n, f in numbered if f.kind == "schema"]),
    )
    sections = []
    for title, none, items in groups:
        if items:
            body = "".join(_finding(n, f, seqs, anchor_prefix) for n, f in items)
            body = f'<ol class="findings">{body}</ol>'
        else:
            body = f'<p class="empty">{none}</p>'
        sections.append(f'<section class="finding-group"><h2>{title}</h2>{body}</section>')
    return "\n".join(sections)
