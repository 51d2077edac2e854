"""The XEP-0327 requirement (§7, the formal definitions) of each element a server sends, so
that a schema finding names the requirement its element breaks."""

from __future__ import annotations

from . import namespaces as ns
from .validation import SchemaFinding

# (namespace, element) -> requirement id; an end's reasons are told apart by their parent.
_DEFINED_BY = {
    (ns.RAYO, "header"): "R-7.1-a",
    (ns.RAYO, "offer"): "R-7.2-a",
    (ns.RAYO, "end"): "R-7.5-a",
    (ns.RAYO, "joined"): "R-7.14-a",
    (ns.RAYO, "unjoined"): "R-7.15-a",
    (ns.RAYO, "started-speaking"): "R-7.16-a",
    (ns.RAYO, "stopped-speaking"): "R-7.17-a",
    (ns.RAYO, "ref"): "R-7.18-a",
    (ns.EXT, "complete"): "R-7.19.2-a",
    (ns.OUTPUT_COMPLETE, "finish"): "R-7.19.3.9-a",
    (ns.OUTPUT_COMPLETE, "max-time"): "R-7.19.3.10-a",
    (ns.INPUT_COMPLETE, "match"): "R-7.19.4.2-a",
    (ns.INPUT_COMPLETE, "noinput"): "R-7.19.4.3-a",
    (ns.INPUT_COMPLETE, "nomatch"): "R-7.19.4.4-a",
    (ns.PROMPT, "input-timers-started"): "R-7.19.5.2-a",
    (ns.RECORD_COMPLETE, "recording"): "R-7.19.6.4-a",
    (ns.RECORD_COMPLETE, "max-duration"): "R-7.19.6.5-a",
    (ns.RECORD_COMPLETE, "initial-timeout"): "R-7.19.6.6-a",
    (ns.RECORD_COMPLETE, "final-timeout"): "R-7.19.6.7-a",
}
_END_REASON = "R-7.5.1-a"
_CORE_COMPLETE_REASON = "R-7.19.2.1-a"


def defining_requirements(dialect: str, finding: SchemaFinding) -> tuple[str, ...]:
    """The requirement the finding's element breaks; none for the seed page, which has no ids for its formats."""
    if dialect != "xep0327":
        return ()
    names = [segment.split("[", 1)[0] for segment in finding.path.split("/") if segment]
    element, parent = names[-1], names[-2] if len(names) > 1 else ""
    if finding.namespace == ns.RAYO and parent == "end" and element != "header":
        return (_END_REASON,)
    if finding.namespace == ns.EXT_COMPLETE:
        return (_CORE_COMPLETE_REASON,)
    found = _DEFINED_BY.get((finding.namespace, element))
    return (found,) if found else ()


def every_requirement() -> set[str]:
    """Every id this module names (for the test that the catalogue knows them)."""
    return {*_DEFINED_BY.values(), _END_REASON, _CORE_COMPLETE_REASON}
