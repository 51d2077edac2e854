"""Template matching: lenient by default, strict and ordered where marked, captures."""

import pytest

from conformance.protocol.stanza import parse_stanza
from conformance.scenario.template import UnknownVariable, differences, match_payload, match_value, parse_template, salvage, substitute

END_HUNGUP = (
    '<presence from="c1@rayo.test" type="unavailable"><end xmlns="urn:xmpp:rayo:1"><hungup platform-code="16"/></end>'
    '<delay xmlns="urn:xmpp:delay" stamp="2026-01-01T00:00:00Z"/></presence>'
)


def match(template: str, stanza: str, variables=None, strict=False):
    return match_payload(list(parse_template(template)), list(parse_stanza(stanza)), variables or {}, strict)


def test_extra_attributes_and_children_are_ignored():
    captured, mismatch = match('<end xmlns="urn:xmpp:rayo:1"><hungup/></end>', END_HUNGUP)
    assert mismatch is None and captured == {}


def test_a_different_child_is_named_in_the_mismatch():
    _, mismatch = match('<end xmlns="urn:xmpp:rayo:1"><hangup-command/></end>', END_HUNGUP)
    assert mismatch.path == "/end"
    assert "child <hangup-command xmlns='urn:xmpp:rayo:1'> missing" in mismatch.reason
    assert "<hungup xmlns='urn:xmpp:rayo:1'>" in mismatch.reason


def test_namespace_matters():
    _, mismatch = match('<end xmlns="urn:xmpp:rayo:2"/>', END_HUNGUP)
    assert mismatch is not None


def test_strict_rejects_extra_attributes():
    _, mismatch = match('<end xmlns="urn:xmpp:rayo:1"><hungup/></end>', END_HUNGUP, strict=True)
    assert "unexpected attribute" in mismatch.reason and "platform-code" in mismatch.reason


def test_strict_per_element():
    _, mismatch = match('<end xmlns="urn:xmpp:rayo:1"><hungup m:strict="true"/></end>', END_HUNGUP)
    assert mismatch is not None
    captured, mismatch = match('<end xmlns="urn:xmpp:rayo:1" m:strict="true"><hungup platform-code="*"/></end>', END_HUNGUP)
    assert mismatch is None


def test_wildcard_requires_presence_of_the_attribute():
    assert match('<end xmlns="urn:xmpp:rayo:1"><hungup platform-code="*"/></end>', END_HUNGUP)[1] is None
    assert match('<end xmlns="urn:xmpp:rayo:1"><hungup reason="*"/></end>', END_HUNGUP)[1] is not None


def test_capture_and_variable():
    ref = '<iq type="result"><ref xmlns="urn:xmpp:rayo:1" uri="xmpp:c1@rayo.test/out-1"/></iq>'
    captured, mismatch = match('<ref xmlns="urn:xmpp:rayo:1" uri="xmpp:{call}/{capture:component}"/>', ref, {"call": "c1@rayo.test"})
    assert mismatch is None and captured == {"component": "out-1"}
    _, mismatch = match('<ref xmlns="urn:xmpp:rayo:1" uri="xmpp:{call}/{capture:component}"/>', ref, {"call": "c2@rayo.test"})
    assert mismatch is not None


def test_a_capture_already_known_must_keep_its_value():
    assert match_value("{capture:x}", "a", {"x": "a"}) == {"x": "a"}
    assert match_value("{capture:x}", "b", {"x": "a"}) is None


def test_literal_star_can_be_escaped():
    assert match_value("\\*", "*", {}) == {}
    assert match_value("\\*", "5", {}) is None


def test_ordered_children():
    offer = (
        '<presence><offer xmlns="urn:xmpp:rayo:1" to="a"><header name="X" value="1"/>'
        '<header name="Via" value="v"/><header name="X" value="2"/></offer></presence>'
    )
    template = '<offer xmlns="urn:xmpp:rayo:1" m:ordered="true"><header name="X" value="{a}"/><header name="X" value="{b}"/></offer>'
    assert match(template, offer, {"a": "1", "b": "2"})[1] is None
    _, mismatch = match(template, offer, {"a": "2", "b": "1"})
    assert "not in the expected order" in mismatch.reason


