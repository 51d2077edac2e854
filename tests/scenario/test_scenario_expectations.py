"""Expectations over observed streams: order within a stream, any order in groups, explanations."""

import asyncio
from types import SimpleNamespace

from conformance.protocol.stanza import Stanza, parse_stanza
from conformance.scenario import model
from conformance.scenario.expectations import Context, explain, in_any_order, in_sequence, probe_for, under_jid
from conformance.scenario.observations import Observations
from conformance.scenario.template import parse_template

CONTEXT = Context(service="rayo.test", tokens={"caller": "tok-1"}, last_dialer="caller")


def presence(text: str) -> Stanza:
    return Stanza(parse_stanza(text), text, 0.0, "client")


def expect_from(source: str, xml: str, **options) -> model.ExpectFrom:
    template = model.Template(xml, 1, tuple(parse_template(xml)))
    return model.ExpectFrom(index=1, line=1, phrase=f"expect from {source}", source=source, template=template, **options)


def sip(message: str, cseq: str = "INVITE", direction: str = "received"):
    return SimpleNamespace(message=message, cseq_method=cseq, direction=direction, headers=(), request_uri="", party="caller")


COMPLETE = "<presence from='c1@rayo.test/out' type='unavailable'><complete xmlns='urn:xmpp:rayo:ext:1'/></presence>"
END = "<presence from='c1@rayo.test' type='unavailable'><end xmlns='urn:xmpp:rayo:1'><hungup/></end></presence>"


def test_sequence_follows_the_order_of_one_stream():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END))
    obs.add(("xmpp", "client"), presence(COMPLETE))
    complete = probe_for(expect_from("c1@rayo.test/out", "<complete xmlns='urn:xmpp:rayo:ext:1'/>"), CONTEXT)
    end = probe_for(expect_from("{call}", "<end xmlns='urn:xmpp:rayo:1'/>"), CONTEXT)
    assert in_sequence(obs, [complete, end], {"call": "c1@rayo.test"}) is None  # end came before complete
    found = in_sequence(obs, [end, complete], {"call": "c1@rayo.test"})
    assert found is not None and found.positions[("xmpp", "client")] == 2


def test_next_allows_no_skipped_presence_from_the_jid():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END))  # another JID: not skipped over in its sense
    obs.add(("xmpp", "client"), presence(COMPLETE.replace("c1@rayo.test/out", "c1@rayo.test/p")))
    obs.add(("xmpp", "client"), presence("<presence from='c1@rayo.test/p'><input-timers-started xmlns='urn:xmpp:rayo:prompt:1'/></presence>"))
    timers = "<input-timers-started xmlns='urn:xmpp:rayo:prompt:1'/>"
    assert in_sequence(obs, [probe_for(expect_from("c1@rayo.test/p", timers), CONTEXT)], {}) is not None
    assert in_sequence(obs, [probe_for(expect_from("c1@rayo.test/p", timers, next=True), CONTEXT)], {}) is None
    complete = probe_for(expect_from("c1@rayo.test/p", "<complete xmlns='urn:xmpp:rayo:ext:1'/>", next=True), CONTEXT)
    assert in_sequence(obs, [complete], {}) is not None


def test_any_order_takes_distinct_events():
    obs = Observations()
    joined = "<presence from='{}'><joined xmlns='urn:xmpp:rayo:1' call-uri='{}'/></presence>"
    obs.add(("xmpp", "client"), presence(joined.format("b@rayo.test", "xmpp:a@rayo.test")))
    obs.add(("xmpp", "client"), presence(joined.format("a@rayo.test", "xmpp:b@rayo.test")))
    probes = [
        probe_for(expect_from("a@rayo.test", "<joined xmlns='urn:xmpp:rayo:1' call-uri='*'/>"), CONTEXT),
        probe_for(expect_from("b@rayo.test", "<joined xmlns='urn:xmpp:rayo:1' call-uri='*'/>"), CONTEXT),
    ]
    found = in_any_order(obs, probes, {})
    assert found is not None and sorted(i for _, i in found.hits) == [0, 1]
    assert in_sequence(obs, probes, {}) is None


