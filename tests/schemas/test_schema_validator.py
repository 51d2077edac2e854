"""The validation API the harness calls on every stanza: what it validates, what it skips, where findings point."""

from __future__ import annotations

import pytest

from conformance.protocol.stanza import parse_fragment, parse_stanza
from conformance.protocol.validation import validator

OFFER = """<presence from='9f00061@call.shakespeare.lit' to='juliet@capulet.lit/balcony'>
  <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='urn:xmpp:rayo:call:1' ver='x'/>
  <delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/>
  <offer xmlns='urn:xmpp:rayo:1' to='tel:+18003211212' from='tel:+13058881212'>
    <header name='x-skill' value='agent'/>
  </offer>
</presence>"""


def test_validator_is_compiled_once_per_dialect():
    assert validator("xep0327") is validator("xep0327")
    assert validator("seed") is not validator("xep0327")


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="unknown dialect"):
        validator("xep9999")


def test_foreign_namespaces_beside_a_valid_payload_are_not_validated():
    assert validator("xep0327").stanza(parse_stanza(OFFER)) == []


def test_payload_of_a_foreign_namespace_gives_no_finding():
    caps = parse_stanza(OFFER)[0]
    assert validator("xep0327").payload(caps) == []


def test_every_rayo_payload_of_a_stanza_is_validated():
    stanza = parse_stanza(
        "<presence><joined xmlns='urn:xmpp:rayo:1'/><unjoined xmlns='urn:xmpp:rayo:1'/></presence>")
    assert [f.path for f in validator("xep0327").stanza(stanza)] == ["/presence/joined", "/presence/unjoined"]


def test_echoed_payload_of_an_error_stanza_is_not_validated():
    error = parse_stanza("""<iq type='error'><output xmlns='urn:xmpp:rayo:output:1' repeat-times='foo'/>
      <error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>""")
    assert validator("xep0327").stanza(error) == []
    assert validator("xep0327").payload(error[0]) != []


def test_finding_gives_the_line_of_the_original_text_and_the_index_of_a_repeated_element():
    text = """<iq type='set'>
  <output xmlns='urn:xmpp:rayo:output:1'>
    <document url='http://a/b.wav'/>
    <document content-type='text/plain'/>
  </output>
</iq>"""
    [finding] = validator("xep0327").stanza(parse_stanza(text))
    assert (finding.path, finding.line, finding.namespace) == ("/iq/output/document[2]", 4, "urn:xmpp:rayo:output:1")


def test_line_numbers_follow_the_text_across_a_sequence_of_stanzas():
    stanzas = parse_fragment("<iq type='result'/>\n\n<iq type='result'>\n  <ref xmlns='urn:xmpp:rayo:1'/>\n</iq>")
    findings = [f for stanza in stanzas for f in validator("xep0327").stanza(stanza)]
    assert [(f.line, f.rule) for f in findings] == [(4, "required attribute uri")]


def test_a_finding_inside_a_prefixed_payload_points_at_the_right_element():
    stanza = parse_stanza("<presence xmlns:r='urn:xmpp:rayo:1'><r:end><r:hungup>x</r:hungup></r:end></presence>")
    assert [(f.path, f.rule) for f in validator("xep0327").stanza(stanza)] == [("/presence/end/hungup", "empty element")]


@pytest.mark.parametrize("xml, dialect", [
    ("<iq type='result'><ref xmlns='urn:xmpp:rayo:1' uri='xmpp:a@call.b'/></iq>", "xep0327"),
    ("<iq type='result'><ref xmlns='urn:xmpp:rayo:1' id='a'/></iq>", "seed"),
    ("<iq type='set'><stop xmlns='urn:xmpp:rayo:1'/></iq>", "seed"),
    ("<iq type='set'><stop xmlns='urn:xmpp:rayo:ext:1'/></iq>", "xep0327"),
])
def test_each_dialect_accepts_its_own_form_and_refuses_the_other(xml, dialect):
    other = "seed" if dialect == "xep0327" else "xep0327"
    assert validator(dialect).stanza(parse_stanza(xml)) == []
    assert validator(other).stanza(parse_stanza(xml)) != []


def test_recording_may_stand_before_or_beside_the_reason_or_inside_a_core_reason():
    recording = "<recording xmlns='urn:xmpp:rayo:record:complete:1' uri='file:///r.wav' duration='0' size='0'/>"
    stop = "<stop xmlns='urn:xmpp:rayo:ext:complete:1'>{}</stop>"
    for inner in (recording + stop.format(""), stop.format("") + recording, stop.format(recording)):
        stanza = parse_stanza(f"<presence type='unavailable'><complete xmlns='urn:xmpp:rayo:ext:1'>{inner}</complete></presence>")
        assert validator("xep0327").stanza(stanza) == [], inner


def test_prompt_takes_output_and_input_in_either_order():
    output = "<output xmlns='urn:xmpp:rayo:output:1'><document url='http://a/b.wav'/></output>"
    grammar = "<input xmlns='urn:xmpp:rayo:input:1' mode='dtmf'><grammar url='http://a/g.grxml'/></input>"
    stanza = parse_stanza(f"<iq type='set'><prompt xmlns='urn:xmpp:rayo:prompt:1'>{grammar}{output}</prompt></iq>")
    assert validator("xep0327").stanza(stanza) == []


def test_an_invalid_value_in_a_key_attribute_is_reported_once():
    stanza = parse_stanza("<iq type='set'><output xmlns='urn:xmpp:rayo:output:1'>"
                          "<document content-type='plain'>Hi</document></output></iq>")
    assert [f.rule for f in validator("xep0327").stanza(stanza)] == ["media type"]
