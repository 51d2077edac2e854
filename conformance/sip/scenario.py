"""The generated caller (UAC) and callee (UAS) scenarios, and their command vocabulary.

How a call is laid out, and why (each point answers a way SIPp lost calls in the lab):

* Receptions. SIPp matches an incoming message by scanning forward from
  the call's position over optional <recv>s only; a <sendCmd>, <nop> or
  <send> in the way makes the message "unexpected" and SIPp aborts the
  call. A call spends a moment on such elements after every step, and a
  server answers on loopback within that moment (a 100 Trying right after
  the INVITE did). So every reception is optional="global": SIPp also
  searches backwards for those, from any position. They sit in one section
  near the top, before every element a call can be on, each jumping to a
  handler ("next").

* States. A state the harness can act in is a report followed directly by
  the <recvCmd> that takes the command (notes/sipp.md 3.3):

      <label id="S"/>
      <sendCmd> Event: [$evt]  State: S  Done: [$done]  Result: [$result] </sendCmd>
      <recvCmd> ... </recvCmd>
      <nop test="S_x" next="do_x"/> ...        accepted commands
      <nop next="S"/>                          any other: refused

  The numeric variable "home" holds the index of the current state's
  report. Every transition sets it in the same element that jumps, and a
  handler that leaves the state unchanged ends with a jump to home ("stay"),
  which also reports the new message.

* Commands. The harness numbers them (Seq) and names the element where the
  command starts (Resume-At). On arrival home becomes that element, so a
  message that comes in before the command's first request is sent resumes
  the command instead of dropping it. A report's "Done: n" says command n
  has finished, with "Result: ok" or "refused"; a later report keeps it, so
  it cannot be overwritten by the reports of messages that follow.

* UDP retransmissions are off (-nr): SIPp stops a retransmission only for a
  response matched after the request in file order, which global receptions
  placed first never are. Loopback does not lose packets.

Events (Event: line, for the transcript): the last thing the call did,
such as "invite", "done ring", "ended remote-bye", "ended cancelled". SIPp
also sends "internal-cmd: abort_call" when it aborts a call on a message its
scenario does not expect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import messages as m
from .status import FAILURE, PROVISIONAL, REASONS, SUCCESS
from .xml import Scenario, assign, ereg, index, is_equal, jump, number_is, play_pcap, set_number, to_number

# The commands each state takes, per role. The scenario dispatches on them
# and the driver refuses others before they reach SIPp.
CALLER_STATES: dict[str, tuple[str, ...]] = {
    "early": ("cancel",),
    "confirmed": ("bye", "info", "pcap", "hold", "unhold"),
}
CALLEE_STATES: dict[str, tuple[str, ...]] = {
    "offered": ("ring", "progress", "answer", "reject"),
    "confirmed": ("bye", "info", "pcap", "hold", "unhold"),
}

# SIPp's own recordings of one RFC 4733 key press each (notes/sipp.md 5), by key.
PCAP_DIR = Path("/usr/share/sip-tester")
_PCAP_NAMES = {**{digit: digit for digit in "0123456789"}, "*": "star", "#": "pound"}


def pcap_digits() -> dict[str, str]:
    """The keys SIPp can play from a pcap here, and the name of each one's branch."""
    return {digit: name for digit, name in _PCAP_NAMES.items() if (PCAP_DIR / f"dtmf_2833_{name}.pcap").exists()}

# Command fields and the variable each lands in. An <ereg> that does not
# match keeps the old value, so the driver sends every field with every command.
_FIELD = r"{name}: *([^\r\n]*)"
COMMAND_FIELDS = {"Seq": "seq", "Action": "act", "Resume-At": "resume", "Digit": "digit", "RTP-Port": "rtp", "SDP-Version": "sdpv"}
DIAL_FIELDS = {"Seq": "seq", "Request-URI": "ruri", "From-URI": "from_uri", "RTP-Port": "rtp", "SDP-Version": "sdpv"}
# The extra SIP headers a command carries last (twin.encode), into [$xh]: emptied
# first, since a command without them must not repeat the previous one's.
EXTRA_HEADERS = (assign("xh", ""), ereg(r"Headers:(.*)$", "dummy,xh"))
_DIRECTIONS = ("recvonly", "sendonly", "inactive")