def test_ordered_by_name_keeps_each_names_values_in_order_and_lets_names_interleave():
    template = ('<offer xmlns="urn:xmpp:rayo:1" m:ordered="same-name"><header name="X-Skill" value="s"/>'
                '<header name="X-Route" value="1"/><header name="X-Route" value="2"/></offer>')
    grouped = ('<presence><offer xmlns="urn:xmpp:rayo:1"><header name="X-Route" value="1"/>'
               '<header name="X-Route" value="2"/><header name="X-Skill" value="s"/></offer></presence>')
    assert match(template, grouped, {})[1] is None
    swapped = grouped.replace('value="1"', 'value="one"').replace('value="2"', 'value="1"').replace('value="one"', 'value="2"')
    _, mismatch = match(template, swapped, {})
    assert "not in the expected order" in mismatch.reason


def test_a_header_name_matches_in_any_case_and_other_attributes_do_not():
    offer = '<presence><offer xmlns="urn:xmpp:rayo:1" to="A"><header name="x-skill" value="Sales"/></offer></presence>'
    assert match('<offer xmlns="urn:xmpp:rayo:1"><header name="X-Skill" value="Sales"/></offer>', offer, {})[1] is None
    assert match('<offer xmlns="urn:xmpp:rayo:1"><header name="X-Skill" value="sales"/></offer>', offer, {})[1] is not None
    assert match('<offer xmlns="urn:xmpp:rayo:1" to="a"/>', offer, {})[1] is not None


def test_an_optional_attribute_may_be_absent_but_must_match_when_present():
    template = '<signal xmlns="urn:xmpp:rayo:cpa:1" type="beep" duration="{150..250}" m:optional="duration"/>'
    signal = '<presence><signal xmlns="urn:xmpp:rayo:cpa:1" type="beep"{}/></presence>'
    assert match(template, signal.format(""))[1] is None
    assert match(template, signal.format(' duration="200"'))[1] is None
    _, mismatch = match(template, signal.format(' duration="0.2"'))
    assert "attribute 'duration' is '0.2'" in mismatch.reason
    _, mismatch = match(template.replace("beep", "busy"), signal.format(""))
    assert "attribute 'type'" in mismatch.reason  # only the named attributes are optional


def test_a_deep_child_may_sit_beside_the_others_or_inside_one_of_them():
    template = ('<complete xmlns="urn:xmpp:rayo:ext:1"><stop xmlns="urn:xmpp:rayo:ext:complete:1"/>'
                '<recording xmlns="urn:xmpp:rayo:record:complete:1" uri="{capture:uri}" m:deep="true"/></complete>')
    recording = '<recording xmlns="urn:xmpp:rayo:record:complete:1" uri="file:///r.wav"/>'
    beside = f'<presence><complete xmlns="urn:xmpp:rayo:ext:1"><stop xmlns="urn:xmpp:rayo:ext:complete:1"/>{recording}</complete></presence>'
    inside = f'<presence><complete xmlns="urn:xmpp:rayo:ext:1"><stop xmlns="urn:xmpp:rayo:ext:complete:1">{recording}</stop></complete></presence>'
    missing = '<presence><complete xmlns="urn:xmpp:rayo:ext:1"><stop xmlns="urn:xmpp:rayo:ext:complete:1"/></complete></presence>'
    assert match(template, beside) == ({"uri": "file:///r.wav"}, None)
    assert match(template, inside) == ({"uri": "file:///r.wav"}, None)
    _, mismatch = match(template, missing)
    assert "child <recording xmlns='urn:xmpp:rayo:record:complete:1'> missing" in mismatch.reason
    _, mismatch = match(template.replace(' m:deep="true"', ""), inside)
    assert "recording" in mismatch.reason


