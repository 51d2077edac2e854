"""The catalogue of legal variations: choices the XEP allows that the reference server does not make by default.

The mirror of the fault catalogue (faults.py). Each variation makes the
reference server take one other answer the protocol allows. The self-test
starts the server with each one and requires that the suite of its dialect
has no fail (and a warn only in the cases listed in `warns`, where the
variation is itself a SHOULD deviation): a case a variation fails is a false
fail, a defect of the suite.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Variation:
    name: str
    summary: str  # one line, for `serve --list-variants`
    area: str  # what it touches: a call-control area, or a component's (output, input, ...) for media choices
    allowed_by: str  # the XEP passage or digest entry that allows it (R-..., §..., A..)
    # Where the self-test sees that the choice was taken: in the transcript of these cases (of
    # each dialect), something the harness received matches `evidence` (a regular expression).
    shown_in: tuple[str, ...]
    evidence: str
    # A regular expression over a case's text: only a case that matches can meet this choice (it
    # sends the command the variation changes, say), so the self-test runs only those. Empty:
    # the choice shows in every call (its address, say), and every case of the dialect runs.
    touches: str = ""
    dialects: tuple[str, ...] = ("xep0327",)  # the suites that must pass against it
    warns: tuple[str, ...] = ()  # case ids that may warn: only where the variation is itself a SHOULD deviation


def _v(name: str, area: str, summary: str, allowed_by: str, shown_in: Iterable[str], evidence: str, touches: str = "",
       dialects: Iterable[str] = ("xep0327",), warns: Iterable[str] = ()) -> Variation:
    return Variation(name, summary, area, allowed_by, tuple(shown_in), evidence, touches, tuple(dialects), tuple(warns))


IN = "xep0327.inbound."
SIN = "seed.inbound."

CATALOGUE: tuple[Variation, ...] = (
    _v("reject-error-503", "inbound", "a reject with <error/> refuses the call with 503 Service Unavailable, not 500",
       "A15: the XEP maps no reject reason to a SIP code; the seed page's 500 is an example (\"e.g.\")",
       [IN + "reject-error", SIN + "reject-error"], r"^SIP/2\.0 503 ", touches="<reject", dialects=("xep0327", "seed")),
)

BY_NAME = {variation.name: variation for variation in CATALOGUE}


class UnknownVariation(ValueError):
    pass


def variation(name: str) -> Variation:
    if name not in BY_NAME:
        hint = difflib.get_close_matches(name, BY_NAME, n=1)
        raise UnknownVariation(f"unknown variation {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                               + " (see serve --list-variants)")
    return BY_NAME[name]


class Variations:
    """The variations a server runs with. Asking for a name not in the catalogue is a bug."""

    def __init__(self, names: Iterable[str] = ()):
        self.active = frozenset(variation(name).name for name in names)

    def __contains__(self, name: str) -> bool:
        variation(name)  # a typo in the server must not silently keep the default
        return name in self.active

    def __bool__(self) -> bool:
        return bool(self.active)

    def __iter__(self):
        return iter(sorted(self.active))
