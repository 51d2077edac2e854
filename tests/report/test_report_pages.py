"""write_report and case_extras_html: the index, case pages, results.json, artifacts."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest

from conformance.report import RunInfo, case_extras_html, write_report
from conformance.results import CaseResult, Verdict

RUN = RunInfo(
    target='rayo.example"><img src=x onerror=alert("target")>',
    server="mod_rayo <script>alert(1)</script>",
    strict=True,
    started=datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc),
)


@pytest.fixture
def report(samples, tmp_path: Path) -> Path:
    trace = tmp_path / "sipp" / "caller_messages.log"
    trace.parent.mkdir()
    trace.write_text("INVITE sip:rayo@127.0.0.1 SIP/2.0\n")
    results = [
        samples.failing_result(artifacts=[trace, tmp_path / "gone.log"]),
        samples.passing_result(),
        CaseResult("seed/odd id", "Not for this server", "seed", verdict=Verdict.NOT_APPLICABLE),
    ]
    return write_report(results, tmp_path / "out", RUN)


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def case_page(report: Path, samples) -> lxml.html.HtmlElement:
    return page(report.parent / "cases" / "xep0327.inbound.answer-then-hangup.html")


def test_index_lists_every_case_in_order_with_its_page(report, samples):
    rows = samples.select(page(report), "tr.case")
    cells = [[td.text_content() for td in row.xpath("td")] for row in rows]
    assert [c[0] for c in cells] == ["xep0327.inbound.answer-then-hangup", "xep0327.outbound.dial", "seed/odd id"]
    assert [c[3] for c in cells] == ["fail", "pass", "not applicable"]
    assert cells[0][2] == "R-6.2.2-f, R-6.2.2-g"
    assert cells[0][4] == "1.25 s"
    links = [row.xpath("td/a")[0].get("href") for row in rows]
    assert links == ["cases/xep0327.inbound.answer-then-hangup.html", "cases/xep0327.outbound.dial.html", "cases/seed_odd_id.html"]
    assert all((report.parent / link).is_file() for link in links)


def test_index_summarises_the_run(report, samples):
    tree = page(report)
    facts = {tr.xpath("th")[0].text_content(): tr.xpath("td")[0].text_content() for tr in samples.select(tree, "table.facts tr")}
    assert facts["target"] == RUN.target
    assert facts["server"] == RUN.server
    assert facts["dialect"] == "xep0327"
    assert facts["harness"] == f"rayo-conformance {RUN.harness_version}"
    assert facts["started"] == "2026-11-26T09:30:00+00:00"
    assert facts["mode"].startswith("strict")
    counts = {li.get("data-verdict"): li.xpath("span[@class='n']")[0].text for li in samples.select(tree, "ul.counts li")}
    assert counts == {"pass": "1", "fail": "1", "warn": "0", "inconclusive": "0", "not-applicable": "1", "error": "0"}


def test_hostile_run_and_case_text_stays_text(report, samples):
    index, case = page(report), case_page(report, samples)
    assert samples.active_markup(index) == []
    assert samples.active_markup(case) == []
    assert samples.HOSTILE_TITLE in index.text_content()
    assert case.xpath("//h1")[0].text_content() == samples.HOSTILE_TITLE
    assert case.xpath("//title")[0].text_content() == f"fail: {samples.HOSTILE_TITLE}"


def test_case_page_shows_the_case_facts(report, samples):
    tree = case_page(report, samples)
    facts = {tr.xpath("th")[0].text_content(): tr.xpath("td")[0].text_content() for tr in samples.select(tree, "table.facts tr")}
    assert facts["section"] == "6.2.2"
    assert facts["requirements"] == "R-6.2.2-f, R-6.2.2-g"
    assert facts["scenario"] == "scenarios/xep0327/inbound/answer.yaml:7"
    assert facts["verdict"] == "fail"
    assert samples.select(tree, "a")[0].get("href") == "../index.html"


def test_findings_show_expected_and_actual_with_step_and_record(report, samples):
    tree = case_page(report, samples)
    groups = samples.select(tree, "section.finding-group")
    assert [g.xpath("h2")[0].text for g in groups] == ["Findings", "Schema findings"]
    first = samples.select(groups[0], "li.finding")[0]
    assert first.get("id") == "finding-1"
    assert "step 4" in samples.select(first, ".finding-head")[0].text_content()
    assert samples.pre_text(samples.select(first, ".expected pre")[0]) == '<iq type="result" id="a1"/>'
    assert samples.pre_text(samples.select(first, ".actual pre")[0]) == samples.MALFORMED
    assert samples.select(first, ".finding-head a")[0].get("href") == "#rec-4"
    schema = samples.select(groups[1], "li.finding")[0]
    assert schema.get("id") == "finding-2"
    assert "SHOULD" in schema.text_content()
    assert samples.select(schema, ".graded-by")[0].text == "R-7.2-a"  # the requirement that graded it
    assert not samples.select(first, ".graded-by")  # a finding naming none shows none
    assert tree.get_element_by_id("rec-4") is not None  # the link has a target


def test_case_page_has_the_ladder_and_the_transcript(report, samples):
    tree = case_page(report, samples)
    records = samples.call_records()
    assert len(samples.select(tree, "svg.ladder a.arrow")) == len([r for r in records if r.channel != "note"])
    assert len(samples.select(tree, ".transcript section.rec")) == len(records)


def test_a_case_without_messages_says_so_instead_of_drawing_an_empty_ladder(report, samples):
    tree = page(report.parent / "cases" / "seed_odd_id.html")
    assert samples.select(tree, "svg") == []
    assert "No messages" in samples.select(tree, "section.ladder-section")[0].text_content()


def test_facts_the_runner_left_empty_say_none(report, samples):
    tree = page(report.parent / "cases" / "seed_odd_id.html")
    facts = {tr.xpath("th")[0].text_content(): tr.xpath("td")[0].text_content() for tr in samples.select(tree, "table.facts tr")}
    assert (facts["section"], facts["requirements"], facts["scenario"]) == ("none", "none", "none")


def test_artifacts_are_copied_and_linked_relative_to_the_report(report, samples):
    tree = case_page(report, samples)
    items = samples.select(tree, "ul.artifacts li")
    href = items[0].xpath("a")[0].get("href")
    assert href == "../artifacts/xep0327.inbound.answer-then-hangup/caller_messages.log"
    copied = (report.parent / "cases" / href).resolve()
    assert copied.read_text() == "INVITE sip:rayo@127.0.0.1 SIP/2.0\n"
    assert "missing" in items[1].text_content() and items[1].xpath("a") == []


def test_artifacts_already_in_the_report_are_linked_in_place(samples, tmp_path: Path):
    out = tmp_path / "out"
    trace = out / "sipp" / "trace.log"
    trace.parent.mkdir(parents=True)
    trace.write_text("x")
    write_report([samples.failing_result(artifacts=[trace])], out, RUN)
    document = json.loads((out / "results.json").read_text())
    assert document["cases"][0]["artifacts"] == [{"name": "trace.log", "source": str(trace), "path": "sipp/trace.log"}]
    assert not (out / "artifacts").exists()


def test_cases_whose_ids_make_the_same_file_name_get_distinct_pages(samples, tmp_path: Path):
    results = [samples.passing_result("a/b", "one"), samples.passing_result("a_b", "two")]
    write_report(results, tmp_path, RUN)
    pages = [case["page"] for case in json.loads((tmp_path / "results.json").read_text())["cases"]]
    assert pages == ["cases/a_b.html", "cases/a_b-2.html"]
    assert page(tmp_path / pages[1]).xpath("//h1")[0].text == "two"


def test_results_json_holds_the_whole_evidence(report, samples):
    document = json.loads((report.parent / "results.json").read_text(encoding="utf-8"))
    assert document["format"] == "rayo-conformance-results/1"
    assert document["run"] == {
        "target": RUN.target, "server": RUN.server, "dialect": "xep0327", "strict": True,
        "certify": False, "claims": [], "notes": [],
        "harness_version": RUN.harness_version, "started": "2026-11-26T09:30:00+00:00",
    }
    assert document["counts"]["fail"] == 1 and document["counts"]["not-applicable"] == 1
    case = document["cases"][0]
    assert case["title"] == samples.HOSTILE_TITLE
    assert case["verdict"] == "fail"
    assert case["page"] == "cases/xep0327.inbound.answer-then-hangup.html"
    assert case["findings"][0] == {
        "kind": "expectation", "message": "The answer was not acknowledged with a result", "step": 4,
        "expected": '<iq type="result" id="a1"/>', "actual": samples.MALFORMED, "level": "must", "record": 4,
        "requirements": [],
    }
    records = samples.call_records()
    assert [r["text"] for r in case["records"]] == [r.text for r in records]
    assert case["records"][1] == {
        "seq": 1, "t": records[1].t, "ms": 37, "channel": "sip", "direction": "sent", "party": "caller",
        "peer": "sip:rayo@127.0.0.1:5060", "label": "INVITE", "text": records[1].text,
    }


def test_pages_use_no_network_resource(report):
    """Opened from file://, offline: every link and source is relative or a fragment."""
    for path in [report, *report.parent.glob("cases/*.html")]:
        for element in page(path).iter():
            for name in ("href", "src", "{http://www.w3.org/1999/xlink}href"):
                value = element.get(name)
                assert value is None or not re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.I), (path.name, value)
    assert (report.parent / "report.css").read_text().startswith(".rayo")


