"""ladder_svg: lifelines, one arrow per message, notes, links, escaping."""

from __future__ import annotations

from lxml import etree

from conformance.report import ladder_svg
from conformance.report.ladder import COLOURS, FLAGGED, SERVER
from conformance.transcript import Transcript

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> etree._Element:
    """The SVG must be well-formed XML on its own, not only tag soup a browser forgives."""
    return etree.fromstring(svg)


def arrows(root: etree._Element) -> list[etree._Element]:
    return root.findall(f"{SVG}a[@class='arrow']")


def lifeline_x(root: etree._Element) -> dict[str, float]:
    return {
        g.get("data-party"): float(g.find(f"{SVG}line").get("x1"))
        for g in root.findall(f"{SVG}g[@class='lifeline']")
    }


def test_one_lifeline_per_actor_and_one_for_the_server(samples):
    root = parse(ladder_svg(samples.call_records()))
    assert list(lifeline_x(root)) == ["client", "client2", SERVER, "caller", "callee"]
    heads = [t.text for t in root.iter(f"{SVG}text") if t.getparent().get("class") == "lifeline-head"]
    assert heads.count("server under test") == 2  # at the top and at the foot


def test_clients_left_of_the_server_and_sip_ends_right(samples):
    x = lifeline_x(parse(ladder_svg(samples.call_records())))
    assert x["client"] < x["client2"] < x[SERVER] < x["caller"] < x["callee"]


def test_one_arrow_per_message_and_one_box_per_note(samples):
    records = samples.call_records()
    root = parse(ladder_svg(records))
    messages = [r for r in records if r.channel != "note"]
    notes = [r for r in records if r.channel == "note"]
    assert [a.get("data-seq") for a in arrows(root)] == [str(r.seq) for r in messages]
    assert [a.get("href") for a in arrows(root)] == [f"#rec-{r.seq}" for r in messages]
    boxes = root.findall(f"{SVG}a[@class='note']")
    assert [b.get("href") for b in boxes] == [f"#rec-{r.seq}" for r in notes]


def test_arrows_point_from_sender_to_receiver(samples):
    records = samples.call_records()
    root = parse(ladder_svg(records))
    x = lifeline_x(root)
    by_seq = {int(a.get("data-seq")): a.find(f"{SVG}line") for a in arrows(root)}
    invite, offer = by_seq[1], by_seq[2]  # caller sent INVITE; client received offer
    assert (float(invite.get("x1")), float(invite.get("x2"))) == (x["caller"], x[SERVER])
    assert (float(offer.get("x1")), float(offer.get("x2"))) == (x[SERVER], x["client"])


def test_labels_and_relative_times_are_drawn(samples):
    root = parse(ladder_svg(samples.call_records()))
    labels = [a.find(f"{SVG}text").text for a in arrows(root)]
    assert labels[:3] == ["INVITE", "presence offer", "iq set answer"]
    times = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "time"]
    assert times[:3] == ["0 ms", "37 ms", "74 ms"]


def test_hostile_label_and_jid_stay_text(samples):
    root = parse(ladder_svg(samples.call_records()))
    assert [e.tag for e in root.iter() if etree.QName(e).localname in ("script", "img")] == []
    hostile = next(a for a in arrows(root) if a.get("data-seq") == "4")
    assert hostile.find(f"{SVG}text").text == samples.HOSTILE_LABEL  # the arrow is long enough
    assert samples.HOSTILE_JID in hostile.find(f"{SVG}title").text
    assert samples.active_markup(samples.parse_html(ladder_svg(samples.call_records()))) == []


def test_hostile_party_names_stay_text(samples):
    party = 'x"><img src=x onerror=alert(5)>'
    t = Transcript(clock=samples.clock())
    t.add("xmpp", "sent", party, "rayo.example", "iq", "<iq/>")
    t.note(party, "a note")
    svg = ladder_svg(t.records)
    assert samples.active_markup(samples.parse_html(svg)) == []
    assert [g.get("data-party") for g in parse(svg).findall(f"{SVG}g[@class='lifeline']")] == [party, SERVER]


def test_flagged_records_are_drawn_in_red(samples):
    root = parse(ladder_svg(samples.call_records(), flagged={4}))
    colours = {a.get("data-seq"): a.find(f"{SVG}line").get("stroke") for a in arrows(root)}
    assert colours["4"] == FLAGGED
    assert colours["3"] == COLOURS["xmpp"] and colours["1"] == COLOURS["sip"]


def test_a_hundred_records_make_a_tall_diagram_with_every_arrow(samples):
    t = Transcript(clock=samples.clock())
    for i in range(100):
        t.add("xmpp", "sent" if i % 2 else "received", "client", "rayo.example", f"stanza {i}", "<iq/>")
    root = parse(ladder_svg(t.records))
    assert len(arrows(root)) == 100
    assert float(root.get("height")) > 100 * 25


def test_long_labels_are_shortened_with_the_full_text_in_the_tooltip(samples):
    t = Transcript(clock=samples.clock())
    long = "iq set " + "output " * 20
    t.add("xmpp", "sent", "client", "rayo.example", long, "<iq/>")
    arrow = arrows(parse(ladder_svg(t.records)))[0]
    assert arrow.find(f"{SVG}text").text.endswith("…")
    assert long.strip() in arrow.find(f"{SVG}title").text


def test_anchor_prefix_reaches_the_links(samples):
    root = parse(ladder_svg(samples.call_records(), anchor_prefix="c7-"))
    assert arrows(root)[0].get("href") == "#c7-rec-1"
