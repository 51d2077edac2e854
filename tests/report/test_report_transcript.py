"""transcript_html: times, ends, raw text, escaping, links to findings."""

from __future__ import annotations

from conformance.results import Finding
from conformance.report import transcript_html
from conformance.report.transcript import pretty_xml
from conformance.transcript import Transcript


def entries(samples, fragment):
    return samples.select(samples.parse_html(fragment), "section.rec")


def test_every_record_has_an_entry_with_time_direction_party_and_peer(samples):
    records = samples.call_records()
    found = entries(samples, transcript_html(records))
    assert [e.get("id") for e in found] == [f"rec-{r.seq}" for r in records]
    invite = found[1]
    assert samples.select(invite, ".rec-time")[0].text_content() == "37 ms"
    assert samples.select(invite, ".party")[0].text_content() == "caller"
    assert samples.select(invite, ".dir")[0].text_content() == "→"
    assert samples.select(invite, ".peer")[0].text_content() == "sip:rayo@127.0.0.1:5060"
    offer = found[2]
    assert samples.select(offer, ".rec-time")[0].text_content() == "74 ms"
    assert samples.select(offer, ".dir")[0].text_content() == "←"


def test_times_are_relative_to_the_first_record(samples):
    t = Transcript(clock=samples.clock(step=1.5))
    t.add("xmpp", "sent", "client", "rayo.example", "a", "<a/>")
    t.add("xmpp", "received", "client", "rayo.example", "b", "<b/>")
    times = [samples.select(e, ".rec-time")[0].text_content() for e in entries(samples, transcript_html(t.records))]
    assert times == ["0 ms", "1500 ms"]


def test_xmpp_is_indented_when_it_parses(samples):
    records = samples.call_records()
    answer = entries(samples, transcript_html(records))[3]
    assert samples.pre_text(samples.select(answer, "pre")[0]) == (
        '<iq type="set" id="a1" to="call1@rayo.example">\n'
        '  <answer xmlns="urn:xmpp:rayo:1"/>\n'
        "</iq>"
    )


def test_malformed_xml_is_shown_exactly_as_it_came(samples):
    records = samples.call_records()
    entry = entries(samples, transcript_html(records))[4]
    assert samples.pre_text(samples.select(entry, "pre")[0]) == samples.MALFORMED
    assert "not well-formed" in samples.select(entry, ".rec-remark")[0].text_content()


def test_a_leading_newline_in_the_raw_text_survives(samples):
    t = Transcript(clock=samples.clock())
    t.add("xmpp", "received", "client", "rayo.example", "broken", "\n<iq")
    assert '<pre class="rec-text">\n\n&lt;iq</pre>' in transcript_html(t.records)


def test_markup_around_the_element_is_not_pretty_printed_away():
    for text in ('<?xml version="1.0"?><iq/>', '<!DOCTYPE iq [<!ENTITY x "y">]><iq>&x;</iq>', "<iq/><!-- after -->", "<a/><b/>"):
        shown, remark = pretty_xml(text)
        assert (shown, bool(remark)) == (text, True), text


def test_sip_is_preformatted_verbatim(samples):
    records = samples.call_records()
    invite = entries(samples, transcript_html(records))[1]
    # HTML parsing turns CRLF into LF, in browsers too; nothing else may change
    assert samples.pre_text(samples.select(invite, "pre.rec-text")[0]) == records[1].text.replace("\r\n", "\n")
    assert samples.select(invite, ".rec-remark") == []


def test_hostile_server_text_stays_text(samples):
    tree = samples.parse_html(transcript_html(samples.call_records()))
    assert samples.active_markup(tree) == []
    text = tree.text_content()
    assert samples.SCRIPT in text  # the malformed stanza, verbatim
    assert samples.HOSTILE_JID in text
    assert samples.HOSTILE_LABEL in text
    assert '<script xmlns="urn:example">alert(3)</script>' in text  # well-formed, indented
    assert "onerror=alert(2)" in text


def test_findings_highlight_and_link_their_records(samples):
    findings = [
        Finding("expectation", "no result", record=4),
        Finding("harness", "unrelated"),
        Finding("schema", "bad attribute", record=4),
    ]
    found = entries(samples, transcript_html(samples.call_records(), findings))
    flagged = [e for e in found if "flagged" in e.get("class").split()]
    assert [e.get("id") for e in flagged] == ["rec-4"]
    links = [a.get("href") for a in samples.select(flagged[0], ".rec-findings a")]
    assert links == ["#finding-1", "#finding-3"]


def test_anchor_prefix_is_applied_to_ids_and_links(samples):
    fragment = transcript_html(samples.call_records(), [Finding("expectation", "x", record=2)], "c1-")
    entry = entries(samples, fragment)[2]
    assert entry.get("id") == "c1-rec-2"
    assert samples.select(entry, ".rec-findings a")[0].get("href") == "#c1-finding-1"


def test_no_records_says_so():
    assert "No messages" in transcript_html([])


def test_characters_that_reorder_or_hide_text_are_shown_by_code_point(samples):
    override = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows would read backwards
    t = Transcript(clock=samples.clock())
    t.add("xmpp", "received", "client", f"call{override}1@rayo.example", f"presence offer{override}",
          f'<presence from="call{override}1@rayo.example"><offer xmlns="urn:xmpp:rayo:1" to="sip:a" from="sip:{override}gnp.exe"/></presence>')
    t.add("sip", "received", "caller", "sip:rayo@127.0.0.1", "INFO", "INFO sip:a SIP/2.0\r\nX-Note: a\u2066b\u200bc\x1b[2J\r\n\r\n")
    fragment = transcript_html(t.records)
    assert override not in fragment and "\u2066" not in fragment and "\u200b" not in fragment and "\x1b" not in fragment
    text = samples.parse_html(fragment).text_content()
    assert "sip:[U+202E]gnp.exe" in text and "call[U+202E]1@rayo.example" in text and "presence offer[U+202E]" in text
    assert "X-Note: a[U+2066]b[U+200B]c[U+001B][2J\n" in text  # line ends stay as they are