def test_sip_and_xmpp_streams_are_independent():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END))
    obs.add(("sip", "caller"), sip("BYE"))
    bye = probe_for(model.SipReceives(index=1, line=1, phrase="caller receives", party="caller", messages=(model.MessageSpec("BYE"),)), CONTEXT)
    end = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'/>"), CONTEXT)
    assert in_sequence(obs, [end, bye], {}) is not None
    assert in_sequence(obs, [bye, end], {}) is not None


def test_a_body_is_matched_whole_without_its_surrounding_line_breaks():
    step = model.SipReceives(index=1, line=1, phrase="caller receives", party="caller", messages=(model.MessageSpec("MESSAGE"),),
                             body="Art thou *?")
    message = SimpleNamespace(**{**vars(sip("MESSAGE", "MESSAGE")), "body": "Art thou Romeo?\r\n"})
    probe = probe_for(step, CONTEXT)
    assert probe.fits(message, {}) == ({}, None)
    empty = SimpleNamespace(**{**vars(message), "body": ""})
    assert probe.fits(empty, {}) == (None, "body is '', expected 'Art thou *?'")
    assert "with body 'Art thou *?'" in probe.describe({})


def test_a_fitting_message_outside_the_partys_calls_is_named_in_the_explanation():
    obs = Observations()
    stray = SimpleNamespace(**{**vars(sip("MESSAGE", "MESSAGE")), "party": "sipp-caller", "call_id": "other@srv"})
    obs.add(("sip", "sipp-caller"), stray)
    obs.add(("sip", "sipp-caller"), stray)  # its retransmission
    probe = probe_for(model.SipReceives(index=1, line=1, phrase="caller receives", party="caller",
                                        messages=(model.MessageSpec("MESSAGE"),)), CONTEXT)
    assert in_sequence(obs, [probe], {}) is None
    assert explain(obs, probe, {}) == "received MESSAGE under Call-ID 'other@srv', which is none of caller's calls (outside its dialogs)"


def test_message_specs():
    assert model.MessageSpec("4xx").accepts("486", "INVITE")
    assert not model.MessageSpec("4xx").accepts("503", "INVITE")
    assert model.MessageSpec("200 BYE").accepts("200", "BYE")
    assert not model.MessageSpec("200 BYE").accepts("200", "INVITE")
    assert model.MessageSpec("BYE").accepts("BYE", "BYE")


def test_offer_is_matched_by_the_callers_token():
    obs = Observations()
    other = "<presence from='x@rayo.test'><offer xmlns='urn:xmpp:rayo:1' to='sip:a' from='sip:other@h'/></presence>"
    mine = "<presence from='y@rayo.test'><offer xmlns='urn:xmpp:rayo:1' to='sip:a' from='sip:tok-1@h'/></presence>"
    obs.add(("xmpp", "client"), presence(other))
    obs.add(("xmpp", "client"), presence(mine))
    offer = probe_for(model.ExpectOffer(index=1, line=1, phrase="expect offer"), CONTEXT)
    found = in_sequence(obs, [offer], {})
    assert found.variables["call"] == "y@rayo.test"


def test_explain_shows_the_near_miss_and_early_arrivals():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END))
    obs.stream(("xmpp", "client")).position = 1
    obs.add(("xmpp", "client"), presence(END.replace("hungup", "busy")))
    probe = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'><hungup/></end>"), CONTEXT)
    text = explain(obs, probe, {})
    assert "<busy xmlns='urn:xmpp:rayo:1'>" in text and "hungup" in text
    assert "out of order" in text


def test_under_jid_covers_components_and_the_service_domain():
    assert under_jid("c1@rayo.test/out-1", "c1@rayo.test")
    assert not under_jid("c2@rayo.test", "c1@rayo.test")
    assert under_jid("c2@rayo.test", "rayo.test")
    assert under_jid("m@mixer.rayo.test", "rayo.test")
    assert not under_jid("rayo.test.evil", "rayo.test")


