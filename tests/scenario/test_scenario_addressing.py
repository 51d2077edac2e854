"""Where a Rayo event may come from (R-5.3-a, R-5.2-a): the offer faults show the check
failing cases end to end (the self-test); here, each answer for each kind of sender."""

from __future__ import annotations

import pytest

from conformance.protocol.stanza import Stanza, parse_stanza
from conformance.scenario.addressing import is_rayo_event, sender_problem

OWN = "harness@example.net/case-1"
SERVICE = "rayo.example.net"


def event(sender: str | None, payload: str = "<answered xmlns='urn:xmpp:rayo:1'/>") -> Stanza:
    attribute = f" from='{sender}'" if sender is not None else ""
    text = f"<presence{attribute} to='{OWN}'>{payload}</presence>"
    return Stanza(parse_stanza(text), text, 0.0, "client")


@pytest.mark.parametrize("sender", ["c1@rayo.example.net", "c1@call.rayo.example.net", "c1@rayo.example.net/out-1",
                                    "m1@mixer.rayo.example.net", "rayo.example.net/comp"])
def test_an_entity_of_the_service_may_send_events(sender: str) -> None:
    assert sender_problem(event(sender), SERVICE, OWN) is None


@pytest.mark.parametrize(
    "sender, problem",
    [
        (None, "it has no 'from'"),
        (OWN, f"it comes from the client's own JID {OWN}"),
        ("harness@example.net/other", "it comes from the client's own JID harness@example.net/other"),
        ("c1@rayo.example.net.evil", "it comes from c1@rayo.example.net.evil, outside the service's domain rayo.example.net"),
        ("c1@example.net", "it comes from c1@example.net, outside the service's domain rayo.example.net"),
    ],
)
def test_an_event_from_elsewhere_is_named(sender: str | None, problem: str) -> None:
    assert sender_problem(event(sender), SERVICE, OWN).startswith(problem)


def test_only_rayo_payloads_are_events() -> None:
    assert is_rayo_event(event(None), "xep0327")
    assert not is_rayo_event(event(None, "<show>chat</show>"), "xep0327")
    assert not is_rayo_event(event(None, "<x xmlns='urn:example'/>"), "seed")