@dataclass(frozen=True)
class Generated:
    xml: str
    resume: dict[str, int] = field(default_factory=dict)  # action -> index of the element that starts it
    reject_at: dict[int, int] = field(default_factory=dict)  # reject code -> index of its response


def _parse(fields: dict[str, str]) -> tuple[str, ...]:
    return tuple(ereg(_FIELD.format(name=name), f"dummy,{var}") for name, var in fields.items())


def _home(state: str) -> str:
    return set_number("home", index(state))


def _done(result: str = "ok") -> tuple[str, ...]:
    return (assign("done", "[$seq]"), assign("result", result))


def _goto(x: Scenario, state: str, evt: str | None = None, done: bool = False) -> None:
    """Enter a state: set home and report. (Actions run whether or not a nop's
    test holds, so a conditional jump never carries actions: it jumps to one of these.)"""
    actions = (assign("evt", evt),) if evt else ()
    x.nop(next=state, actions=actions + (_done() if done else ()) + (_home(state),))


def _state(x: Scenario, state: str, commands: dict[str, str] | None = None) -> None:
    commands = commands or {}
    x.jump_target(state)
    x.send_cmd("Call-ID: [call_id]", "Event: [$evt]", f"State: {state}", "Done: [$done]", "Result: [$result]")
    flags = tuple(is_equal(f"{state}_{action}", "act", action) for action in commands)
    x.recv_cmd(_parse(COMMAND_FIELDS) + EXTRA_HEADERS + (to_number("home", "resume"),) + flags)
    for action, target in commands.items():
        x.nop(next=target, test=f"{state}_{action}")
    x.nop(next=state, actions=_done("refused") + (_home(state),))


def _responses(txn: str | None, provisional: str, success: str, failure: str, rrs: bool = False) -> Iterator[dict]:
    """The global receptions of one transaction's responses (response_txn matches its branch)."""
    for codes, target in ((PROVISIONAL, provisional), (SUCCESS, success), (FAILURE, failure)):
        for code in codes:
            yield dict(response=code, txn=txn, next=target, rrs=rrs and target == success)


def _receptions(x: Scenario, role: str, recvs: list[dict]) -> None:
    """The global receptions, after elements that are never run but shape how
    SIPp reads them (it fixes these tables while it parses the file):

    * a transaction is an INVITE one or not where its name first appears; the
      re-INVITE is sent further down, so a copy names it first;
    * a response without response_txn matches when its CSeq method is one of
      the requests sent above it without start_txn: the CANCEL, whose branch
      is the INVITE's, so response_txn could not tell their responses apart.
    """
    x.send(m.reinvite(role), start_txn="reinvite", next="stay")
    if role == "caller":
        x.send(m.caller_cancel(), next="stay")
    for recv in recvs:
        x.recv(optional="global", **recv)
    # An optional run must end with a mandatory reception before any other
    # element; nothing jumps here and no request has this method.
    x.recv(request="RAYO-CONFORMANCE-NEVER")
    x.label("stay")
    x.nop(actions=(jump("home"),))


_OFFER_DIRECTION = (
    assign("odir", "sendrecv"),
    ereg(r"a=(sendonly|recvonly|inactive)", "dummy,odir", search_in="body"),
    is_equal("o_sendonly", "odir", "sendonly"),
    is_equal("o_recvonly", "odir", "recvonly"),
    is_equal("o_inactive", "odir", "inactive"),
)

