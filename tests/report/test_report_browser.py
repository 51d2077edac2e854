"""A real browser opens the report from file:// and the rendered DOM is checked.

Debian's headless Chromium does the rendering. Without it these tests fail and
say what to install: a browser check that silently skips proves nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import lxml.html
import pytest

from conformance.report import RunInfo, write_report

BROWSER = "chromium"
TIMEOUT = 30  # seconds; a cold start takes about one


def chromium() -> str:
    path = shutil.which(BROWSER)
    if path is None:
        pytest.fail(
            "the browser tests need Debian's headless Chromium: `apt-get install -y chromium` "
            "(the Makefile installs it on fresh machines)",
            pytrace=False,
        )
    return path


def rendered_dom(page: Path, profile: Path) -> lxml.html.HtmlElement:
    """The DOM after Chromium loaded and rendered `page` from file://."""
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", page.as_uri(),
    ]
    # its own session, so that on a timeout the renderer children go too
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as browser:
        try:
            dom, errors = browser.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.communicate()
            # e.g. markup injected into the page opened an alert(), which never returns
            pytest.fail(f"chromium did not finish rendering {page.name} within {TIMEOUT} s", pytrace=False)
    assert browser.returncode == 0 and dom.strip(), f"chromium failed ({browser.returncode}): {errors[-2000:]}"
    return lxml.html.fromstring(dom)


@pytest.fixture(scope="module")
def report(samples, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    results = [samples.failing_result(), samples.passing_result()]
    return write_report(results, out, RunInfo(target="rayo.example", server="ref <img src=x onerror=alert(9)>"))


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


@pytest.fixture(scope="module")
def index_dom(report: Path, profile: Path) -> lxml.html.HtmlElement:
    return rendered_dom(report, profile)


@pytest.fixture(scope="module")
def case_dom(report: Path, profile: Path) -> lxml.html.HtmlElement:
    return rendered_dom(report.parent / "cases" / "xep0327.inbound.answer-then-hangup.html", profile)


def test_the_case_table_has_one_row_per_case(index_dom, samples):
    rows = samples.select(index_dom, "tr.case")
    assert [row.xpath("td")[0].text_content() for row in rows] == ["xep0327.inbound.answer-then-hangup", "xep0327.outbound.dial"]
    assert [row.get("data-verdict") for row in rows] == ["fail", "pass"]
    assert samples.HOSTILE_TITLE in rows[0].text_content()


def test_the_case_page_shows_the_ladder_with_its_arrows(case_dom, samples):
    records = samples.call_records()
    arrows = samples.select(case_dom, "svg.ladder a.arrow")
    assert [a.get("data-seq") for a in arrows] == [str(r.seq) for r in records if r.channel != "note"]
    parties = [g.get("data-party") for g in samples.select(case_dom, "svg.ladder g.lifeline")]
    assert parties == ["client", "client2", "server under test", "caller", "callee"]


def test_the_transcript_shows_malformed_xml_verbatim(case_dom, samples):
    entry = case_dom.get_element_by_id("rec-4")
    # Chromium already dropped the newline after <pre>; what remains is what it shows
    assert samples.select(entry, "pre")[0].text_content() == samples.MALFORMED


def test_server_text_did_not_become_elements(index_dom, case_dom, samples):
    for dom in (index_dom, case_dom):
        assert samples.active_markup(dom) == []
    assert case_dom.xpath("//h1")[0].text_content() == samples.HOSTILE_TITLE
    text = case_dom.text_content()
    assert samples.SCRIPT in text and samples.HOSTILE_JID in text and samples.HOSTILE_LABEL in text
    assert "ref <img src=x onerror=alert(9)>" in index_dom.text_content()
