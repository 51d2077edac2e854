"""The SIP messages the generated scenarios send, as SIPp templates.

Keywords in brackets are filled by SIPp when it sends: [call_id], [cseq],
[local_ip], [$variable], [last_Via:] (a header of the last message received)
and so on. Per-call values the harness chooses (Request-URI, From, extra
headers, RTP port, SDP version, DTMF digit) reach SIPp in the 3PCC command
and are stored in variables by the scenario (see scenario.py).

Branches are built by hand rather than with SIPp's [branch], which is derived
from the element's index: an element that runs twice in one call (a second
INFO from the command loop) would send the same branch twice. Ours carry the
CSeq, which grows with every new request, and the ACK of a non-2xx final and
the CANCEL reuse the branch of the INVITE they belong to (RFC 3261 9.1, 17.1.1.3).
"""

from __future__ import annotations

VIA = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-{tag}"
CONTACT = "Contact: <sip:[local_ip]:[local_port]>"
AGENT = "User-Agent: rayo-conformance (SIPp)"
ALLOW = "Allow: INVITE, ACK, CANCEL, BYE, INFO, OPTIONS, MESSAGE"


def sdp(direction: str = "[$dir]") -> str:
    """An audio offer or answer: PCMU, PCMA and telephone-event on the harness's RTP port.

    The session version comes from the harness ([$sdpv]), which raises it
    for every new offer of the call (RFC 3264 8).
    """
    return "\n".join(
        [
            "v=0",
            "o=rayo-conformance [call_number] [$sdpv] IN IP4 [local_ip]",
            "s=rayo-conformance",
            "c=IN IP4 [local_ip]",
            "t=0 0",
            "m=audio [$rtp] RTP/AVP 0 8 101",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16",
            "a=ptime:20",
            f"a={direction}",
        ]
    )


def _with_body(headers: list[str], content_type: str | None, body: str | None) -> str:
    if body is None:
        return "\n".join(headers + ["Content-Length: 0"])
    return "\n".join(headers + [f"Content-Type: {content_type}", "Content-Length: [len]", "", body])


# --- the caller (UAC) ---------------------------------------------------------------

# The caller's own dialog identity: From is the harness's From-URI with a tag
# unique in this SIPp process; the To URI is the Request-URI of the dial.
CALLER_FROM = "From: <[$from_uri]>;tag=[pid]-[call_number]"
CALLER_TO = "To: <[$ruri]>"


def caller_invite() -> str:
    # [$xh] holds the harness's extra headers, each preceded by CRLF, so an
    # empty value leaves the User-Agent line whole.
    headers = [
        "INVITE [$ruri] SIP/2.0",
        VIA.format(tag="invite-[cseq]"),
        CALLER_FROM,
        CALLER_TO,
        "Call-ID: [call_id]",
        "CSeq: [cseq] INVITE",
        CONTACT,
        "Max-Forwards: 70",
        AGENT + "[$xh]",
    ]
    return _with_body(headers, "application/sdp", sdp())


def caller_cancel() -> str:
    """CANCEL: the INVITE's Request-URI, branch, From, To and CSeq number."""
    return _with_body(
        [
            "CANCEL [$ruri] SIP/2.0",
            VIA.format(tag="invite-[$invcseq]"),
            CALLER_FROM,
            CALLER_TO,
            "Call-ID: [call_id]",
            "CSeq: [$invcseq] CANCEL",
            "Max-Forwards: 70",
        ],
        None,
        None,
    )


def caller_ack_failure() -> str:
    """The ACK of a non-2xx final: part of the INVITE transaction (same branch)."""
    return _with_body(
        [
            "ACK [$ruri] SIP/2.0",
            VIA.format(tag="invite-[$invcseq]"),
            CALLER_FROM,
            CALLER_TO + "[peer_tag_param]",
            "Call-ID: [call_id]",
            "CSeq: [$invcseq] ACK",
            "Max-Forwards: 70",
        ],
        None,
        None,
    )


