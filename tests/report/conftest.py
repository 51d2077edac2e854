"""Hand-built case results for the report tests, hostile ones included.

Test modules are imported with --import-mode=importlib and cannot import this
file, so everything in it reaches them through the `samples` fixture.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from conformance.results import CaseResult, Finding, Verdict
from conformance.transcript import Record, Transcript

# Server-supplied text that would become markup if it were not escaped.
SCRIPT = '<script>alert("stanza")</script>'
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_JID = f'evil{IMG}@rayo.example'
HOSTILE_LABEL = "presence <script>alert('label')</script>"
HOSTILE_TITLE = 'Answer <img src=x onerror=alert("title")> then hang up'
MALFORMED = f'<iq type="result" id="a1" x="{IMG}">\n  {SCRIPT}'
WELL_FORMED_HOSTILE = (
    '<message from="call1@rayo.example" to="client@example.net/r">'
    '<body a="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;">hi</body>'
    '<script xmlns="urn:example">alert(3)</script></message>'
)


def clock(step: float = 0.037):
    """A fake monotonic clock: 100.0, then `step` seconds later each call."""
    ticks = iter(100.0 + i * step for i in range(10_000))
    return lambda: next(ticks)


def call_records() -> list[Record]:
    """An inbound call answered and hung up, with two clients and two SIP ends."""
    t = Transcript(clock=clock())
    t.note("runner", "case starts")
    t.add("sip", "sent", "caller", "sip:rayo@127.0.0.1:5060", "INVITE", "INVITE sip:rayo@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n\r\n")
    t.add("xmpp", "received", "client", "call1@rayo.example", "presence offer",
          '<presence from="call1@rayo.example"><offer xmlns="urn:xmpp:rayo:1" to="sip:a" from="sip:b"/></presence>')
    t.add("xmpp", "sent", "client", "call1@rayo.example", "iq set answer",
          '<iq type="set" id="a1" to="call1@rayo.example"><answer xmlns="urn:xmpp:rayo:1"/></iq>')
    t.add("xmpp", "received", "client", HOSTILE_JID, HOSTILE_LABEL, MALFORMED)
    t.add("sip", "received", "caller", "sip:rayo@127.0.0.1:5060", "200 OK", "SIP/2.0 200 OK\r\n\r\n")
    t.add("xmpp", "received", "client2", "call1@rayo.example", "message", WELL_FORMED_HOSTILE)
    t.add("sip", "received", "callee", "sip:rayo@127.0.0.1:5060", "BYE", "BYE sip:callee@127.0.0.1 SIP/2.0\r\n\r\n")
    t.note("caller", "SIPp exited 0")
    return t.records


def failing_result(artifacts: list[Path] | None = None) -> CaseResult:
    return CaseResult(
        case_id="xep0327.inbound.answer-then-hangup",
        title=HOSTILE_TITLE,
        dialect="xep0327",
        section="6.2.2",
        requirements=["R-6.2.2-f", "R-6.2.2-g"],
        source="scenarios/xep0327/inbound/answer.yaml:7",
        verdict=Verdict.FAIL,
        findings=[
            Finding("expectation", "The answer was not acknowledged with a result", step=4,
                    expected='<iq type="result" id="a1"/>', actual=MALFORMED, record=4),
            Finding("schema", "<body> has an attribute the schema does not allow", level="should", record=6,
                    requirements=("R-7.2-a",)),
        ],
        records=call_records(),
        artifacts=artifacts or [],
        duration=1.25,
    )


def passing_result(case_id: str = "xep0327.outbound.dial", title: str = "Dial out") -> CaseResult:
    return CaseResult(case_id=case_id, title=title, dialect="xep0327", verdict=Verdict.PASS,
                      records=call_records()[:3], duration=0.5)


def parse_html(fragment: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


def pre_text(element: lxml.html.HtmlElement) -> str:
    """What a browser shows in a <pre>: HTML drops one newline right after the tag."""
    text = element.text_content()
    return text[1:] if text.startswith("\n") else text


def select(tree, selector: str) -> list:
    """Descendants matching "tag", ".class" or "tag.class", or such steps separated
    by spaces (a tiny stand-in for CSS selectors, so as not to need cssselect)."""
    elements = [tree]
    for step in selector.split():
        tag, _, css_class = step.partition(".")
        test = f"[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]" if css_class else ""
        path = f".//*[local-name()='{tag}']{test}" if tag else f".//*{test}"
        elements = [found for element in elements for found in element.xpath(path)]
    return list(dict.fromkeys(elements))  # an element reached twice counts once


ACTIVE_TAGS = {"script", "img", "iframe", "object", "embed"}


def active_markup(tree: lxml.html.HtmlElement) -> list[str]:
    """Elements or event-handler attributes that could run code, as readable strings."""
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ACTIVE_TAGS:
            found.append(f"<{tag}>")
        found += [f"{tag}[{name}]" for name in element.attrib if name.lower().startswith("on")]
    return found


class Samples:
    SCRIPT = SCRIPT
    IMG = IMG
    HOSTILE_JID = HOSTILE_JID
    HOSTILE_LABEL = HOSTILE_LABEL
    HOSTILE_TITLE = HOSTILE_TITLE
    MALFORMED = MALFORMED
    WELL_FORMED_HOSTILE = WELL_FORMED_HOSTILE
    clock = staticmethod(clock)
    parse_html = staticmethod(parse_html)
    select = staticmethod(select)
    pre_text = staticmethod(pre_text)
    active_markup = staticmethod(active_markup)
    call_records = staticmethod(call_records)
    failing_result = staticmethod(failing_result)
    passing_result = staticmethod(passing_result)


@pytest.fixture(scope="session")
def samples() -> type[Samples]:
    return Samples
