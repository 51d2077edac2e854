"""Optional features the reference server can be started without (`serve --without NAME`).

XEP-0327 says what a server that lacks one of these must answer instead
(feature-not-implemented for a dial, conflict for a second join, ...). The
cases about such servers need the claim's absence (`needs: ["no outbound-calls"]`),
and the self-test runs them against the reference started without the feature.
Each name is the target file's claim for the feature.
"""

from __future__ import annotations

from typing import Iterable

OPTIONAL = {
    "outbound-calls": "no outbound calls: a dial gets feature-not-implemented (R-6.2.1.1-c)",
    "multiple-joins": "one join per call, as mod_rayo: a join that would need a second gets conflict (R-6.3.4-f)",
    "messages-to-sip": "normal messages to a call are not passed on: they get feature-not-implemented (cancel) (R-6.8.1-d)",
    "builtin-grammars": "no builtin:dtmf/digits grammars, as mod_rayo: an input with one gets bad-request (SRGS only: R-6.5.4-b)",
    "output-document:url": "output documents inline only: a <document url> gets feature-not-implemented before the ref; audio "
                           "plays through SSML <audio src>, a list as an inline text/uri-list (§7.19.3.1.1)",
}


class UnknownFeature(ValueError):
    pass


class Without:
    """The optional features a server runs without. Asking for a name not in OPTIONAL is a bug."""

    def __init__(self, names: Iterable[str] = ()):
        unknown = sorted(set(names) - set(OPTIONAL))
        if unknown:
            raise UnknownFeature(f"no optional feature {', '.join(unknown)}; known: {', '.join(OPTIONAL)}")
        self.names = frozenset(names)

    def __contains__(self, name: str) -> bool:
        if name not in OPTIONAL:  # a typo in the server must not silently keep a feature on
            raise UnknownFeature(f"no optional feature {name!r}")
        return name in self.names

    def __iter__(self):
        return iter(sorted(self.names))
