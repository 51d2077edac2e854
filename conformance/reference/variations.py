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
    # each dialect), what the harness received, in order, matches `evidence` (a regular expression,
    # multi-line, `.` spanning lines: it can say what came before what).
    shown_in: tuple[str, ...]
    evidence: str
    # A regular expression over what a case sends (Case.text()): only a case that matches can meet
    # this choice (it sends the command the variation changes), so the self-test runs only those.
    # Empty: the choice shows in every call (its address, say), and every case of the dialect runs.
    touches: str = ""
    dialects: tuple[str, ...] = ("xep0327",)  # the suites that must pass against it
    warns: tuple[str, ...] = ()  # case ids that may warn: only where the variation is itself a SHOULD deviation
    # Only with the server's own c2s listener: Prosody routes the service domain alone to the core.
    embedded_only: bool = False


def _v(name: str, area: str, summary: str, allowed_by: str, shown_in: Iterable[str], evidence: str, touches: str = "",
       dialects: Iterable[str] = ("xep0327",), warns: Iterable[str] = (), embedded_only: bool = False) -> Variation:
    return Variation(name, summary, area, allowed_by, tuple(shown_in), evidence, touches, tuple(dialects), tuple(warns),
                     embedded_only)


# What a case sends when it uses a component: the components' variations meet only these cases.
COMPONENTS = r"<output |<input |<prompt |<record |<say |mode=\"cpa\""
IN = "xep0327.inbound."
MIX = "xep0327.mixers."
OUT = "xep0327.outbound."
AV = "xep0327.availability."
SIN = "seed.inbound."
SOUT = "seed.outbound."