def test_substitute_leaves_wildcards_and_reports_unknown_names():
    assert substitute('to="{call}" from="*" id="{capture:x}"', {"call": "c@r"}) == 'to="c@r" from="*" id="{capture:x}"'
    with pytest.raises(UnknownVariable):
        substitute("{nope}", {})


def test_a_number_range_takes_whole_numbers_within_it():
    assert match_value("{400..600}", "400", {}) == {}
    assert match_value("{400..600}", "600", {}) == {}
    assert match_value("{400..600}", "399", {}) is None
    assert match_value("{400..600}", "601", {}) is None
    assert match_value("{400..600}", "0.5", {}) is None
    assert match_value("{400..600}", "", {}) is None
    assert match_value("{capture:ms}", "500", {}) == {"ms": "500"}
    assert substitute("{400..600}", {}) == "{400..600}"
    template = parse_template('<signal xmlns="urn:xmpp:rayo:cpa:1" duration="{400..600}"/>')
    assert match_payload(template, parse_template('<signal xmlns="urn:xmpp:rayo:cpa:1" duration="500"/>'), {}) == ({}, None)
    assert match_payload(template, parse_template('<signal xmlns="urn:xmpp:rayo:cpa:1" duration="5"/>'), {})[0] is None


def test_salvage_keeps_the_captures_whose_own_values_fit():
    template = parse_template("<complete xmlns='urn:x'><success/><recording uri='{capture:uri}' size='{capture:bytes}' duration='{10..20}'/></complete>")
    actual = parse_template("<complete xmlns='urn:x'><error/><recording uri='file:/r.wav' duration='99'/></complete>")
    assert match_payload(template, actual, {})[0] is None  # <error/> is not <success/>
    assert salvage(template, actual, {}) == {"uri": "file:/r.wav"}  # the only recording; its size is missing
    assert salvage(template, parse_template("<other xmlns='urn:x'/>"), {}) == {}


def test_salvage_takes_a_capture_only_from_the_element_it_was_meant_for():
    template = parse_template("<offer xmlns='urn:x' to='sip:*'><header name='X-Id' value='{capture:id}'/><header name='X-No' value='{capture:no}'/></offer>")
    actual = parse_template("<offer xmlns='urn:x' to='1000@h'><header name='Via' value='SIP/2.0/UDP h'/><header name='X-Id' value='7'/></offer>")
    # The offer's to is wrong, yet it is the only offer; its X-Id header comes after a Via; no header is X-No.
    assert salvage(template, actual, {}) == {"id": "7"}


def test_differences_names_every_difference_where_the_matcher_names_the_first():
    template = parse_template("<offer xmlns='urn:x' to='sip:*' from='sip:*'><header name='X-Skill' value='sales'/></offer><c xmlns='urn:caps'/>")
    actual = parse_template("<offer xmlns='urn:x' to='1000@h:5060' from='tok@h:5080'><header name='Via' value='v'/><header name='From' value='f'/></offer>")
    assert str(match_payload(template, actual, {})[1]) == "/offer: attribute 'to' is '1000@h:5060', expected 'sip:*'"
    assert [str(m) for m in differences(template, actual, {})] == [
        "/offer: attribute 'to' is '1000@h:5060', expected 'sip:*'",
        "/offer: attribute 'from' is 'tok@h:5080', expected 'sip:*'",
        "/offer: child <header name='X-Skill' value='sales'/> missing; those of its name are: <header name='Via' value='v'/>, <header name='From' value='f'/>",
        "child <c xmlns='urn:caps'> missing; the children are: <offer xmlns='urn:x'>",
    ]
    assert differences(template[:1], parse_template("<offer xmlns='urn:x' to='sip:a' from='sip:b'><header name='X-Skill' value='sales'/></offer>"), {}) == []
