"""Findings with a known cause, renamed so that the case layer can grade them.

Where XEP-0327 contradicts itself (shared/spec/xep0327-digest.md section 9),
the schemas follow the formal definition and a stanza that follows the
other reading fails them. Such a finding gets a rule of its own, naming the
ambiguity, so a case can grade it warn rather than fail. Elements that a
real server sends in a Rayo namespace though no XEP defines them get the
rule "non-XEP extension" instead of "unknown element".
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from . import namespaces as ns
from .schema_errors import Problem

END_HANGUP = "end reason hangup (A1)"
REJECT_WITHOUT_REASON = "reject without reason (A8)"
EXTENSION = "non-XEP extension"

# Sent by FreeSWITCH mod_rayo (shared/notes/implementations.md section 2).
_EXTENSIONS = {
    ns.qname(ns.INPUT, "start-of-input"): "mod_rayo's event for the first digit of an input",
    ns.qname(ns.INPUT, "start-timers"): "mod_rayo's command to start the timers of an input",
}
_HEADER = ns.qname(ns.RAYO, "header")


def relabel(problem: Problem) -> Problem:
    """The problem under its deviation's rule, if it has a known cause (dialect xep0327)."""
    node = problem.node
    if problem.rule == "one end reason" and node.find(ns.qname(ns.RAYO, "hangup")) is not None:
        return replace(problem, rule=END_HANGUP, message=(
            f"{END_HANGUP}: <end> gives the reason <hangup/>, as the example of XEP-0327 section 6.6.4 does; "
            "section 7.5.1 names the remote party's hangup <hungup/>."))
    if problem.rule == "one reject reason" and all(child.tag == _HEADER for child in node.iterchildren("{*}*")):
        return replace(problem, rule=REJECT_WITHOUT_REASON, message=(
            f"{REJECT_WITHOUT_REASON}: <reject> gives no reason, as the example of XEP-0327 section 6.6.2 does; "
            "section 7.9 requires exactly one of decline, busy or error."))
    if problem.rule == "unknown element" and node.tag in _EXTENSIONS:
        return replace(problem, rule=EXTENSION, message=(
            f"{EXTENSION}: <{etree.QName(node).localname}> is {_EXTENSIONS[node.tag]}; no XEP defines it."))
    return problem
