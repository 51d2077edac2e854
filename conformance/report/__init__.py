"""The report: renders case results (transcript, ladder diagram, findings) as
static HTML and JSON. It never re-runs anything.

    transcript_html(records, findings=(), anchor_prefix="") -> str
    ladder_svg(records, flagged=(), anchor_prefix="") -> str
    write_report(results, out_dir, run) -> Path   (index.html, cases/, results.json)
    case_extras_html(result) -> str               (for a pytest-html row)
"""

from .ladder import ladder_svg
from .pages import case_extras_html
from .run import RunInfo
from .transcript import transcript_html
from .writer import write_report

__all__ = ["RunInfo", "case_extras_html", "ladder_svg", "transcript_html", "write_report"]