CATALOGUE: tuple[Variation, ...] = (
    _v("call-subdomain", "addressing", "calls live on the sub-domain call.<service>, not on the service domain itself",
       "§5.2: a call is <call id>@[<call sub-domain>.]<service domain> (the XEP's calls are on call.shakespeare.lit)",
       [IN + "offer-carries-the-call"], r"from=\"[^\"@]+@call\.", embedded_only=True),
    _v("mixer-subdomain", "addressing", "mixers live on the sub-domain mixer.<service>, not on the service domain itself",
       "§5.2: a mixer is <mixer name>@[<mixer sub-domain>.]<service domain> (the XEP's are on mixer.shakespeare.lit)",
       [MIX + "join-mixer"], r"uri=\"xmpp:[^\"@]+@mixer\.", touches="mixer-name=", embedded_only=True),
    _v("reject-error-503", "inbound", "a reject with <error/> refuses the call with 503 Service Unavailable, not 500",
       "A15: the XEP maps no reject reason to a SIP code; the seed page's 500 is an example (\"e.g.\")",
       [IN + "reject-error", SIN + "reject-error"], r"^SIP/2\.0 503 ", touches="<reject", dialects=("xep0327", "seed")),
    _v("reject-busy-600", "inbound", "a reject with <busy/> refuses the call with 600 Busy Everywhere, not 486",
       "A15: \"busy = refused because of load\"; the XEP names no SIP code (the seed page's 486 is an example)",
       [IN + "reject-busy", SIN + "reject-busy"], r"^SIP/2\.0 600 ", touches="<reject", dialects=("xep0327", "seed")),
    _v("reject-decline-403", "inbound", "a reject with <decline/> refuses the call with 403 Forbidden, not 603",
       "A15: \"decline = refused for an unspecified reason (e.g. access control)\"; the XEP names no SIP code",
       [IN + "reject-decline", SIN + "reject-decline"], r"^SIP/2\.0 403 ", touches="<reject", dialects=("xep0327", "seed")),
    _v("reject-ends-rejected", "inbound", "a call the client rejected ends with <rejected/>, not <hangup-command/>",
       "A7: the end reason after a client's reject is undefined; any defined reason is allowed",
       [IN + "reject-decline"], r"<end [^>]*><rejected", touches="<reject"),
    _v("accept-183", "inbound", "accept tells the caller with 183 Session Progress, not 180 Ringing (as mod_rayo does)",
       "R-6.2.2-l: the server notifies the caller, \"typically\" with 180; A15 lists 180 vs 183 as open",
       [IN + "accept-rings-the-caller"], r"^SIP/2\.0 183 ", touches="<accept"),
    _v("no-party-480", "availability", "a call with no potential controlling party is refused with 480, not 503",
       "R-6.2.2-d: a \"service unavailable\" indication whose SIP code the XEP does not name (A15)",
       [IN + "no-available-client", AV + "dnd-client-is-not-offered"], r"^SIP/2\.0 480 "),
    _v("answered-on-inbound", "inbound", "an answered inbound call also sends <answered/> to its controlling party (as mod_rayo does)",
       "§7.4: <answered/> is an event of the call; no passage forbids it on an inbound call",
       [IN + "answer-then-client-hangup"], r"<answered ", touches="<answer"),
    _v("hangup-unanswered-480", "inbound", "hanging up an unanswered inbound call refuses it with 480, not 603",
       "§6.6.3 ends the call with no SIP code named; A15: the signalling mappings are open",
       ["xep0327.output.early-media-before-answer"], r"^SIP/2\.0 480 ", touches="<hangup"),
    _v("end-platform-code", "events", "every end reason carries a platform-code, a Q.850 cause (16, 17, ...) as mod_rayo gives",
       "§7.5.1: an end reason has an OPTIONAL platform-code attribute (SIP, Q.850 or another code)",
       [IN + "answer-then-client-hangup"], r"platform-code="),
    _v("call-ids-uuid", "addressing", "call ids are dashed UUIDs (as mod_rayo's), not 32 hex digits",
       "§5.2: a call JID is <call id>@...; the id's form is the server's", [IN + "offer-carries-the-call", SIN + "offer-carries-the-call"],
       r"from=\"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", dialects=("xep0327", "seed")),
    _v("component-ids-short", "addressing", "component ids are six characters (as in the XEP's examples), without the kind",
       "§5.2: a component JID is the call or mixer JID plus /<component id>; the id's form is the server's",
       ["xep0327.output.audio-file-finishes", "seed.say.audio-plays-and-succeeds"],
       r"<ref [^>]*(uri=\"xmpp:[^\"/]+/|id=\")[0-9a-f]{6}\"", touches=COMPONENTS, dialects=("xep0327", "seed")),
    _v("unknown-command-bad-request", "errors", "a call command the server does not know gets bad-request (modify), not feature-not-implemented",
       "§10 (R-10-b): a command the server does not understand gets an error; the condition is not named",
       ["xep0327.errors.unknown-command"], r"<bad-request ", touches=r"transmogrify"),
    _v("service-identity-server-im", "service", "the service's disco#info identity is server/im (as mod_rayo's), not component/generic",
       "§8 asks for the urn:xmpp:rayo:1 feature only; the identity is the server's (digest A17)",
       ["xep0327.service.disco-on-the-service"], r"category=\"server\"", touches="disco#info"),
    _v("offer-caps-fixed-ver", "offer", "the offer's caps carry a fixed ver (as mod_rayo's), not the hash of the call's disco#info",
       "A17: caps ver values are copied placeholders in the XEP; the suite checks the node, not the hash",
       [IN + "offer-carries-the-call"], r"ver=\"L9rOKMEJl9rssEggArljiapRd9k=\""),
    _v("mixer-caps-after-call-joined", "mixers", "a new mixer announces itself (its caps) after the call's <joined/>, before its own",
       "A12: the XEP orders no events of different JIDs; R-6.4-e asks only that the mixer's first presence carry caps",
       [MIX + "join-mixer"], r"mixer-name=.*node=\"urn:xmpp:rayo:mixer:1\"", touches="mixer-name="),
    _v("mixer-ref-on-create-only", "mixers", "a join to a mixer that exists already gets an empty result, without a ref",
       "A14: the XEP's examples show the ref on the join that creates the mixer; whether later joins carry one is open",
       [MIX + "join-mixer"], r"\A(?:(?!<ref ).)*<ref (?:(?!<ref ).)*\Z", touches="mixer-name="),  # one ref only
    _v("offer-headers-by-name", "offer", "the offer lists headers grouped by name (each name's values in their order)",
       "R-6.7-b: only the values of one name form an ordered list; R-6.2.2-f carries the headers, in no order",
       [IN + "offer-carries-the-call"], r'value="second"/>\s*<header name="X-Skill"'),
    _v("header-names-lowercase", "offer", "the offer gives the INVITE's header names in lower case",
       "RFC 3261 §7.3.1: SIP header names are case-insensitive; the XEP carries them as the session has them",
       [IN + "offer-carries-the-call"], r"<header name=\"x-"),
)

