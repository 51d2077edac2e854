"""When a call waits for a command: its reports on the 3PCC socket against its entries in the trace."""

from __future__ import annotations

from conformance.sip.calls import SipCall


def test_a_report_on_the_socket_before_the_trace_shows_it_settles_the_call():
    call = SipCall("a@b", "caller")
    call.settle(logged="sip")  # the INVITE, logged
    assert not call.settled.is_set()
    call.settle(report=True)  # its report came on the socket; SIPp logs it just after
    assert call.settled.is_set()
    call.settle(logged="report")
    assert call.settled.is_set()


def test_a_report_the_trace_shows_before_the_socket_brings_it_does_not():
    """Another call's report made the driver read the trace, which already
    holds this call's 200, ACK and report; the socket has not brought that
    report yet, so the call's state is still the old one."""
    call = SipCall("a@b", "caller")
    call.settle(logged="sip")  # INVITE
    call.settle(report=True)
    call.report("invite", "early", "1", "ok")
    call.settle(logged="report")
    for _ in ("200", "ACK"):
        call.settle(logged="sip")
    assert not call.settled.is_set()
    call.settle(logged="report")  # the trace is ahead of the socket
    assert not call.settled.is_set() and call.state == "early"
    call.settle(report=True)
    call.report("answered", "confirmed", "1", "ok")
    assert call.settled.is_set() and call.state == "confirmed"
