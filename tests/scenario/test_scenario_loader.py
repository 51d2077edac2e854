"""The loader rejects bad scenario files with file:line before anything runs."""

from pathlib import Path

import pytest

from conformance.resources import case_files
from conformance.scenario import model
from conformance.scenario.loader import ScenarioError, load_case, load_cases

HEADER = """\
id: xep0327.test.case
title: a case
section: "6.2.2"
requirements: [R-6.2.2-a]
dialects: [xep0327]
"""


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_case(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return [(p.line, p.message) for p in caught.value.problems]


def test_every_shipped_scenario_loads():
    cases = load_cases(case_files())
    assert len(cases) >= 17
    assert len({c.id for c in cases}) == len(cases)


def test_yaml_syntax_error_gives_its_line(tmp_path):
    path = write(tmp_path, HEADER + "steps:\n  - caller dials the server\n  - expect offer: [unclosed\n")
    [(line, message)] = problems(path)
    assert line in (8, 9)
    assert message.startswith("YAML syntax")


def test_unknown_step_gives_its_line_and_a_suggestion(tmp_path):
    path = write(tmp_path, HEADER + "steps:\n  - caller dials the server\n  - callee answrs\n")
    [(line, message)] = problems(path)
    assert line == 8
    assert "unknown step 'callee answrs'" in message
    assert "did you mean 'callee answers'" in message


def test_template_that_is_not_well_formed_gives_the_line_inside_the_block(tmp_path):
    text = HEADER + (
        "steps:\n"
        "  - caller dials the server\n"
        "  - expect offer: |\n"
        "      <offer xmlns='urn:xmpp:rayo:1'>\n"
        "        <header name='X'></offer>\n"
    )
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 10  # the line holding the mismatched tag
    assert "not well-formed" in message


def test_wrong_option_value_names_the_step(tmp_path):
    text = HEADER + "steps:\n  - send to the server: <dial xmlns='urn:xmpp:rayo:1' to='sip:a@b'/>\n    expect: reslt\n"
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 8
    assert message.startswith("step 1, expect")


def test_missing_metadata_is_reported(tmp_path):
    path = write(tmp_path, "id: xep0327.x.y\ntitle: t\nsteps:\n  - caller dials the server\n")
    messages = [m for _, m in problems(path)]
    assert any("'section' is a required property" in m for m in messages)
    assert any("'dialects' is a required property" in m for m in messages)


def test_variable_used_before_any_step_captures_it(tmp_path):
    text = HEADER + "steps:\n  - send to {call}: <answer xmlns='urn:xmpp:rayo:1'/>\n    expect: result\n"
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 7
    assert "unknown variable {call}" in message


def test_a_document_in_any_form_is_a_known_variable_and_must_be_one_the_harness_can_make(tmp_path):
    steps = ("steps:\n  - caller dials the server\n  - expect offer\n"
             "  - send to {call}: <output xmlns='urn:xmpp:rayo:output:1'>{document:%s}</output>\n    expect: result\n")
    assert load_case(write(tmp_path, HEADER + steps % "tone-440-300ms.wav")).steps
    [(line, message)] = problems(write(tmp_path, HEADER + steps % "song.mp3"))
    assert line == 9 and "no document is called 'song.mp3'" in message


def test_duplicate_case_ids_across_files(tmp_path):
    body = HEADER + "steps:\n  - caller dials the server\n"
    paths = [write(tmp_path, body, "a.yaml"), write(tmp_path, body, "b.yaml")]
    with pytest.raises(ScenarioError) as caught:
        load_cases(paths)
    assert "also used by" in str(caught.value)


def test_render_quotes_the_offending_line(tmp_path):
    path = write(tmp_path, HEADER + "steps:\n  - caller dials the server\n  - callee answrs\n")
    with pytest.raises(ScenarioError) as caught:
        load_case(path)
    assert "   8 |   - callee answrs" in caught.value.render()


def test_a_good_case_becomes_typed_steps(tmp_path):
    text = HEADER + (
        "steps:\n"
        "  - caller dials the server:\n"
        "      headers: [[X-A, '1'], [X-A, '2']]\n"
        "  - expect offer\n"
        "  - send to {call}: <answer xmlns='urn:xmpp:rayo:1'/>\n"
        "    expect: {error: [item-not-found, conflict], type: cancel}\n"
        "  - caller receives: [4xx, 200 BYE]\n"
        "  - expect in any order:\n"
        "      - caller receives: BYE\n"
        "      - expect from {call}: <end xmlns='urn:xmpp:rayo:1'/>\n"
        "  - expect nothing more from {call}: {within: 0.2}\n"
        "  - send message to {call}: {type: chat, body: hi}\n"
        "    expect: {error: feature-not-implemented, type: modify}\n"
    )
    case = load_case(write(tmp_path, text))
    dial, offer, send, receives, group, quiet, message = case.steps
    assert dial.headers == (("X-A", "1"), ("X-A", "2"))
    assert isinstance(offer, model.ExpectOffer) and offer.capture == "call"
    assert send.expect[0].conditions == ("item-not-found", "conflict") and send.expect[0].error_type == "cancel"
    assert [m.text for m in receives.messages] == ["4xx", "200 BYE"]
    assert [type(m) for m in group.members] == [model.SipReceives, model.ExpectFrom]
    assert all(m.index == group.index for m in group.members)
    assert quiet.within == 0.2
    assert (message.type, message.body, message.target) == ("chat", "hi", "{call}")
    assert message.expect == (model.IqExpectation("error", conditions=("feature-not-implemented",), error_type="modify"),)
    assert case.sip_parties() == (["caller"], [])


def test_a_message_step_must_say_what_comes_back(tmp_path):
    text = HEADER + "steps:\n  - caller dials the server\n  - expect offer\n  - send message to {call}: {type: chat}\n    expect: result\n"
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 10 and "step 3, expect" in message


def test_a_message_passed_on_awaits_nothing_and_the_caller_checks_its_body(tmp_path):
    text = HEADER + ("steps:\n  - caller dials the server\n  - expect offer\n"
                     "  - send message to {call}: {body: hi}\n"
                     "  - caller receives: {message: MESSAGE, body: 'h*', headers: {Content-Type: text/plain*}}\n")
    _, _, message, receives = load_case(write(tmp_path, text)).steps
    assert message.expect == () and message.type is None
    assert (receives.body, receives.headers) == ("h*", (("Content-Type", "text/plain*"),))


def test_only_a_callees_response_takes_headers(tmp_path):
    text = HEADER + ("steps:\n  - callee answers: {headers: {X-Agent: 7}}\n  - callee rings: {headers: [[X-A, a], [X-A, b]]}\n"
                     "  - callee hangs up: {headers: {X-Why: done}}\n")
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 9 and message == "hangs up takes no headers: only a callee's answer, ring or early media does"
    answers, rings = load_case(write(tmp_path, text.rsplit("  - callee hangs up", 1)[0])).steps
    assert (answers.headers, rings.headers) == ((("X-Agent", "7"),), (("X-A", "a"), ("X-A", "b")))


def test_a_party_cannot_do_what_its_role_cannot(tmp_path):
    text = HEADER + "steps:\n  - caller dials the server\n  - caller answers\n  - callee cancels\n"
    found = problems(write(tmp_path, text))
    assert found == [(8, "caller cannot do that: only a callee answers"), (9, "callee cannot do that: only a caller cancels")]


def test_a_captured_sender_is_known_with_its_bare_jid(tmp_path):
    text = HEADER + ("steps:\n  - caller dials the server\n  - expect offer\n"
                     "  - send to {call.bare}/x: <stop xmlns='urn:xmpp:rayo:ext:1'/>\n    expect: result\n"
                     "  - send to {other.bare}: <stop xmlns='urn:xmpp:rayo:ext:1'/>\n    expect: result\n")
    [(line, message)] = problems(write(tmp_path, text))
    assert line == 11 and "unknown variable {other.bare}" in message


def test_a_subscription_is_sent_and_its_answer_expected_by_a_client_that_asks_for_its_roster(tmp_path):
    text = HEADER + (
        "clients:\n  client: {roster: true}\n"
        "steps:\n  - send presence to conf@rayo.localhost: subscribe\n"
        "  - expect from conf@rayo.localhost: {type: subscribed}\n"
    )
    case = load_case(write(tmp_path, text))
    send, expect = case.steps
    assert (send.target, send.show) == ("conf@rayo.localhost", "subscribe")
    assert expect.type == "subscribed"
    assert case.clients["client"] == model.ClientSpec(roster=True)
    [(line, message)] = problems(write(tmp_path, text.replace("roster: true", "roster: yes please")))
    assert line == 7