def test_a_captured_sender_also_gives_its_bare_jid():
    # A seed call's JID carries the resource /1; its components are <bare call JID>/<id>.
    obs = Observations()
    obs.add(("xmpp", "client"), presence("<presence from='y@rayo.test/1'><offer xmlns='urn:xmpp:rayo:1' to='sip:a' from='sip:tok-1@h'/></presence>"))
    obs.add(("xmpp", "client"), presence("<presence from='z@rayo.test/1'><ringing xmlns='urn:xmpp:rayo:1'/></presence>"))
    offer = probe_for(model.ExpectOffer(index=1, line=1, phrase="expect offer"), CONTEXT)
    ringing = probe_for(expect_from("z@rayo.test/1", "<ringing xmlns='urn:xmpp:rayo:1'/>", capture="dialed"), CONTEXT)
    found = in_sequence(obs, [offer, ringing], {})
    assert (found.variables["call"], found.variables["call.bare"]) == ("y@rayo.test/1", "y@rayo.test")
    assert (found.variables["dialed"], found.variables["dialed.bare"]) == ("z@rayo.test/1", "z@rayo.test")


def test_a_loose_search_takes_the_awaited_stanza_with_other_details_and_names_the_difference():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END.replace("hungup", "busy")))
    probe = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'><hungup/></end>"), CONTEXT)
    assert in_sequence(obs, [probe], {}) is None
    found = in_sequence(obs, [probe], {}, loose=True)
    assert found.hits == ((("xmpp", "client"), 0),)
    [difference] = found.differences
    assert difference.probe is probe and "child <hungup xmlns='urn:xmpp:rayo:1'> missing" in difference.why


def test_a_loose_search_wants_the_same_sender_and_element_names():
    obs = Observations()
    obs.add(("xmpp", "client"), presence(END.replace("c1@", "c2@")))  # another call
    obs.add(("xmpp", "client"), presence(COMPLETE.replace("c1@rayo.test/out", "c1@rayo.test")))  # another element
    probe = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'><hungup/></end>"), CONTEXT)
    assert in_sequence(obs, [probe], {}, loose=True) is None
    assert in_any_order(obs, [probe], {}, loose=True) is None


def test_a_loose_offer_keeps_its_call_and_the_captures_that_fit():
    obs = Observations()
    obs.add(("xmpp", "client"), presence("<presence from='y@rayo.test'><offer xmlns='urn:xmpp:rayo:1' to='1000@h:5060' from='tok-1@h:5080'/></presence>"))
    xml = "<offer xmlns='urn:xmpp:rayo:1' to='sip:*' from='{capture:from}'/>"
    offer = probe_for(model.ExpectOffer(index=1, line=1, phrase="expect offer", template=model.Template(xml, 1, tuple(parse_template(xml)))), CONTEXT)
    assert in_sequence(obs, [offer], {}) is None
    found = in_sequence(obs, [offer], {}, loose=True)
    assert (found.variables["call"], found.variables["from"]) == ("y@rayo.test", "tok-1@h:5080")
    assert "attribute 'to' is '1000@h:5060'" in found.differences[0].why
    other = probe_for(model.ExpectOffer(index=1, line=1, phrase="expect offer", party="caller2"),
                      Context("rayo.test", {"caller2": "tok-2"}, "caller2"))
    assert in_sequence(obs, [other], {}, loose=True) is None  # the offer of another call is not this one


def test_a_loose_sip_expectation_takes_the_awaited_message_with_other_headers():
    obs = Observations()
    obs.add(("sip", "caller"), sip("200"))
    obs.add(("sip", "caller"), sip("BYE", "BYE"))
    step = model.SipReceives(index=1, line=1, phrase="caller receives", party="caller", messages=(model.MessageSpec("BYE"),),
                             headers=(("Reason", "*"),), request_uri="sip:caller@*")
    probe = probe_for(step, CONTEXT)
    assert in_sequence(obs, [probe], {}) is None
    found = in_sequence(obs, [probe], {}, loose=True)
    assert found.hits == ((("sip", "caller"), 1),)
    assert found.differences[0].why == ("Request-URI is '', expected 'sip:caller@*'; "
                                        "header Reason: '*' not found in order (it has no Reason header)")


def test_next_in_a_loose_search_still_takes_only_the_first_presence_from_the_jid():
    obs = Observations()
    obs.add(("xmpp", "client"), presence("<presence from='c1@rayo.test/out' type='unavailable'><gone xmlns='urn:x'/></presence>"))
    obs.add(("xmpp", "client"), presence(COMPLETE))
    complete = expect_from("c1@rayo.test/out", "<complete xmlns='urn:xmpp:rayo:ext:1'><finish/></complete>", next=True)
    assert in_sequence(obs, [probe_for(complete, CONTEXT)], {}, loose=True) is None