# In both roles: what the server may send inside the dialog, and the
# responses to the requests the party sends there.
_IN_DIALOG = [
    dict(request="BYE", next="bye_rx"),
    dict(request="INFO", next="info_rx"),
    dict(request="MESSAGE", next="message_rx"),
    dict(request="INVITE", next="reinvite_rx", actions=_OFFER_DIRECTION),
    dict(request="OPTIONS", next="options_rx"),
    dict(request="ACK", next="ack_rx"),
    *_responses("bye", "stay", "bye_done", "bye_done"),
    *_responses("info", "stay", "info_done", "info_done"),
    *_responses("reinvite", "stay", "reinvite_ok", "reinvite_failed"),
]


def _confirmed(x: Scenario, role: str) -> None:
    _state(x, "confirmed", {"bye": "do_bye", "info": "do_info", "pcap": "do_pcap", "hold": "do_hold", "unhold": "do_unhold"})
    x.label("info_rx")
    x.send(m.reply_last("200 OK"), next="stay")
    # A MESSAGE (RFC 3428), e.g. a Rayo client's message passed on (XEP-0327 6.8.1). SIPp
    # matched it to this call by its Call-ID, so it is in the call's dialog.
    x.label("message_rx")
    x.send(m.reply_last("200 OK"), next="stay")
    x.label("options_rx")
    x.send(m.reply_last("200 OK", allow=True), next="stay")
    # A re-INVITE: answer with the matching direction (RFC 3264 6.1); its ACK comes to ack_rx.
    x.label("reinvite_rx")
    x.nop(next="answer_recvonly", test="o_sendonly")
    x.nop(next="answer_sendonly", test="o_recvonly")
    x.nop(next="answer_inactive", test="o_inactive")
    x.nop(next="answer_reinvite", actions=(assign("adir", "sendrecv"),))
    for direction in _DIRECTIONS:
        x.label(f"answer_{direction}")
        x.nop(next="answer_reinvite", actions=(assign("adir", direction),))
    x.label("answer_reinvite")
    x.send(m.reply_last("200 OK", body=m.sdp(direction="[$adir]"), allow=True), next="stay")

    x.jump_target("do_bye")
    x.send(m.in_dialog("BYE", role), start_txn="bye", next="closing", actions=(_home("closing"),))
    _state(x, "closing")
    x.label("bye_done")
    _goto(x, "end", "done bye", done=True)

    x.jump_target("do_info")
    x.send(m.dtmf_info(role), start_txn="info", next="informing", actions=(_home("informing"),))
    _state(x, "informing")
    x.label("info_done")
    _goto(x, "confirmed", "done info", done=True)

    _pcap(x)

    x.jump_target("do_hold")
    x.nop(next="do_reinvite", actions=(assign("dir", "sendonly"),))
    x.jump_target("do_unhold")
    x.nop(next="do_reinvite", actions=(assign("dir", "sendrecv"),))
    x.label("do_reinvite")
    x.send(m.reinvite(role), start_txn="reinvite", next="reinviting",
           actions=(assign("txcseq", "[cseq]"), _home("reinviting")))
    _state(x, "reinviting")
    x.label("reinvite_ok")
    x.send(m.ack_2xx(role, "[$txcseq]"), ack_txn="reinvite", next="confirmed",
           actions=(assign("evt", "done [$act]"),) + _done() + (_home("confirmed"),))
    x.label("reinvite_failed")
    x.send(m.ack_reinvite_failure(role), ack_txn="reinvite", next="confirmed",
           actions=(assign("evt", "done [$act]"),) + _done() + (_home("confirmed"),))


def _pcap(x: Scenario) -> None:
    """Play the pcap of the key in Digit. SIPp loads a pcap when it reads the
    file, so each key has a branch; the play runs on while the call waits
    for the next command. A key without a pcap is refused."""
    digits = pcap_digits()
    x.jump_target("do_pcap")
    x.nop(actions=tuple(is_equal(f"pcap_{name}", "digit", digit) for digit, name in digits.items()))
    for name in digits.values():
        x.nop(next=f"play_{name}", test=f"pcap_{name}")
    x.nop(next="confirmed", actions=_done("refused") + (_home("confirmed"),))
    for name in digits.values():
        x.label(f"play_{name}")
        x.nop(next="confirmed", actions=(
            play_pcap(str(PCAP_DIR / f"dtmf_2833_{name}.pcap")), assign("evt", "done pcap")) + _done() + (_home("confirmed"),))


