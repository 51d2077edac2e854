"""The HTML pages: the run index, one page per case, and the pytest-html fragment."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Sequence
from urllib.parse import quote

from ..results import CaseResult, Verdict
from .artifacts import PlacedArtifact
from .coverage import STATUSES, RequirementRow, counts_by_level
from .findings import findings_html
from .ladder import ladder_svg
from .markup import esc, format_seconds, verdict_badge
from .run import RunInfo
from .style import CSS
from .transcript import findings_by_record, transcript_html

STYLESHEET = "report.css"
NONE = '<span class="empty">none</span>'


def _page(title: str, body: str, stylesheet: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<link rel="stylesheet" href="{stylesheet}"></head>\n'
        f'<body class="rayo">\n{body}\n</body></html>\n'
    )


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table; the values are HTML already."""
    cells = "".join(f"<tr><th>{esc(name)}</th><td>{value or NONE}</td></tr>" for name, value in rows)
    return f'<table class="facts">{cells}</table>'


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>" if text else ""


def _requirements(result: CaseResult) -> str:
    return ", ".join(_code(r) for r in result.requirements)


def evidence_html(result: CaseResult, anchor_prefix: str = "") -> str:
    """Findings, ladder and transcript of one case: the part a reviewer studies."""
    seqs = {r.seq for r in result.records}
    if result.records:
        ladder = f'<div class="ladder-box">{ladder_svg(result.records, findings_by_record(result.findings), anchor_prefix)}</div>'
    else:  # a lone server lifeline would only look like a rendering fault
        ladder = '<p class="empty">No messages, so no ladder.</p>'
    return (
        f"{findings_html(result.findings, seqs, anchor_prefix)}\n"
        f'<section class="ladder-section"><h2>Ladder</h2>{ladder}</section>\n'
        '<section class="transcript-section"><h2>Transcript</h2>'
        f"{transcript_html(result.records, result.findings, anchor_prefix)}</section>"
    )


def _artifacts(placed: Sequence[PlacedArtifact]) -> str:
    if not placed:
        return '<p class="empty">None.</p>'
    items = []
    for artifact in placed:
        if artifact.path is None:
            items.append(f'<li>{esc(artifact.name)} <span class="missing">(missing: {esc(artifact.source)})</span></li>')
        else:
            items.append(f'<li><a href="../{esc(quote(artifact.path))}">{esc(artifact.name)}</a></li>')
    return f'<ul class="artifacts">{"".join(items)}</ul>'


def case_page_html(result: CaseResult, artifacts: Sequence[PlacedArtifact]) -> str:
    """The page of one case, written to cases/<name>.html (links go up one level)."""
    facts = _facts([
        ("case", _code(result.case_id)),
        ("verdict", verdict_badge(result.verdict)),
        ("dialect", esc(result.dialect)),
        ("section", esc(result.section)),
        ("requirements", _requirements(result)),
        ("scenario", _code(result.source)),
        ("duration", format_seconds(result.duration)),
    ])
    body = (
        '<p class="crumbs"><a href="../index.html">← all cases</a></p>\n'
        f"<h1>{esc(result.title)}</h1>\n{facts}\n"
        f"{evidence_html(result)}\n"
        f'<section class="artifact-section"><h2>Artifacts</h2>{_artifacts(artifacts)}</section>'
    )
    return _page(f"{result.verdict.value}: {result.title}", body, f"../{STYLESHEET}")


def _counts(results: Sequence[CaseResult]) -> str:
    counts = Counter(r.verdict for r in results)
    items = "".join(
        f'<li class="{"zero" if not counts[v] else ""}" data-verdict="{v.value}">'
        f'<span class="n">{counts[v]}</span>{verdict_badge(v)}</li>'
        for v in Verdict
    )
    return f'<ul class="counts">{items}</ul>'


def _known(result: CaseResult) -> str:
    if not result.known_failure:
        return ""
    return f' <span class="known" title="{esc(result.known_failure)}">known failure</span>'


def _case_row(result: CaseResult, page: str) -> str:
    return (
        f'<tr class="case" data-verdict="{result.verdict.value}">'
        f'<td><a href="{esc(quote(page))}"><code>{esc(result.case_id)}</code></a></td>'
        f"<td>{esc(result.title)}</td>"
        f"<td>{_requirements(result)}</td>"
        f"<td>{verdict_badge(result.verdict)}{_known(result)}</td>"
        f'<td class="num">{format_seconds(result.duration)}</td></tr>'
    )


