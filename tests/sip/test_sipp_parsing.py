"""The driver's readers and writers, on their own: trace file, SIP text, 3PCC frames, scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.sip import SipError
from conformance.sip.events import parse_message, user_of
from conformance.sip.scenario import CALLEE_STATES, CALLER_STATES, callee_scenario, caller_scenario
from conformance.sip.status import FAILURE
from conformance.sip.trace import TraceReader
from conformance.sip.twin import decode, encode
from conformance.sip.xml import SIPP_MAX_FILE

INVITE = "INVITE sip:callee@127.0.0.1:5080 SIP/2.0\r\nCall-ID: a@b\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
COMMAND = "Call-ID: a@b\r\nAction: ring\r\n\r\n"
REPORT = "Call-ID: a@b\r\nEvent: done ring\r\n\r\n\x1b"


def _entry(stamp: str, head: str, text: str) -> str:
    return f"----------------------------------------------- 2025-05-20 {stamp}\n{head}\n\n{text}\n"


def test_the_trace_reader_takes_whole_entries_only(tmp_path: Path):
    path = tmp_path / "messages.log"
    reader = TraceReader(path)
    assert reader.read_new() == []  # SIPp has not created it yet
    whole = _entry("10:00:00.000001", f"UDP message received [{len(INVITE)}] bytes :", INVITE)
    path.write_text(whole[:-30])
    assert reader.read_new() == []  # the INVITE is not all there
    with path.open("a") as file:
        file.write(whole[-30:])
        file.write(_entry("10:00:00.500000", f"TCP control message received [{len(COMMAND) + 1}] bytes :", COMMAND))
        file.write(_entry("10:00:00.600000", f"TCP control message sent ({len(REPORT)} bytes):", REPORT))
        file.write("Unexpected control message received (I was expecting a different type of message):\nCall-ID: a@b\n\n")
    entries = reader.read_new()
    assert [(e.kind, e.direction) for e in entries] == [("sip", "received"), ("control", "received"), ("control", "sent")]
    assert entries[0].text == INVITE and entries[1].text == COMMAND
    assert entries[0].wall + 0.5 == pytest.approx(entries[1].wall)
    final = reader.read_new(final=True)  # the note had no entry after it: complete only once SIPp is gone
    assert [e.kind for e in final] == ["note"] and final[0].text.startswith("Unexpected control message")
    assert reader.dropped_command("a@b") and not reader.dropped_command("other@b")


def test_sip_text_is_parsed_as_it_came():
    message = parse_message(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9\r\ni: x@y\r\nX-Long: one\r\n two\r\n"
        "CSeq: 2 BYE\r\nX-Long: three\r\n\r\nbody"
    )
    assert message.is_response and message.message == "200" and message.call_id == "x@y"
    assert message.cseq_method == "BYE" and message.label == "200 OK (BYE)"
    assert [v for n, v in message.headers if n == "X-Long"] == ["one two", "three"]
    assert message.body == "body" and message.request_uri == ""
    invite = parse_message(INVITE)
    assert invite.label == "INVITE" and invite.request_uri == "sip:callee@127.0.0.1:5080"
    assert parse_message("SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n").label == "180 Ringing"
    assert user_of("sip:callee2@127.0.0.1:5080") == "callee2" and user_of("sip:127.0.0.1") == ""


def test_commands_are_framed_and_checked():
    frame = encode("a@b", [("Seq", "1"), ("Action", "dial")], [("X-A", "1"), ("X-B", "2")])
    assert frame == b"Call-ID: a@b\r\nSeq: 1\r\nAction: dial\r\nHeaders:\r\nX-A: 1\r\nX-B: 2\r\n\r\n\x1b"
    for name, value in [("X-A", "1\r\nX-Evil: 2"), ("X A", "1"), ("X-A:", "1"), ("X-A", "\x1b")]:
        with pytest.raises(SipError, match="cannot send the header"):
            encode("a@b", [], [(name, value)])
    # SIPp's own abort notice uses bare line feeds
    assert decode(b"call-id: a@b\ninternal-cmd: abort_call") == {"call-id": "a@b", "internal-cmd": "abort_call"}


def test_the_generated_scenarios_fit_sipp_and_name_every_entry_point():
    caller, callee = caller_scenario(), callee_scenario()
    for generated in (caller, callee):
        assert len(generated.xml) < SIPP_MAX_FILE
        assert "@{" not in generated.xml  # every index placeholder was filled
    assert set(callee.reject_at) == set(FAILURE)
    for states, generated in ((CALLER_STATES, caller), (CALLEE_STATES, callee)):
        actions = {a for accepted in states.values() for a in accepted} - {"reject"}
        assert actions == set(generated.resume)