def _end(x: Scenario) -> None:
    x.jump_target("end")
    x.send_cmd("Call-ID: [call_id]", "Event: [$evt]", "State: ended", "Done: [$done]", "Result: [$result]")


def _resume(x: Scenario, actions: dict[str, str]) -> dict[str, int]:
    return {action: x.labels[label] for action, label in actions.items()}


_RESUME = {"bye": "do_bye", "info": "do_info", "pcap": "do_pcap", "hold": "do_hold", "unhold": "do_unhold"}


# --- the caller ---------------------------------------------------------------------------


def caller_scenario() -> Generated:
    """3PCC controller B: every command with a new Call-ID creates a call, starting with "dial"."""
    x = Scenario("rayo-conformance caller")
    x.recv_cmd(_parse(DIAL_FIELDS) + EXTRA_HEADERS + (assign("dir", "sendrecv"),))
    x.send(m.caller_invite(), start_txn="invite", next="early",
           actions=(assign("invcseq", "[cseq]"), assign("evt", "invite")) + _done() + (_home("early"),))
    _receptions(x, "caller", [
        *_responses("invite", "stay", "inv_2xx", "inv_failed", rrs=True),
        *_IN_DIALOG,
        *_responses(None, "stay", "stay", "stay"),  # the CANCEL's, after the INVITE's: SIPp tries the nearest first
    ])

    # The INVITE's 2xx: ACK it; a retransmission of it (the call is answered already) too.
    x.label("inv_2xx")
    x.nop(actions=(is_equal("late", "answered", "yes"),))
    x.nop(next="reack", test="late")
    x.send(m.ack_2xx("caller", "[$invcseq]"), ack_txn="invite", next="confirmed",
           actions=(assign("answered", "yes"), assign("evt", "answered"), _home("confirmed")))
    x.label("reack")
    x.send(m.ack_2xx("caller", "[$invcseq]"), ack_txn="invite", next="stay")
    # Its failure: ACK it (same transaction). After a CANCEL, the cancel is done.
    x.label("inv_failed")
    x.nop(actions=(number_is("cancelled", "home", index("cancelling")),))
    x.nop(next="cancel_done", test="cancelled")
    x.nop(next="ack_failure", actions=(assign("evt", "ended rejected"),))
    x.label("cancel_done")
    x.nop(actions=(assign("evt", "done cancel"),) + _done())
    x.label("ack_failure")
    x.send(m.caller_ack_failure(), ack_txn="invite", next="end", actions=(_home("end"),))
    x.label("ack_rx")  # an ACK from the server: it acknowledges our answer to its re-INVITE
    x.nop(next="stay")
    x.label("bye_rx")
    x.send(m.reply_last("200 OK"), next="end", actions=(assign("evt", "ended remote-bye"), _home("end")))

    _state(x, "early", {"cancel": "do_cancel"})
    x.jump_target("do_cancel")
    x.send(m.caller_cancel(), next="cancelling", actions=(_home("cancelling"),))
    _state(x, "cancelling")
    _confirmed(x, "caller")
    _end(x)
    return Generated(x.text(), _resume(x, {"cancel": "do_cancel", **_RESUME}))


# --- the callee ---------------------------------------------------------------------------