def in_dialog(method: str, role: str, cseq: str = "[cseq]", tag: str | None = None,
              content_type: str | None = None, body: str | None = None) -> str:
    """A request inside the dialog, sent by `role` ("caller" or "callee").

    It goes to the remote target and route set SIPp learnt with rrs="true"
    ([next_url], [routes]; the Route line vanishes when there is none).
    """
    if role == "caller":
        ends = [CALLER_FROM, CALLER_TO + "[peer_tag_param]"]
    else:
        ends = [CALLEE_FROM, CALLEE_TO]
    headers = [
        f"{method} [next_url] SIP/2.0",
        VIA.format(tag=tag or f"{method.lower()}-{cseq}"),
        "[routes]",
        *ends,
        "Call-ID: [call_id]",
        f"CSeq: {cseq} {method}",
        CONTACT,
        "Max-Forwards: 70",
        AGENT,
    ]
    return _with_body(headers, content_type, body)


def ack_2xx(role: str, cseq: str) -> str:
    """The ACK of a 2xx: a transaction of its own, in the dialog."""
    return in_dialog("ACK", role, cseq=cseq, tag=f"ack-{cseq}")


def dtmf_info(role: str) -> str:
    body = "Signal=[$digit]\nDuration=160"
    return in_dialog("INFO", role, content_type="application/dtmf-relay", body=body)


def reinvite(role: str) -> str:
    return in_dialog("INVITE", role, tag="reinvite-[cseq]", content_type="application/sdp", body=sdp())


def ack_reinvite_failure(role: str) -> str:
    return in_dialog("ACK", role, cseq="[$txcseq]", tag="reinvite-[$txcseq]")


# --- the callee (UAS) ----------------------------------------------------------------

# What the callee keeps of the INVITE (scenario.py captures them when it
# arrives): the From and To values, and the header lines every response to
# the INVITE repeats, with our To tag. Responses are built from these, not
# from [last_*], because a CANCEL or INFO may have arrived since.
CALLEE_FROM = "From: [$inv_to];tag=[pid]-[call_number]"
CALLEE_TO = "To: [$inv_from]"
INVITE_HEADERS = r"\n".join(
    [
        "[last_Via:]",
        "From: [$inv_from]",
        "To: [$inv_to];tag=[pid]-[call_number]",
        "Call-ID: [call_id]",
        "[last_CSeq:]",
    ]
)  # for an assignstr: SIPp reads \n in an attribute as a line break


def invite_response(status: str, *, body: str | None = None) -> str:
    """A provisional or 2xx response to the INVITE that created the call.

    Record-Route is copied into the responses that make the dialog, as a UAS
    must (RFC 3261 12.1.1); the line disappears when the INVITE had none.
    [$xh] adds the extra headers of the command that sends it (see caller_invite).
    """
    headers = [f"SIP/2.0 {status}", "[$inv_headers]", "[$inv_rr]", CONTACT, ALLOW + "[$xh]"]
    return _with_body(headers, "application/sdp" if body else None, body)


def reject(code: int, phrase: str) -> str:
    """A final refusal. SIPp reads the status code of a response when it loads the
    scenario, so each code has an element of its own."""
    return _with_body([f"SIP/2.0 {code} {phrase}", "[$inv_headers]", CONTACT], None, None)


def reply_last(status: str, *, to_tag: bool = False, body: str | None = None, allow: bool = False,
               contact: bool = True) -> str:
    """A response to the request just received (BYE, INFO, OPTIONS, CANCEL, a re-INVITE, and
    the 100 Trying to the INVITE). `to_tag` adds ours where the request had none."""
    headers = [
        f"SIP/2.0 {status}",
        "[last_Via:]",
        "[last_From:]",
        "[last_To:]" + (";tag=[pid]-[call_number]" if to_tag else ""),
        "[last_Call-ID:]",
        "[last_CSeq:]",
    ]
    if contact:
        headers.append(CONTACT)
    if allow:
        headers += [ALLOW, "Accept: application/sdp"]
    return _with_body(headers, "application/sdp" if body else None, body)
