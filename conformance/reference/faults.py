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
    evidence: str  # a regular expression the findings of those cases must match
    warns: tuple[str, ...] = ()  # case ids that must warn (a SHOULD, or a tolerated reading)
    # The dialect the server runs in: its suite is the one that must catch the fault. A
    # deviation of the core shared by both dialects has one entry per dialect it is shown in.
    dialect: str = "xep0327"
    # Optional features the server is started without (features.py): a fault in what such a
    # server must answer instead is judged on the cases for servers without them.
    without: tuple[str, ...] = ()


# Cases whose requirements are all SHOULDs or weaker (their steps warn, docs/verdicts.md): a fault
# they show makes them warn, so an entry's caught_by lists them among its warns.
_WARN_ONLY = frozenset({
    "xep0327.inbound.accept-rings-the-caller", "xep0327.input.alongside-an-output", "xep0327.input.takes-no-other-command",
    "xep0327.output.command-errors", "xep0327.record.direction-picks-the-side",
    "xep0327.messages.normal-message-reaches-the-caller",
})


def _f(name: str, area: str, summary: str, caught_by: Iterable[str], evidence: str, warns: Iterable[str] = (),
       without: Iterable[str] = (), by_steps: bool = True) -> Fault:
    """by_steps=False: a check every case makes catches it (one response per iq), whatever the case's levels."""
    caught_by = tuple(caught_by)
    warned = tuple(case for case in caught_by if by_steps and case in _WARN_ONLY)
    return Fault(name, summary, area, tuple(case for case in caught_by if case not in warned), evidence,
                 tuple(warns) + warned, without=tuple(without))


IN = "xep0327.inbound."
OUT = "xep0327.outbound."
ERR = "xep0327.errors."
AV = "xep0327.availability."
DIAL = "xep0327.dial."
JOIN = "xep0327.joins."
MIX = "xep0327.mixers."
SVC = "xep0327.service."
HDR = "xep0327.headers."
MSG = "xep0327.messages."
# The cases that take an inbound call's offer (some only to learn the calls' domain) and start no component.
_OFFERED = [AV + "offer-goes-to-every-available-client", AV + "offer-withdrawn-when-client-leaves",
           AV + "second-client-gets-conflict", DIAL + "nested-join", DIAL + "dial-with-uri", DIAL + "dial-uri-conflict",
           ERR + "command-to-unknown-call", ERR + "chat-message-to-a-call",
           ERR + "command-to-ended-call", ERR + "unknown-command", HDR + "command-headers-reach-sip",
           IN + "accept-rings-the-caller", IN + "answer-then-client-hangup", IN + "caller-cancels",
           IN + "caller-hangs-up", IN + "offer-carries-the-call", IN + "redirect-after-answer",
           IN + "redirect-sends-302", IN + "reject-after-accept", IN + "reject-busy", IN + "reject-decline",
           IN + "reject-error", JOIN + "hangup-breaks-joins", JOIN + "join-bridges-audio",
           JOIN + "join-direct-media", JOIN + "join-direction-send", JOIN + "join-malformed",
           JOIN + "join-other-zone", JOIN + "join-two-calls", JOIN + "join-unknown-call",
           JOIN + "modify-join-sends-no-joined", JOIN + "remote-hangup-breaks-joins", JOIN + "unjoin-all",
           JOIN + "unjoin-not-joined", MSG + "normal-message-reaches-the-caller", MIX + "hangup-leaves-mixer",
           MIX + "join-mixer", MIX + "mixer-names-per-zone", MIX + "speakers-in-a-mixer", MIX + "subscribe-to-mixer",
           SVC + "disco-on-a-call"]
# Of those, the cases whose steps up to the offer's first use check SHOULDs only.
_SHOULD_STEPS = [AV + "offer-withdrawn-when-client-leaves", IN + "accept-rings-the-caller", IN + "redirect-after-answer",
                 MSG + "normal-message-reaches-the-caller"]