def index_html(results: Sequence[CaseResult], run: RunInfo, pages: Sequence[str], coverage_page: str | None = None) -> str:
    """The run summary; `pages[i]` is the relative path of results[i]'s page."""
    coverage = f'<a href="{esc(coverage_page)}">per requirement</a>' if coverage_page else ""
    mode = "certification (strict; known failures count)" if run.certify else (
        "strict (a warn fails)" if run.strict else "default (a warn does not fail)")
    facts = _facts([
        ("target", esc(run.target)),
        ("server", esc(run.server) or '<span class="empty">not reported</span>'),
        ("dialect", esc(run.dialect)),
        ("mode", mode),
        ("capabilities", esc(", ".join(run.claims)) or '<span class="empty">none stated</span>'),
        ("harness", f"rayo-conformance {esc(run.harness_version)}"),
        ("started", esc(run.started.isoformat(timespec="seconds"))),
        ("cases", str(len(results))),
        ("coverage", coverage),
    ])
    rows = "\n".join(_case_row(r, p) for r, p in zip(results, pages))
    table = (
        '<table class="cases"><thead><tr><th>case</th><th>title</th><th>requirements</th>'
        f'<th>verdict</th><th class="num">duration</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>'
    )
    notes = ""
    if run.notes:
        items = "".join(f"<li>{esc(note)}</li>" for note in run.notes)
        notes = f'<h2>Capability statement vs disco#info</h2>\n<ul class="notes">{items}</ul>'
    title = "Rayo certification report" if run.certify else "Rayo conformance report"
    body = f"<h1>{title}</h1>\n{facts}\n{notes}\n{_counts(results)}\n<h2>Cases</h2>\n{table}"
    return _page(f"Rayo conformance: {run.target}", body, STYLESHEET)


def _requirement_row(row: RequirementRow) -> str:
    r = row.requirement
    if row.tested:
        how = "<br>".join(
            f'{verdict_badge(t.result.verdict)} <a href="{esc(quote(t.page))}"><code>{esc(t.result.case_id)}</code></a>'
            for t in row.tested
        )
    else:
        how = esc(r.untestable or r.pending or "no case of this run names it")
    return (
        f'<tr class="requirement" id="{esc(r.id)}" data-status="{esc(row.status)}">'
        f"<td><code>{esc(r.id)}</code></td><td>{esc(r.level)}</td><td>{esc(r.actor)}</td>"
        f"<td>{esc(r.text)}</td><td>{esc(row.status)}</td><td>{how}</td></tr>"
    )


def _level_counts(rows: Sequence[RequirementRow]) -> str:
    head = "".join(f'<th class="num">{esc(s)}</th>' for s in STATUSES)
    body = "".join(
        f"<tr><td>{esc(level)}</td>" + "".join(f'<td class="num">{counts[s]}</td>' for s in STATUSES) + "</tr>"
        for level, counts in counts_by_level(rows).items()
    )
    return f'<table class="cases levels"><thead><tr><th>level</th>{head}</tr></thead><tbody>{body}</tbody></table>'


def coverage_html(rows: Sequence[RequirementRow], run: RunInfo) -> str:
    """Per requirement of the run's dialect: the run's cases that test it and their verdicts, or why none does."""
    facts = _facts([
        ("target", esc(run.target)),
        ("dialect", esc(run.dialect)),
        ("requirements", str(len(rows))),
    ])
    table = (
        '<table class="cases requirements"><thead><tr><th>requirement</th><th>level</th><th>actor</th>'
        "<th>what it says</th><th>status</th><th>cases and verdicts, or why none</th></tr></thead>\n<tbody>\n"
        + "\n".join(_requirement_row(row) for row in rows)
        + "\n</tbody></table>"
    )
    body = (
        '<p class="crumbs"><a href="index.html">← all cases</a></p>\n'
        f"<h1>Requirement coverage</h1>\n{facts}\n<h2>By level</h2>\n{_level_counts(rows)}\n"
        f"<h2>Requirements</h2>\n{table}"
    )
    return _page(f"Rayo conformance coverage: {run.target}", body, STYLESHEET)


def case_extras_html(result: CaseResult) -> str:
    """One case's evidence as a fragment for a pytest-html row, styles included.

    Anchors are prefixed with a digest of the case id, since the row shares its
    page with every other case's row.
    """
    prefix = "c" + hashlib.sha1(result.case_id.encode()).hexdigest()[:12] + "-"
    head = f'<p>{verdict_badge(result.verdict)} <code>{esc(result.case_id)}</code> {esc(result.title)}</p>'
    return f'<div class="rayo"><style>{CSS}</style>{head}\n{evidence_html(result, prefix)}</div>'