def callee_scenario() -> Generated:
    """3PCC "A passive": the server's INVITE creates the call; the first report is its offer."""
    x = Scenario("rayo-conformance callee")
    # An out-of-dialog OPTIONS (a keep-alive) gets its 200 and ends quietly.
    x.recv(request="OPTIONS", optional="true", next="ping")
    x.recv(request="INVITE", rrs=True, actions=(
        ereg(r"\n([Ff][Rr][Oo][Mm]|[Ff]) *: *([^\r\n]*)", "dummy,dummy,inv_from"),
        ereg(r"\n([Tt][Oo]|[Tt]) *: *([^\r\n]*)", "dummy,dummy,inv_to"),
    ))
    # 100 Trying at once, so the server does not repeat its INVITE. Its
    # actions keep what every later response to the INVITE repeats: [last_*]
    # names the INVITE only until another message arrives.
    x.send(m.reply_last("100 Trying", contact=False), next="offered", actions=(
        assign("inv_headers", m.INVITE_HEADERS),
        assign("inv_rr", "[last_Record-Route:]"),
        assign("dir", "sendrecv"),
        assign("evt", "offer"),
        _home("offered"),
    ))
    _receptions(x, "callee", [
        dict(request="CANCEL", next="cancel_rx"),
        *_IN_DIALOG,
    ])

    # The server gives up before the answer (CANCEL, or a BYE): 200 to its
    # request, 487 to the INVITE, then its ACK. After the answer: just 200.
    x.label("cancel_rx")
    x.nop(actions=(is_equal("late", "answered", "yes"),))
    x.send(m.reply_last("200 OK", to_tag=True))
    x.nop(next="stay", test="late")
    x.nop(next="terminate", actions=(assign("evt", "ended cancelled"),))
    x.label("bye_rx")
    x.nop(actions=(is_equal("late", "answered", "yes"),))
    x.send(m.reply_last("200 OK"), actions=(assign("evt", "ended remote-bye"),))
    x.nop(next="bye_end", test="late")
    x.nop(next="terminate")
    x.label("bye_end")
    _goto(x, "end")
    x.label("terminate")
    x.send(m.reject(487, REASONS[487]), next="terminating", actions=(_home("terminating"),))
    _state(x, "terminating")

    # An ACK ends whatever waited for it: our 200, our refusal, our 487.
    x.label("ack_rx")
    x.nop(actions=(
        number_is("ack_answer", "home", index("answering")),
        number_is("ack_reject", "home", index("rejecting")),
        number_is("ack_terminate", "home", index("terminating")),
    ))
    x.nop(next="answer_done", test="ack_answer")
    x.nop(next="reject_done", test="ack_reject")
    x.nop(next="bye_end", test="ack_terminate")
    x.nop(next="stay")
    x.label("answer_done")
    _goto(x, "confirmed", "done answer", done=True)
    x.label("reject_done")
    _goto(x, "end", "done reject", done=True)

    _state(x, "offered", {"ring": "do_ring", "progress": "do_progress", "answer": "do_answer", "reject": "do_reject"})
    x.jump_target("do_ring")
    x.send(m.invite_response("180 Ringing"), next="offered",
           actions=(assign("evt", "done ring"),) + _done() + (_home("offered"),))
    x.jump_target("do_progress")
    x.send(m.invite_response("183 Session Progress", body=m.sdp()), next="offered",
           actions=(assign("evt", "done progress"),) + _done() + (_home("offered"),))
    x.jump_target("do_answer")
    x.send(m.invite_response("200 OK", body=m.sdp()), next="answering",
           actions=(assign("answered", "yes"), assign("evt", "answer"), _home("answering")))
    _state(x, "answering")
    x.label("do_reject")  # home is the response for the code (Resume-At)
    x.nop(actions=(jump("home"),))
    reject_at = {}
    for code in FAILURE:
        x.nop()  # see Scenario.jump_target
        reject_at[code] = x.next_index
        x.send(m.reject(code, REASONS[code]), next="rejecting", actions=(_home("rejecting"),))
    _state(x, "rejecting")

    _confirmed(x, "callee")
    x.label("ping")
    x.send(m.reply_last("200 OK", to_tag=True, allow=True), next="quiet_end")
    _end(x)
    x.label("quiet_end")
    x.nop()
    actions = {"ring": "do_ring", "progress": "do_progress", "answer": "do_answer", **_RESUME}
    return Generated(x.text(), _resume(x, actions), reject_at)