CATALOGUE: tuple[Fault, ...] = (
    _f("offer-without-caps", "offer", "the offer presence carries no caps with node urn:xmpp:rayo:call:1",
       [IN + "offer-carries-the-call", IN + "answer-then-client-hangup"], "child <c xmlns='http://jabber.org/protocol/caps'> missing"),
    _f("offer-drops-headers", "offer", "the offer leaves out the INVITE's headers",
       [IN + "offer-carries-the-call", IN + "answer-then-client-hangup"], "header"),
    _f("offer-from-another-domain", "offer", "offers come from a JID outside the service's domain",
       _OFFERED, "R-6.2.2-f: an offer must come from its call's JID, but it comes from .* outside the service's domain",
       by_steps=False),
    _f("offer-from-the-client", "offer", "offers come from the JID of the client they are sent to",
       _OFFERED, "R-6.2.2-f: an offer must come from its call's JID, but it comes from the client's own JID", by_steps=False),
    _f("offer-without-from", "offer", "offers have no from",
       _OFFERED, "R-6.2.2-f: an offer must come from its call's JID, but it has no 'from'", by_steps=False),
    # The case stops where the stream closed: a case whose steps check SHOULDs only warns.
    _f("offer-over-the-size-limit", "offer", "offers carry a header of 1.1 MB, over the harness's default stanza size limit",
       [case for case in _OFFERED if case not in _SHOULD_STEPS], "a stanza longer than 1048576 bytes, the harness's limit",
       warns=_SHOULD_STEPS),
    _f("offer-reorders-headers", "offer", "the offer lists repeated headers in reverse order",
       [IN + "offer-carries-the-call"], "not in the expected order"),
    _f("events-without-delay", "events", "events carry no XEP-0203 delay stamp (a SHOULD: cases warn)", [], "delay",
       # every case that receives an event
       warns=[AV + "offer-goes-to-every-available-client", AV + "offer-withdrawn-when-client-leaves",
        AV + "second-client-gets-conflict", DIAL + "dial-with-uri", DIAL + "nested-join", HDR + "command-headers-reach-sip",
        IN + "redirect-after-answer", IN + "reject-after-accept", JOIN + "hangup-breaks-joins", JOIN + "join-direct-media",
        JOIN + "join-malformed", JOIN + "join-two-calls", JOIN + "join-unknown-call", JOIN + "modify-join-sends-no-joined",
        JOIN + "remote-hangup-breaks-joins", JOIN + "unjoin-all", JOIN + "unjoin-not-joined", MIX + "hangup-leaves-mixer",
        MIX + "join-mixer", SVC + "disco-on-a-call", JOIN + "join-other-zone", ERR + "command-to-ended-call", IN + "accept-rings-the-caller", IN + "answer-then-client-hangup",
        IN + "caller-cancels", IN + "caller-hangs-up", IN + "offer-carries-the-call", IN + "redirect-sends-302",
        IN + "reject-busy", IN + "reject-decline", IN + "reject-error", OUT + "answered-then-client-hangup",
        OUT + "busy", OUT + "far-end-hangs-up", OUT + "rejected", OUT + "timeout", ERR + "chat-message-to-a-call",
        ERR + "unknown-command", JOIN + "join-bridges-audio", JOIN + "join-direction-send", MIX + "mixer-names-per-zone",
        MIX + "speakers-in-a-mixer", MIX + "subscribe-to-mixer",
        MSG + "normal-message-reaches-the-caller", ERR + "command-to-unknown-call", DIAL + "dial-uri-conflict"]),
    _f("accept-sends-nothing", "inbound", "accept is acknowledged but the caller is never told (no 180)",
       [IN + "accept-rings-the-caller"], "180"),
    _f("answer-sends-180", "inbound", "answer sends 180 Ringing instead of 200 OK",
       # every case that answers an inbound call
       [IN + "answer-then-client-hangup", IN + "caller-hangs-up", ERR + "command-to-ended-call",
        AV + "second-client-gets-conflict", DIAL + "nested-join", HDR + "command-headers-reach-sip",
        JOIN + "hangup-breaks-joins", JOIN + "join-direct-media", JOIN + "join-two-calls", JOIN + "modify-join-sends-no-joined",
        JOIN + "remote-hangup-breaks-joins", JOIN + "unjoin-all", JOIN + "unjoin-not-joined", MIX + "hangup-leaves-mixer",
        JOIN + "join-bridges-audio", JOIN + "join-direction-send", MIX + "speakers-in-a-mixer",
        MSG + "normal-message-reaches-the-caller"],
       "200|is early"),
    _f("redirect-without-contact", "inbound", "redirect sends 302 without the target in Contact",
       [IN + "redirect-sends-302"], "Contact"),
    _f("reject-codes-swapped", "inbound", "reject busy sends 603 and reject decline sends 486",
       [], "got received", warns=[IN + "reject-busy", IN + "reject-decline"]),  # the XEP names no code (A15)
    _f("hangup-without-bye", "inbound", "hangup of an answered call sends no BYE",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup", HDR + "command-headers-reach-sip",
        JOIN + "hangup-breaks-joins"], "BYE"),
    _f("no-end-after-hangup", "end", "no <end/> after a hangup command",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup", JOIN + "hangup-breaks-joins"], "end"),
    _f("hangup-command-reported-as-hungup", "end", "a client hangup ends with <hungup/> instead of <hangup-command/>",
       [IN + "answer-then-client-hangup", OUT + "answered-then-client-hangup", JOIN + "hangup-breaks-joins"], "hangup-command"),
    _f("remote-hangup-reported-as-hangup", "end", "a caller's BYE ends with the seed's <hangup/> instead of <hungup/>",
       [IN + "caller-hangs-up", OUT + "far-end-hangs-up", JOIN + "remote-hangup-breaks-joins", MIX + "hangup-leaves-mixer"],
       "hungup",
       # cases that take any end reason only warn: the XEP's own example has <hangup/> (digest A1)
       warns=[ERR + "command-to-ended-call", IN + "caller-cancels", AV + "second-client-gets-conflict"]),
    _f("end-not-unavailable", "end", "the end presence is sent without type='unavailable'",
       [ERR + "command-to-ended-call", IN + "answer-then-client-hangup", IN + "caller-cancels", IN + "caller-hangs-up",
        OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up", OUT + "timeout",
        AV + "second-client-gets-conflict", JOIN + "hangup-breaks-joins", JOIN + "remote-hangup-breaks-joins",
        MIX + "hangup-leaves-mixer"],
       "unavailable", warns=[OUT + "busy", OUT + "rejected"]),  # their end is judged on the suite's code mapping (A15)
    _f("cancel-ignored", "inbound", "a caller's CANCEL is answered but the client is never sent <end/>",
       [IN + "caller-cancels"], "end"),
    _f("event-after-end", "end", "one more <answered/> comes from the call after its <end/>",
       [IN + "answer-then-client-hangup", IN + "caller-hangs-up", OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up"],
       "sent more"),
    _f("no-client-leaves-call-ringing", "inbound", "with no available client the INVITE gets 180 and no final response",
       [IN + "no-available-client", AV + "dnd-client-is-not-offered", AV + "unavailable-client-is-not-offered"], "receive"),
    _f("ref-id", "outbound", "the dial result carries the seed's <ref id=.../> instead of <ref uri=.../>",
       [OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up", OUT + "busy", OUT + "rejected", OUT + "timeout",
        DIAL + "dial-headers-in-order", DIAL + "dial-uri-conflict", DIAL + "dial-with-uri", DIAL + "nested-join"], "uri"),
    _f("dial-drops-headers", "outbound", "the INVITE carries none of the dial's headers",
       [OUT + "answered-then-client-hangup", DIAL + "dial-headers-in-order"], "X-Campaign|X-Leg"),
    _f("dial-ignores-from", "outbound", "the INVITE's From is the server's own, not the dial's from",
       [OUT + "answered-then-client-hangup"], "From"),
    _f("no-ringing", "outbound", "a 180 from the far end is not reported with <ringing/>",
       [OUT + "answered-then-client-hangup"], "ringing"),
    _f("no-answered", "outbound", "a 200 from the far end is not reported with <answered/>",
       [OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up", DIAL + "dial-with-uri"], "answered"),
    _f("busy-reported-as-rejected", "outbound", "a 486 from the far end ends with <rejected/> instead of <busy/>",
       [], "busy", warns=[OUT + "busy"]),  # the XEP maps no SIP code to an end reason (A15)
    _f("dial-timeout-ignored", "outbound", "the dial timeout never fires: the far end rings forever",
       [OUT + "timeout"], "CANCEL"),
    _f("messages-ignored", "errors", "a message to a call gets no answer, whatever its type (and goes nowhere)",
       [ERR + "chat-message-to-a-call"], "no response|nothing relevant arrived", warns=[MSG + "normal-message-reaches-the-caller"]),
    _f("message-error-type-cancel", "errors", "a chat message to a call gets feature-not-implemented of type cancel, not modify",
       [ERR + "chat-message-to-a-call"], "type cancel|'modify'"),
    _f("message-new-call-id", "messages", "a normal message to a call goes to the caller as a SIP MESSAGE under a new Call-ID, "
       "outside the call's dialog (draft-ietf-stox-im's thread mapping, which XEP-0327 excludes)",
       [], "none of caller's calls", warns=[MSG + "normal-message-reaches-the-caller"]),
    _f("message-body-dropped", "messages", "a normal message to a call reaches the caller as a SIP MESSAGE with an empty body",
       [], "body is ''", warns=[MSG + "normal-message-reaches-the-caller"]),
    _f("unknown-command-accepted", "errors", "a call command the server does not know gets an empty result",
       [ERR + "unknown-command"], "error"),
    _f("unknown-call-service-unavailable", "errors", "commands to unknown or ended calls get service-unavailable instead of item-not-found",
       [ERR + "command-to-unknown-call", ERR + "command-to-ended-call"], "item-not-found"),
    # availability and control (§6.1, §6.2.2)
    _f("offer-sent-to-dnd-client", "availability", "a client that said dnd is still offered calls",
       [AV + "dnd-client-is-not-offered"], "receive"),
    _f("unavailable-ignored", "availability", "unavailable presence does not remove a client from those offered calls",
       # clients of earlier cases leave unavailable presence behind: they are offered too
       [AV + "unavailable-client-is-not-offered", IN + "no-available-client"], "receive",
       warns=[AV + "offer-withdrawn-when-client-leaves"]),
    _f("offer-only-to-first-client", "availability", "an inbound call is offered to one available client only",
       [AV + "offer-goes-to-every-available-client", AV + "second-client-gets-conflict"], "offer"),
    _f("no-conflict-for-second-client", "control", "a command from a client other than the controlling one is obeyed",
       [AV + "second-client-gets-conflict"], "conflict"),
    _f("end-only-to-dcp", "end", "<end/> goes to the controlling client only, not to every client offered the call",
       [], "end", warns=[AV + "second-client-gets-conflict"]),  # A6: §6.6 names the controlling party only
    _f("abandoned-offer-kept", "availability", "a call whose offered clients all left stays offered, ringing",
       [], "receive", warns=[AV + "offer-withdrawn-when-client-leaves"]),
    # dial (§6.2.1)
    _f("dial-uri-ignored", "dial", "a dial's uri is ignored: the call gets a JID of the server's choosing",
       [DIAL + "dial-with-uri", DIAL + "dial-uri-conflict", DIAL + "dial-uri-invalid"], "uri|conflict|bad-request"),
    _f("dial-error-type-cancel", "dial", "a malformed dial gets bad-request with type cancel instead of modify",
       [DIAL + "dial-malformed-to", DIAL + "dial-uri-invalid"], "type 'cancel'"),
    _f("dial-reorders-headers", "dial", "the INVITE carries the dial's headers in reverse order",
       [DIAL + "dial-headers-in-order"], "not found in order"),
    _f("unregistered-client-may-dial", "dial", "a client the service does not know may dial (no registration-required)",
       [DIAL + "dial-registration-required"], "registration-required"),
    _f("dial-refused-as-forbidden", "dial", "a dial the client may not make gets forbidden instead of not-authorized",
       [DIAL + "dial-not-authorized"], "not-authorized"),
    _f("dial-resource-constraint-type-cancel", "dial", "a dial without resources gets resource-constraint with type cancel, not wait",
       [DIAL + "dial-resource-constraint"], "type 'cancel'"),
    _f("nested-join-ignored", "dial", "a join nested in a dial is never made",
       [DIAL + "nested-join"], "joined"),
    # joins and mixers (§6.3, §6.4)
    _f("joined-only-from-one-side", "joins", "only the call a join was sent to reports <joined/>",
       [JOIN + "join-two-calls", JOIN + "join-bridges-audio", JOIN + "join-direction-send", DIAL + "nested-join", JOIN + "hangup-breaks-joins", JOIN + "modify-join-sends-no-joined",
        JOIN + "remote-hangup-breaks-joins", JOIN + "unjoin-all"], "joined"),
    _f("joined-resent-on-modify", "joins", "changing a join announces <joined/> again",
       [JOIN + "modify-join-sends-no-joined"], "sent more"),
    _f("join-unknown-party-item-not-found", "joins", "a join to an unknown call gets item-not-found instead of service-unavailable",
       [JOIN + "join-unknown-call"], "service-unavailable"),
    _f("join-across-zones", "joins", "a call may be joined to a call of another security zone",
       [JOIN + "join-other-zone"], "not-allowed"),
    _f("malformed-join-service-unavailable", "joins", "a join or unjoin with a malformed call-uri gets service-unavailable, not bad-request",
       [JOIN + "join-malformed", JOIN + "unjoin-not-joined"], "bad-request"),
    _f("unjoin-all-breaks-one", "joins", "an unjoin naming nothing breaks only one of the call's joins",
       [JOIN + "unjoin-all"], "unjoined"),
    _f("unjoined-missing-on-hangup", "joins", "a joined call that ends breaks its joins silently, without <unjoined/>",
       [JOIN + "hangup-breaks-joins", JOIN + "remote-hangup-breaks-joins", MIX + "hangup-leaves-mixer"], "unjoined"),
    _f("end-before-unjoined", "joins", "a hangup sends the call's <end/> before its <unjoined/> events",
       # the unjoined seen before the wait, or the wait ended by the end that came first
       [JOIN + "hangup-breaks-joins"], "out of order|had already sent its last event: .*<end "),
    _f("mixer-without-caps", "mixers", "a new mixer's first presence carries no caps with node urn:xmpp:rayo:mixer:1",
       [MIX + "join-mixer"], "caps"),
    _f("mixer-not-destroyed", "mixers", "a mixer whose last call left stays, and never sends unavailable presence",
       [], "unavailable", warns=[MIX + "join-mixer", MIX + "hangup-leaves-mixer"]),  # R-6.4-n is a SHOULD
    _f("mixer-ignores-subscribe", "mixers", "a mixer never answers a subscription request, even from its own zone",
       [MIX + "subscribe-to-mixer"], "presence of type subscribed"),
    _f("mixer-refuses-subscribe", "mixers", "a mixer answers a subscription request from its own zone with unsubscribed",
       [MIX + "subscribe-to-mixer"], "presence type is unsubscribed"),
    _f("joined-calls-not-bridged", "joins", "joined calls are announced as joined, but no audio passes between them",
       [JOIN + "join-bridges-audio", JOIN + "join-direction-send"], "heard nothing"),
    _f("join-direction-ignored", "joins", "every join carries audio both ways, whatever its direction",
       [JOIN + "join-direction-send"], "sent sound"),
    _f("mixer-echoes-the-speaker", "mixers", "a mixer sends each participant's audio back to it too",
       [MIX + "speakers-in-a-mixer"], "sent sound"),
    _f("speaking-events-missing", "mixers", "a mixer that claims speaker detection never reports who speaks",
       [MIX + "speakers-in-a-mixer"], "started-speaking"),
    _f("stopped-speaking-missing", "mixers", "a mixer reports started-speaking but never stopped-speaking",
       [MIX + "speakers-in-a-mixer"], "stopped-speaking"),
    _f("mixer-names-global", "mixers", "a mixer name means one mixer for every security zone",
       [MIX + "mixer-names-per-zone"], "sent more"),
    _f("mixer-visible-across-zones", "mixers", "another security zone's mixer answers disco#info",
       [MIX + "mixer-names-per-zone"], "item-not-found"),
    # service discovery (§8), headers (§6.7), command errors
    _f("disco-without-rayo-feature", "service", "disco#info on the service lists no urn:xmpp:rayo:1",
       [SVC + "disco-on-the-service"], "feature"),
    _f("call-disco-not-implemented", "service", "disco#info on a call gets feature-not-implemented, as mod_rayo does",
       [], "feature-not-implemented", warns=[SVC + "disco-on-a-call"]),
    _f("command-headers-dropped", "headers", "headers of call commands do not reach the SIP messages",
       [HDR + "command-headers-reach-sip"], "X-Agent"),
    _f("reject-after-accept-allowed", "inbound", "an accepted call can still be rejected",
       [], "not-allowed", warns=[IN + "reject-after-accept"]),
    _f("redirect-after-answer-allowed", "inbound", "redirecting an answered call gets a result (and does nothing)",
       [], "unexpected-request", warns=[IN + "redirect-after-answer"]),
    _f("iq-result-sent-twice", "control", "accept is answered with two iq results",
       [IN + "accept-rings-the-caller", IN + "reject-after-accept"], "second response", by_steps=False),
    # A broken stream is graded by the step that was waiting: busy's and rejected's end reasons are a
    # suite decision (A15).
    _f("malformed-end", "end", "the end presence is not well-formed XML",
       [ERR + "command-to-ended-call", IN + "answer-then-client-hangup", IN + "caller-cancels", IN + "caller-hangs-up",
        OUT + "answered-then-client-hangup", OUT + "far-end-hangs-up", OUT + "timeout",
        AV + "second-client-gets-conflict", JOIN + "hangup-breaks-joins", JOIN + "remote-hangup-breaks-joins",
        MIX + "hangup-leaves-mixer"],
       "malformed XML", warns=[OUT + "busy", OUT + "rejected"]),
    # servers without an optional feature (started with --without): what they answer instead
    _f("no-outbound-dials-anyway", "dial", "a server that claims no outbound calls dials anyway",
       [DIAL + "no-outbound-calls"], "feature-not-implemented", without=["outbound-calls"]),
    _f("no-outbound-service-unavailable", "dial", "a server without outbound calls answers a dial with service-unavailable",
       [DIAL + "no-outbound-calls"], "feature-not-implemented", without=["outbound-calls"]),
    _f("unpassed-message-type-modify", "messages", "a server that passes no messages on refuses a normal one with type modify, not cancel",
       [], "cancel", warns=[MSG + "normal-message-not-passed-on"], without=["messages-to-sip"]),
    _f("second-join-ends-the-first", "joins", "a server with one join per call ends a call's join to make another",
       [JOIN + "one-join-per-call"], "conflict", without=["multiple-joins"]),
)

# components (§6.5): each judged on the cases that use its component (tests/selftest)

OUTP = "xep0327.output."
INP = "xep0327.input."
PRM = "xep0327.prompt."
_URL_OUTPUTS = [OUTP + name for name in (
    "audio-file-finishes", "uri-list-plays-each", "stop-silences", "max-time-cuts-short", "repeat-with-interval",
    "start-offset-skips", "start-paused-then-resume", "pause-keeps-place", "seek-moves-the-place", "speed-changes-length",
    "volume-changes-level", "hangup-completes", "early-media-before-answer", "command-errors", "joined-call-only")] + [
    "xep0327.input.alongside-an-output", "xep0327.record.direction-picks-the-side"] + [
    PRM + name for name in ("barge-in-stops-output", "barge-in-false-plays-on", "timers-start-after-output", "stop-silences",
                            "hangup-completes", "command-errors", "joined-call-only", "relays-input-events")] + [
    MIX + "output-to-every-member", MIX + "components-go-with-the-mixer"]
RECP = "xep0327.record."
_RECORDS = ("stop-has-recording", "final-timeout-after-silence", "initial-timeout-without-sound", "max-duration-cuts",
            "pause-resume-appends", "beeps-are-not-recorded", "direction-picks-the-side", "hangup-has-recording", "command-errors")
_NLSML = [INP + name for name in ("srgs-match", "joined-call-only", "terminator-ends-input", "inter-digit-timeout-decides",
                                  "max-silence-decides", "alongside-an-output", "early-media-before-answer",
                                  "builtin-digits-match")] + [
    PRM + "barge-in-stops-output", PRM + "barge-in-false-plays-on", PRM + "joined-call-only", MIX + "input-hears-every-member"]
_RTP_KEYS = [INP + name for name in ("srgs-match", "joined-call-only", "inter-digit-timeout-decides", "max-silence-decides",
                                     "wrong-keys-nomatch", "alongside-an-output", "early-media-before-answer",
                                     "builtin-digits-match")] + [
    PRM + "barge-in-stops-output", PRM + "barge-in-false-plays-on", PRM + "joined-call-only", PRM + "relays-input-events",
    MIX + "input-hears-every-member"]

CATALOGUE += (
    _f("url-document-errors", "output", "an output of a document by URL is acknowledged, then completes with error (as mod_rayo)",
       _URL_OUTPUTS, "heard nothing|error"),
    _f("speech-renders-silence", "output", "inline speech plays as silence, and the output still finishes",
       [OUTP + "speech-finishes", OUTP + "ssml-audio-finishes"], "heard nothing"),
    _f("unclaimed-url-document-errors", "output",
       "a server that takes documents inline only acknowledges one by URL, then completes with error (as mod_rayo)",
       [OUTP + "url-document-refused-before-ref"], "expected error", without=["output-document:url"]),
    _f("uri-list-plays-first-only", "output", "a text/uri-list plays only the first audio it lists",
       [OUTP + "uri-list-plays-each"], "heard nothing"),
    _f("output-plays-on-after-stop", "output", "a stopped output completes with stop but its audio plays on",
       [OUTP + "stop-silences"], "quiet window"),
    _f("max-time-reported-as-finish", "output", "an output cut by max-time completes with finish (as mod_rayo)",
       [OUTP + "max-time-cuts-short"], "max-time"),
    _f("repeat-interval-ignored", "output", "repeats follow each other with no silence between them",
       [OUTP + "repeat-with-interval"], "heard"),
    _f("start-offset-ignored", "output", "an output plays from its start whatever its start-offset",
       [OUTP + "start-offset-skips"], "heard"),
    _f("start-paused-ignored", "output", "an output asked to start paused plays at once",
       [OUTP + name for name in ("start-paused-then-resume", "command-errors", "seek-moves-the-place", "speed-changes-length",
                                 "volume-changes-level")] + [PRM + "command-errors"], "quiet window|unexpected-request"),
    _f("resume-restarts-output", "output", "a resume plays the output again from its start",
       [OUTP + "pause-keeps-place", OUTP + "seek-moves-the-place"], "heard"),
    _f("seek-ignored", "output", "a seek is acknowledged and the output plays on from where it was",
       [OUTP + "seek-moves-the-place"], "heard"),
    _f("speed-and-volume-ignored", "output", "speed and volume commands are acknowledged and change nothing",
       [OUTP + "speed-changes-length", OUTP + "volume-changes-level"], "heard"),
    _f("terminator-ignored", "input", "the terminator key is taken as one more key",
       [INP + "terminator-ends-input"], "nomatch"),
    _f("initial-timeout-ignored", "input", "an input given no key never times out",
       [INP + "initial-timeout-noinput", PRM + "timers-start-after-output"], "noinput"),
    _f("digit-timers-ignored", "input", "inter-digit-timeout and max-silence never fire",
       [INP + "inter-digit-timeout-decides", INP + "max-silence-decides"], "match"),
    _f("nomatch-reported-as-noinput", "input", "keys no grammar accepts complete the input with noinput",
       [INP + "wrong-keys-nomatch"], "nomatch"),
    _f("rfc4733-keys-ignored", "input", "inputs hear keys sent as SIP INFO only, not RFC 4733 events",
       _RTP_KEYS + ["xep0327.cpa.dtmf-signals"], "match|heard"),  # a prompt's output plays on: the key that would stop it goes unheard
    _f("nlsml-keys-dropped", "input", "the NLSML of a match holds an empty input",
       _NLSML, "input is"),
    _f("unclaimed-builtin-grammar-errors", "input",
       "a server without builtin grammars acknowledges an input with one, then completes it with error",
       [INP + "builtin-grammar-refused-before-ref"], "expected error", without=["builtin-grammars"]),
    _f("voice-input-accepted", "input", "an input in voice mode, which this server cannot recognise, is taken as a dtmf input",
       [INP + "voice-mode-not-implemented"], "expected error"),
    _f("input-accepts-any-command", "input", "an input acknowledges any command, which then does nothing",
       [INP + "takes-no-other-command", PRM + "command-errors"], "feature-not-implemented"),
    _f("prompt-barge-in-ignored", "prompt", "a key during a prompt's output (barge-in true) is collected but the output plays on",
       [PRM + "barge-in-stops-output"], "heard"),
    _f("prompt-barge-in-false-ignored", "prompt", "a prompt with barge-in false lets a key stop its output, as if barge-in were true",
       [PRM + "barge-in-false-plays-on"], "heard"),
    _f("prompt-collects-keys-during-output", "prompt", "a prompt without barge-in plays on but counts the keys pressed during its output",
       [PRM + "barge-in-false-plays-on"], "input is"),
    _f("prompt-timers-start-with-output", "prompt", "a prompt's input timers start with its output, not when it ends",
       # and, its input running from the start, it counts keys pressed during an output without barge-in
       [PRM + "timers-start-after-output", PRM + "barge-in-false-plays-on"], "heard|input is"),
    _f("prompt-no-input-timers-started", "prompt", "a prompt never reports input-timers-started",
       [PRM + name for name in ("barge-in-stops-output", "barge-in-false-plays-on", "timers-start-after-output",
                                "command-errors", "joined-call-only")], "input-timers-started"),
    _f("prompt-output-complete-relayed", "prompt", "a prompt sends its output's complete as well as its own",
       [PRM + name for name in ("barge-in-stops-output", "barge-in-false-plays-on", "timers-start-after-output", "command-errors")],
       "finish|stop"),
    _f("prompt-completes-with-output", "prompt", "a prompt completes when its output ends, with the output's reason; the input never runs",
       [PRM + name for name in ("barge-in-stops-output", "barge-in-false-plays-on", "timers-start-after-output",
                                "command-errors", "joined-call-only", "relays-input-events")],
       "input-timers-started|noinput|match|complete"),
    _f("prompt-output-commands-after-finish", "prompt", "output commands to a prompt whose output has ended get a result",
       [PRM + "command-errors"], "unexpected-request"),
    _f("prompt-stop-leaves-output-playing", "prompt", "a stopped prompt completes with stop but its output plays on",
       [PRM + "stop-silences"], "quiet window"),
    _f("prompt-output-heard-across-joins", "prompt", "a prompt on a joined call plays its output to the calls it is joined to as well",
       [PRM + "joined-call-only"], "sent sound"),
    _f("prompt-hears-joined-calls", "prompt", "a prompt's input also takes the keys of the calls its call is joined to",
       [PRM + "joined-call-only"], "sent more"),
    _f("prompt-part-events-dropped", "prompt", "a prompt passes on none of its input's events (as mod_rayo): a CPA signal is lost",
       [PRM + "relays-input-events"], "signal"),
    _f("prompt-part-events-from-part", "prompt", "a prompt's input sends its events from a JID of its own, not the prompt's",
       [PRM + "relays-input-events"], "signal"),
    _f("record-without-recording", "record", "a record's complete carries no recording",
       [RECP + name for name in _RECORDS], "recording"),
    _f("recording-duration-doubled", "record", "a recording's duration attribute is twice the file's length",
       [RECP + name for name in _RECORDS if name != "command-errors"], "duration says"),
    _f("recording-size-without-header", "record", "a recording's size counts the samples only, not the whole file",
       [RECP + name for name in _RECORDS if name != "command-errors"], "size says"),
    _f("record-hangup-as-final-timeout", "record", "a record on a call that ends completes with final-timeout (as mod_rayo)",
       [RECP + "hangup-has-recording"], "hangup"),
    _f("record-pause-ignored", "record", "a paused record goes on recording", [RECP + "pause-resume-appends"], "heard"),
    _f("record-resume-restarts", "record", "a resumed record starts a new file: what came before the pause is lost",
       [RECP + "pause-resume-appends"], "heard|lasts"),
    _f("beep-recorded", "record", "a record starts recording before its start-beep, which ends up in the file",
       [RECP + "beeps-are-not-recorded"], "heard"),
    _f("record-timeouts-ignored", "record", "initial-timeout and final-timeout never end a record",
       [RECP + "final-timeout-after-silence", RECP + "initial-timeout-without-sound"], "final-timeout|initial-timeout"),
    _f("max-duration-ignored", "record", "a record goes on past max-duration", [RECP + "max-duration-cuts"], "max-duration"),
    _f("record-direction-ignored", "record", "every record takes both directions, whatever its direction",
       [RECP + "direction-picks-the-side"], "heard"),
    _f("component-without-media-accepted", "output", "an output on an outbound call with no media yet is acknowledged, and plays to nobody",
       [OUTP + "outbound-call-without-media"], "unexpected-request"),
    _f("output-heard-across-joins", "output", "what an output plays on a joined call reaches the call it is joined to as well",
       [OUTP + "joined-call-only", PRM + "joined-call-only"], "sent sound"),
    _f("input-hears-joined-calls", "input", "an input also takes the keys of the calls its call is joined to",
       [INP + "joined-call-only", PRM + "joined-call-only"], "sent more"),
    _f("no-complete-after-stop", "components", "a stopped component acknowledges the stop but never completes",
       [OUTP + "stop-silences", INP + "stop-ends-input", INP + "takes-no-other-command",
        "xep0327.cpa.congestion-goes-on-until-stop", "xep0327.cpa.dtmf-signals"]
       + [RECP + name for name in ("stop-has-recording", "pause-resume-appends", "beeps-are-not-recorded",
                                   "direction-picks-the-side", "command-errors")]
       + [PRM + "stop-silences", PRM + "command-errors", PRM + "relays-input-events"], "complete|heard nothing"),
    _f("component-announces-itself", "components", "a new component sends an available presence of its own before any event",
       [INP + "joined-call-only", "xep0327.cpa.only-requested-signals"],
       "type is available|sent more|carrying <input-timers-started|before it came another event",
       # an informative event before the one a step awaits next is a warning: the XEP forbids none there
       warns=[OUTP + "audio-file-finishes", INP + "srgs-match", RECP + "stop-has-recording"]
       + [PRM + name for name in ("barge-in-false-plays-on", "barge-in-stops-output", "command-errors", "timers-start-after-output")]),
    _f("component-commands-from-anyone", "components", "a component obeys commands from clients other than its creator",
       [OUTP + "command-errors"], "conflict"),
    _f("finished-component-service-unavailable", "components", "commands to a completed component get service-unavailable",
       [OUTP + "command-errors", PRM + "command-errors"], "item-not-found"),
    _f("component-validated-after-ref", "components", "a wrong component command gets a ref, then completes with error",
       [OUTP + "creation-errors", INP + "creation-errors", RECP + "command-errors", "xep0327.cpa.creation-errors",
        PRM + "creation-errors", INP + "voice-mode-not-implemented"], "result"),
    _f("component-answers-call", "components", "a component on an unanswered call answers it (200) instead of using early media",
       [OUTP + "early-media-before-answer", INP + "early-media-before-answer"], "183"),
    _f("hangup-reported-as-stop", "components", "components of a call that ends complete with stop instead of hangup",
       [OUTP + "hangup-completes", INP + "hangup-completes", RECP + "hangup-has-recording", PRM + "hangup-completes",
        MIX + "components-go-with-the-mixer"], "hangup"),
    _f("one-component-per-call", "components", "a new component stops the one already running on the call",
       [INP + "alongside-an-output", RECP + "direction-picks-the-side"], "heard only|finish|item-not-found"),
    _f("mixer-component-under-call", "components", "a component started on a mixer gets a ref under its first member's call JID",
       [MIX + name for name in ("output-to-every-member", "input-hears-every-member", "components-go-with-the-mixer")],
       "attribute 'uri' is"),
    _f("mixer-output-to-first-member-only", "output", "an output on a mixer is played to the member that joined first only",
       [], "heard nothing", warns=[MIX + "output-to-every-member"]),  # §6.5.3.1 says "should"
    _f("mixer-input-hears-first-member-only", "input", "an input on a mixer takes the keys of the member that joined first only",
       [MIX + "input-hears-every-member"], "complete"),
    _f("mixer-components-outlive-mixer", "components", "a destroyed mixer's components never complete",
       [MIX + "components-go-with-the-mixer"], "hangup"),
)

CPA = "xep0327.cpa."

CATALOGUE += (
    _f("cpa-no-signal-events", "cpa", "a CPA input without terminate detects signals but never reports them",
       [CPA + "congestion-goes-on-until-stop", CPA + "ring-then-beep", CPA + "dtmf-signals", PRM + "relays-input-events"], "signal"),
    _f("cpa-terminate-ignored", "cpa", "a signal whose grammar says terminate=true is an event, and the input goes on",
       [CPA + "busy-terminates", CPA + "ring-then-beep", CPA + "dtmf-signals", CPA + "only-requested-signals"], "complete"),
    _f("cpa-busy-as-congestion", "cpa", "a busy tone is reported as congestion",
       [CPA + "busy-terminates"], "congestion"),
    _f("cpa-complete-without-signal", "cpa", "a terminating signal completes the input with stop, the signal left out",
       [CPA + "busy-terminates", CPA + "ring-then-beep", CPA + "dtmf-signals", CPA + "only-requested-signals"], "signal"),
    _f("cpa-dtmf-as-beep", "cpa", "a key the caller presses is reported as a beep",
       [CPA + "dtmf-signals", PRM + "relays-input-events"], "beep"),
    _f("cpa-duration-in-seconds", "cpa", "a signal's duration is given in seconds, not milliseconds",
       [CPA + "busy-terminates", CPA + "congestion-goes-on-until-stop", CPA + "ring-then-beep", CPA + "only-requested-signals"],
       "duration"),
    _f("cpa-unrequested-signals", "cpa", "a CPA input reports signals its grammars did not ask for",
       [CPA + "only-requested-signals"], "signal"),
    _f("cpa-unknown-parameter-ignored", "cpa", "a grammar parameter the server does not know is ignored, not refused (as mod_rayo)",
       [CPA + "creation-errors"], "result"),
)

# seed dialect (the server started with --dialect seed; its suite is scenarios/seed/)

SIN = "seed.inbound."
SOUT = "seed.outbound."
SCALL = "seed.calls."


def _seed(name: str, summary: str, caught_by: Iterable[str], evidence: str) -> Fault:
    return Fault(name, summary, "seed", tuple(caught_by), evidence, dialect="seed")


def _also_seed(name: str, caught_by: Iterable[str], warns: Iterable[str] = ()) -> Fault:
    """A deviation of the shared core, as the seed suite shows it."""
    shared = next(f for f in CATALOGUE if f.name == name)
    return Fault(name, shared.summary, shared.area, tuple(caught_by), shared.evidence, tuple(warns), dialect="seed")


# Every seed case that answers an inbound call.
_SEED_ANSWERED = [SIN + "answer-then-client-hangup", SIN + "caller-hangs-up", SCALL + "hold-and-unhold",
                  SCALL + "mute-silences-the-caller", SCALL + "dtmf-event"]
# Every seed case that commands the call whose JID (with the page's resource /1) it was offered or reported.
_SEED_COMMANDED = [SIN + "accept-rings-the-caller", SIN + "caller-cancels", SIN + "redirect-sends-302", SIN + "reject-decline",
                   SIN + "reject-busy", SIN + "reject-error", SIN + "reject-without-reason", *_SEED_ANSWERED,
                   SOUT + "dial-answered-then-client-hangup"]
_SEED_DIALS = [SOUT + "dial-answered-then-client-hangup", SOUT + "busy", SOUT + "rejected", SOUT + "no-answer",
               SOUT + "far-end-hangs-up", SOUT + "progress-carries-the-far-ends-headers"]

CATALOGUE += (
    _also_seed("offer-drops-headers", [SIN + "offer-carries-the-call"]),
    _also_seed("accept-sends-nothing", [SIN + "accept-rings-the-caller", SIN + "caller-cancels"]),
    _also_seed("answer-sends-180", _SEED_ANSWERED),
    _also_seed("redirect-without-contact", [SIN + "redirect-sends-302"]),
    # the page gives the codes after "e.g." (A-seed.1)
    _also_seed("reject-codes-swapped", [], warns=[SIN + "reject-decline", SIN + "reject-busy", SIN + "reject-without-reason"]),
    _also_seed("hangup-without-bye", [SIN + "answer-then-client-hangup", SOUT + "dial-answered-then-client-hangup"]),
    _also_seed("no-end-after-hangup", [SIN + "answer-then-client-hangup", SOUT + "dial-answered-then-client-hangup"]),
    _also_seed("cancel-ignored", [SIN + "caller-cancels"]),
    _also_seed("event-after-end", [SIN + "caller-cancels", SIN + "answer-then-client-hangup", SIN + "caller-hangs-up",
                                   SOUT + "dial-answered-then-client-hangup", SOUT + "far-end-hangs-up"]),
    _also_seed("no-ringing", [SOUT + "dial-answered-then-client-hangup", SOUT + "progress-carries-the-far-ends-headers"]),
    _also_seed("no-answered", [SOUT + "dial-answered-then-client-hangup", SOUT + "far-end-hangs-up",
                               SOUT + "progress-carries-the-far-ends-headers"]),
    _also_seed("busy-reported-as-rejected", [SOUT + "busy"]),
    _seed("call-resource-refused", "commands to a call's JID with the page's resource (<id>@<domain>/1) get item-not-found",
          _SEED_COMMANDED, "item-not-found"),
    _seed("ref-uri", "the dial result carries XEP-0327's <ref uri=.../> instead of the seed's <ref id=.../>",
          _SEED_DIALS, "ref"),
    _seed("xep-remote-end-reasons", "a far end's hangup or refusal ends with XEP-0327's <hungup/> or <rejected/>, "
          "not the seed's <hangup/> or <reject/>",
          [SIN + "caller-cancels", SIN + "caller-hangs-up", SOUT + "far-end-hangs-up", SOUT + "rejected"], "hangup|reject"),
    _seed("no-answer-reported-as-error", "a far end's 408 or 480 ends the dial with <error/> instead of <timeout/>",
          [SOUT + "no-answer"], "timeout"),
    _seed("reject-needs-reason", "a reject naming no reason gets bad-request instead of declining the call",
          [SIN + "reject-without-reason"], "bad-request"),
    _seed("progress-headers-dropped", "ringing and answered carry none of the far end's headers",
          [SOUT + "progress-carries-the-far-ends-headers"], "<header xmlns='urn:xmpp:rayo:1'> missing"),
    _seed("hold-not-signalled", "hold gets a result, but the far end gets no re-INVITE", [SCALL + "hold-and-unhold"], "INVITE"),
    _seed("unhold-not-signalled", "unhold gets a result, but the far end gets no re-INVITE", [SCALL + "hold-and-unhold"], "INVITE"),
    _seed("mute-ignored", "mute gets a result, but the muted caller's keys are still reported",
          [SCALL + "mute-silences-the-caller"], "sent more"),
    _seed("unmute-ignored", "unmute gets a result, but the caller's keys stay unreported",
          [SCALL + "mute-silences-the-caller"], "dtmf"),
    _seed("no-dtmf-event", "keys the caller presses are never reported as <dtmf/>",
          [SCALL + "dtmf-event", SCALL + "mute-silences-the-caller"], "dtmf"),
    _seed("dtmf-signal-as-event-code", "a <dtmf/> event's signal is the RFC 4733 event number (11 for #), not the key",
          [SCALL + "dtmf-event"], "11|DTMF digit"),
)

# the seed's say component (area say: judged on the cases that send <say>)

SSAY = "seed.say."
_SAYS = [SSAY + name for name in ("audio-plays-and-succeeds", "speech-in-order", "stop-silences", "pause-and-resume",
                                  "hangup-completes", "command-errors", "two-at-once")]
_SAY_SUCCEEDS = [SSAY + name for name in ("audio-plays-and-succeeds", "speech-in-order", "pause-and-resume",
                                          "command-errors", "two-at-once")]


def _say(name: str, summary: str, caught_by: Iterable[str], evidence: str, dialect: str = "seed") -> Fault:
    return Fault(name, summary, "say", tuple(caught_by), evidence, dialect=dialect)


CATALOGUE += (
    _say("say-ref-uri", "a say is acknowledged with XEP-0327's <ref uri=.../> instead of the seed's <ref id=.../>",
         _SAYS, "ref"),
    _say("say-completes-as-output", "a say that plays to its end completes with XEP-0327 output's <finish/>, "
         "not the seed's <success xmlns='urn:xmpp:tropo:say:complete:1'/>", _SAY_SUCCEEDS, "success"),
    _say("say-no-complete-on-success", "a say that plays to its end goes quiet and never completes",
         _SAY_SUCCEEDS, "success"),
    _say("say-plays-on-after-stop", "a stopped say completes with stop but its audio plays on",
         [SSAY + "stop-silences"], "quiet window"),
    _say("say-pause-ignored", "pause and resume get a result and change nothing: a paused say plays on",
         [SSAY + "command-errors"], "unexpected-request"),  # pause-and-resume only notes: the page's pause is an example
    _say("say-stop-in-ext-only", "a say takes XEP-0327's stop (urn:xmpp:rayo:ext:1), not the seed's core stop",
         [SSAY + "stop-silences", SSAY + "two-at-once"], "feature-not-implemented"),
    _also_seed("no-complete-after-stop", [SSAY + "stop-silences", SSAY + "two-at-once"]),
    _say("say-silent-on-hangup", "a say on a call that ends never completes", [SSAY + "hangup-completes"], "complete"),
    _also_seed("finished-component-service-unavailable", [SSAY + "command-errors"]),
    _say("say-in-xep0327", "the XEP-0327 dialect takes the seed's <say/> as a component",
         ["xep0327.errors.seed-say-not-a-component"], "feature-not-implemented", dialect="xep0327"),
)

BY_NAME = {fault.name: fault for fault in reversed(CATALOGUE)}  # a deviation of both dialects: its first entry


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