def test_a_wrong_presence_type_and_a_wrong_child_are_both_named():
    probe = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'><hangup-command/></end>", type="unavailable"), CONTEXT)
    _, why = probe.fits(presence(END.replace(" type='unavailable'", "")), {})
    assert why.startswith("presence type is available, expected unavailable; /end: child <hangup-command")


def test_a_loose_group_takes_the_matching_with_the_fewest_differences():
    obs = Observations()
    joined = "<presence from='m@rayo.test'><joined xmlns='urn:xmpp:rayo:1' call-uri='xmpp:{}@rayo.test'/></presence>"
    obs.add(("xmpp", "client"), presence(joined.format("b")))
    obs.add(("xmpp", "client"), presence(joined.format("z")))
    expect_a, expect_b = (expect_from("m@rayo.test", f"<joined xmlns='urn:xmpp:rayo:1' call-uri='xmpp:{c}@rayo.test'/>") for c in "ab")
    probes = [probe_for(expect_a, CONTEXT), probe_for(expect_b, CONTEXT)]
    assert in_any_order(obs, probes, {}) is None
    found = in_any_order(obs, probes, {}, loose=True)
    assert [d.probe for d in found.differences] == [probes[0]]  # b took its own event; a the other, with z
    assert sorted(found.hits) == [(("xmpp", "client"), 0), (("xmpp", "client"), 1)]


def test_a_probe_is_decided_once_its_source_sent_its_last_event_and_nothing_fits():
    obs = Observations()
    answered = probe_for(expect_from("c1@rayo.test", "<answered xmlns='urn:xmpp:rayo:1'/>"), CONTEXT)
    end = probe_for(expect_from("c1@rayo.test", "<end xmlns='urn:xmpp:rayo:1'><hungup/></end>"), CONTEXT)
    component = probe_for(expect_from("c1@rayo.test/out", "<complete xmlns='urn:xmpp:rayo:ext:1'/>"), CONTEXT)
    unknown = probe_for(expect_from("{call}", "<answered xmlns='urn:xmpp:rayo:1'/>"), CONTEXT)
    obs.add(("xmpp", "client"), presence(END.replace("hungup", "busy")))
    assert "c1@rayo.test had already sent its last event: presence unavailable from c1@rayo.test" in answered.decided(obs, {})
    assert end.decided(obs, {}) is not None  # an end with another reason: no second end comes
    assert component.decided(obs, {}) is None  # the call's end is not its component's complete (order unspecified)
    assert unknown.decided(obs, {}) is None  # waits on a capture still to come
    obs.add(("xmpp", "client"), presence(END))
    assert end.decided(obs, {}) is None  # something fits: the search, not the decision, judges the order


def test_a_wait_ends_as_soon_as_it_is_decided():
    async def main() -> tuple[object, str | None, float]:
        obs = Observations()
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, obs.add, ("xmpp", "client"), presence(END))
        started = loop.time()
        decided = lambda: "over" if obs.stream(("xmpp", "client")).events else None
        found, why = await obs.wait(lambda: None, 10.0, [("xmpp", "client")], decided)
        return found, why, loop.time() - started

    found, why, took = asyncio.run(main())
    assert (found, why) == (None, "over") and took < 5.0


def test_next_lets_an_informative_event_come_first_and_names_it():
    obs = Observations()
    obs.add(("xmpp", "client"), presence("<presence from='c1@rayo.test/in'><start-of-input xmlns='urn:xmpp:rayo:input:1'/></presence>"))
    obs.add(("xmpp", "client"), presence(COMPLETE.replace("/out", "/in")))
    complete = expect_from("c1@rayo.test/in", "<complete xmlns='urn:xmpp:rayo:ext:1'/>", next=True)
    found = in_sequence(obs, [probe_for(complete, CONTEXT)], {})
    assert found is not None and found.hits == ((("xmpp", "client"), 1),)
    [before] = found.differences
    assert before.informative and "start-of-input" in before.event.text