RECP = "xep0327.record."

CATALOGUE += (
    _v("recording-inside-reason", "record",
       "a record's <recording/> goes inside its core reason (stop, hangup, error), not beside it; its own reasons stay empty",
       "A2 and §7.19.2.1: core complete reasons \"MAY contain component-specific metadata\"; the record example puts it beside",
       [RECP + "stop-has-recording", RECP + "hangup-has-recording"], r"<(stop|hangup) xmlns=\"urn:xmpp:rayo:ext:complete:1\"><recording ",
       touches="<record "),
    _v("cpa-signals-bare", "cpa", "CPA signals carry only their type: no duration, no value",
       "XEP-0341: a signal's duration and value are OPTIONAL",
       ["xep0327.cpa.dtmf-signals", "xep0327.cpa.busy-terminates"], r"<signal xmlns=\"urn:xmpp:rayo:cpa:1\" type=\"[^\"]+\"/>",
       touches='mode="cpa"'),
    _v("start-of-input-event", "input",
       "an input tells of its first key with <start-of-input/> (as mod_rayo does) when that key does not decide it",
       "R-6.5-i: a component MAY emit progress events; the element is no XEP's (a non-XEP extension in the input "
       "namespace), so the cases that receive it warn",
       ["xep0327.input.srgs-match"], r"<start-of-input xmlns=\"urn:xmpp:rayo:input:1\"/>", touches="<input ",
       warns=["xep0327.input." + name for name in ("alongside-an-output", "builtin-digits-match", "early-media-before-answer",
                                                   "inter-digit-timeout-decides", "max-silence-decides", "srgs-match",
                                                   "terminator-ends-input")]
       + ["xep0327.prompt.barge-in-false-plays-on", "xep0327.prompt.barge-in-stops-output",
          "xep0327.mixers.input-hears-every-member"]),
    _v("nlsml-keys-unspaced", "input", "a match's NLSML gives the keys as one word (123), not spaced (1 2 3)",
       "R-6.5.4.4-c asks for NLSML; RFC 6787 §6.3.1 puts what was recognized in <input> and fixes no spacing of keys",
       ["xep0327.input.srgs-match"], r"<input mode=\"dtmf\" confidence=\"1\.0\">\d{2,}</input>", touches="<input "),
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

    def __init__(self, names: Iterable[str] = (), dialect: str | None = None):
        self.active = frozenset(variation(name).name for name in names)
        foreign = sorted(name for name in self.active if dialect and dialect not in BY_NAME[name].dialects)
        if foreign:  # a choice of one dialect may break the other's schema (the seed has no platform-code)
            raise UnknownVariation(f"not a variation of {dialect}: {', '.join(foreign)}")

    def __contains__(self, name: str) -> bool:
        variation(name)  # a typo in the server must not silently keep the default
        return name in self.active

    def __bool__(self) -> bool:
        return bool(self.active)

    def __iter__(self):
        return iter(sorted(self.active))