def test_extras_fragment_carries_findings_ladder_transcript_and_style(samples):
    tree = samples.parse_html(case_extras_html(samples.failing_result()))
    assert tree.xpath(".//style")
    assert len(samples.select(tree, "li.finding")) == 2
    assert samples.select(tree, "svg.ladder")
    assert len(samples.select(tree, ".transcript section.rec")) == len(samples.call_records())
    assert samples.active_markup(tree) == []


def test_extras_of_two_cases_share_no_anchor(samples):
    def ids(result: CaseResult) -> set[str]:
        return {e.get("id") for e in samples.parse_html(case_extras_html(result)).iter() if e.get("id")}

    first, second = ids(samples.failing_result()), ids(samples.passing_result())
    assert first and second and not first & second
    # and the links inside a fragment reach its own anchors
    tree = samples.parse_html(case_extras_html(samples.failing_result()))
    targets = {a.get("href")[1:] for a in tree.iter() if (a.get("href") or "").startswith("#")}
    assert targets <= first


def test_a_bidi_override_from_the_server_is_shown_by_code_point_on_every_part_of_the_page(samples, tmp_path: Path):
    from conformance.plugin import _findings_text
    from conformance.results import Finding
    from conformance.transcript import Transcript

    override = "\u202e"
    transcript = Transcript(clock=samples.clock())
    transcript.add("xmpp", "received", "client", f"c{override}1@rayo.example", f"presence {override}offer",
                   f"<presence from='c{override}1@rayo.example'><offer xmlns='urn:xmpp:rayo:1' to='sip:{override}a'/></presence>")
    finding = Finding("expectation", f"R-6.2.2-f: an offer must come from its call's JID, but it comes from c{override}1@evil", record=0)
    result = CaseResult("xep0327.inbound.x", "X", "xep0327", verdict=Verdict.FAIL, findings=[finding], records=transcript.records)
    html = (write_report([result], tmp_path / "out", RUN).parent / "cases" / "xep0327.inbound.x.html").read_text(encoding="utf-8")
    assert override not in html
    tree = lxml.html.fromstring(html)
    assert "comes from c[U+202E]1@evil" in samples.select(tree, "li.finding")[0].text_content()
    assert "c[U+202E]1@rayo.example" in samples.select(tree, "svg.ladder")[0].text_content()
    assert 'to="sip:[U+202E]a"' in samples.select(tree, ".transcript")[0].text_content()
    assert override not in _findings_text(result) and "c[U+202E]1@evil" in _findings_text(result)  # the terminal, JUnit
