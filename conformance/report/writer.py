"""Writes a run's report directory: index.html, cases/*.html, report.css, results.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from ..results import CaseResult
from ..scenario.requirements import Catalogue
from .artifacts import place_artifacts
from .coverage import COVERAGE_PAGE, coverage_rows
from .jsondoc import results_document
from .markup import safe_name, unique_name
from .pages import STYLESHEET, case_page_html, coverage_html, index_html
from .run import RunInfo
from .style import CSS


def case_file_names(results: Sequence[CaseResult]) -> list[str]:
    """A distinct, file-system-safe name per case, in order (`<name>.html`)."""
    taken: set[str] = set()
    return [unique_name(safe_name(r.case_id) + ".html", taken) for r in results]


def write_report(results: list[CaseResult], out_dir: Path, run: RunInfo, catalogue: Catalogue | None = None) -> Path:
    """Render `results` into `out_dir` and return the path of index.html.

    Only renders: the results are taken as they are and nothing is re-run.
    With a requirement catalogue it also writes coverage.html, per
    requirement of the run's dialect.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "cases").mkdir(exist_ok=True)
    (out_dir / STYLESHEET).write_text(CSS, encoding="utf-8")

    names = case_file_names(results)
    pages = [f"cases/{name}" for name in names]
    placed = []
    for result, name, page in zip(results, names, pages):
        artifacts = place_artifacts(result.artifacts, out_dir, name.removesuffix(".html"))
        placed.append(artifacts)
        (out_dir / page).write_text(case_page_html(result, artifacts), encoding="utf-8")

    coverage = coverage_rows(catalogue.of_dialect(run.dialect), results, pages) if catalogue is not None else None
    if coverage is not None:
        (out_dir / COVERAGE_PAGE).write_text(coverage_html(coverage, run), encoding="utf-8")

    document = results_document(results, run, pages, placed, coverage)
    (out_dir / "results.json").write_text(
        json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    index = out_dir / "index.html"
    index.write_text(index_html(results, run, pages, COVERAGE_PAGE if coverage is not None else None), encoding="utf-8")
    return index
