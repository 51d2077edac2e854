"""The fault catalogue: deliberate deviations the reference server can be started with.

Each fault is one wrong behaviour a real server could have. The self-test
starts the server with each fault and requires that the cases named in
`caught_by` fail, with `evidence` in the failure, and that the others pass:
a check no fault can make fail is a defect of the suite.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Fault:
    name: str
    summary: str  # one line, for `serve --list-faults`
    area: str
    caught_by: tuple[str, ...]  # case ids that must fail under this fault
    evidence: str  # words the findings of those cases must contain
    warns: tuple[str, ...] = ()  # case ids that must warn (a SHOULD, or a tolerated reading)


def _f(name: str, area: str, summary: str, caught_by: Iterable[str], evidence: str, warns: Iterable[str] = ()) -> Fault:
    return Fault(name, summary, area, tuple(caught_by), evidence, tuple(warns))


IN = "xep0327.inbound."
OUT = "xep0327.outbound."
ERR = "xep0327.errors."

CATALOGUE: tuple[Fault, ...] = (
    _f("offer-without-caps", "offer", "the offer presence carries no caps with node urn:xmpp:rayo:call:1",
       [IN + "offer-carries-the-call", IN + "answer-then-client-hangup"], "child <c xmlns='http://jabber.org/protocol/caps'> missing"),
    _f("offer-drops-headers", "offer", "the offer leaves out the INVITE's headers",
       [IN + "offer-carries-the-call", IN + "answer-then-client-hangup"], "header"),
    _f("offer-reorders-headers", "offer", "the offer lists repeated headers in reverse order",
       [IN + "offer-carries-the-call"], "not in the expected order"),
    _f("events-without-delay", "events", "events carry no XEP-0203 delay stamp (a SHOULD: cases warn)", [], "delay",
       warns=[ERR + "command-to-ended-call", IN + "accept-rings-the-caller", IN + "answer-then-client-hangup",
        IN + "caller-cancels", IN + "caller-hangs-up", IN + "offer-carries-the-call", IN + "redirect-sends-302",
        IN + "reject-busy", IN + "reject-decline", IN + "reject-error", OUT + "answered-then-client-hangup",
        OUT + "busy", OUT + "far-end-hangs-up", OUT + "rejected", OUT + "timeout"]),
    _f("accept-sends-nothing", "inbound", "accept is acknowledged but the caller is never told (no 180)",
       [IN + "accept-rings-the-caller"], "180"),
    _f("answer-sends-180", "inbound", "answer sends 180 Ringing instead of 200 OK",
       [IN + "answer-then-client-hangup", IN + "caller-hangs-up", ERR + "command-to-ended-call"], "200"),
    _f("redirect-without-contact", "inbound", "redirect sends 302 without the target in Contact",
       [IN + "redirect-sends-302"], "Contact"),
    _f("reject-codes-swapped", "inbound", "reject busy sends 603 and reject decline sends 486",
       [IN + "reject-busy", IN + "reject-decline"], "got received"),
    _f("reject-error-sends-503", "inbound", "reject with error sends 503 instead of 500",
       [IN + "reject-error"], "500"),
    _f("hangup-without-bye", "inbound", "hangup of an answered call sends no BYE",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup"], "BYE"),
    _f("no-end-after-hangup", "end", "no <end/> after a hangup command",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup"], "end"),
    _f("hangup-command-reported-as-hungup", "end", "a client hangup ends with <hungup/> instead of <hangup-command/>",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup"], "hangup-command"),
    _f("remote-hangup-reported-as-hangup", "end", "a caller's BYE ends with the seed's <hangup/> instead of <hungup/>",
       [IN + "caller-hangs-up", OUT + "far-end-hangs-up"], "hungup",
       # cases that take any end reason only warn: the XEP's own example has <hangup/> (digest A1)
       warns=[ERR + "command-to-ended-call", IN + "caller-cancels"]),
    _f("end-not-unavailable", "end", "the end presence is sent without type='unavailable'",
       [ERR + "command-to-ended-call", IN + "answer-then-client-hangup", IN + "caller-cancels", IN + "caller-hangs-up",
        OUT + "answered-then-client-hangup", OUT + "busy", OUT + "far-end-hangs-up", OUT + "rejected", OUT + "timeout"],
       "unavailable"),
    _f("cancel-ignored", "inbound", "a caller's CANCEL is answered but the client is never sent <end/>",
       [IN + "caller-cancels"], "end"),
    _f("event-after-end", "end", "one more <answered/> comes from the call after its <end/>",
       [IN + "answer-then-client-hangup", IN + "caller-hangs-up", OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up"],
       "sent more"),
    _f("no-client-leaves-call-ringing", "inbound", "with no available client the INVITE gets 180 and no final response",
       [IN + "no-available-client"], "receive"),
    _f("ref-id", "outbound", "the dial result carries the seed's <ref id=.../> instead of <ref uri=.../>",
       [OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up", OUT + "busy", OUT + "rejected", OUT + "timeout"], "uri"),
    _f("dial-drops-headers", "outbound", "the INVITE carries none of the dial's headers",
       [OUT + "answered-then-client-hangup"], "X-Campaign"),
    _f("dial-ignores-from", "outbound", "the INVITE's From is the server's own, not the dial's from",
       [OUT + "answered-then-client-hangup"], "From"),
    _f("no-ringing", "outbound", "a 180 from the far end is not reported with <ringing/>",
       [OUT + "answered-then-client-hangup"], "ringing"),
    _f("no-answered", "outbound", "a 200 from the far end is not reported with <answered/>",
       [OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up"], "answered"),
    _f("busy-reported-as-rejected", "outbound", "a 486 from the far end ends with <rejected/> instead of <busy/>",
       [OUT + "busy"], "busy"),
    _f("dial-timeout-ignored", "outbound", "the dial timeout never fires: the far end rings forever",
       [OUT + "timeout"], "CANCEL"),
    _f("unknown-call-service-unavailable", "errors", "commands to unknown or ended calls get service-unavailable instead of item-not-found",
       [ERR + "command-to-unknown-call", ERR + "command-to-ended-call"], "item-not-found"),
    _f("malformed-end", "end", "the end presence is not well-formed XML",
       [ERR + "command-to-ended-call", IN + "answer-then-client-hangup", IN + "caller-cancels", IN + "caller-hangs-up",
        IN + "redirect-sends-302", IN + "reject-busy", IN + "reject-decline", IN + "reject-error",
        OUT + "answered-then-client-hangup", OUT + "busy", OUT + "far-end-hangs-up", OUT + "rejected", OUT + "timeout"],
       "malformed XML"),
)

BY_NAME = {fault.name: fault for fault in CATALOGUE}


class UnknownFault(ValueError):
    pass


def fault(name: str) -> Fault:
    if name not in BY_NAME:
        hint = difflib.get_close_matches(name, BY_NAME, n=1)
        raise UnknownFault(f"unknown fault {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "") + " (see serve --list-faults)")
    return BY_NAME[name]


class Faults:
    """The faults a server runs with. Asking for a name not in the catalogue is a bug."""

    def __init__(self, names: Iterable[str] = ()):
        self.active = frozenset(fault(name).name for name in names)

    def __contains__(self, name: str) -> bool:
        fault(name)  # a typo in the server must not silently disable a fault
        return name in self.active

    def __bool__(self) -> bool:
        return bool(self.active)
