"""The suite with the reference server and the harness on two other loopback addresses, as if on
two hosts: Linux answers on all of 127.0.0.0/8 without configuration. No SIP, SDP, RTP, HTTP or
XMPP of the run may use 127.0.0.1: the packets captured on `lo` to and from the server show what
was really sent (all of it is between the server and the harness's address), the transcript what
the messages said."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conformance.resources import scenarios_dir

from .capture import CaptureUnavailable, LoopbackCapture

pytest_plugins = ["pytester"]

# Addresses of this file alone (other tests use other aliases): a capture sees every packet on lo
# to or from them, including those of tests running beside it.
SERVER, HARNESS = "127.0.0.9", "127.0.0.5"
LEFT_ON_THE_ROUTE = "127.0.0.10"  # the server of the run that shows the check can fail
ANY_OTHER = "127.0.0.1"


@pytest.fixture
def capture(pytester):
    """capture(*hosts) starts capturing their packets; each stops when read, or when the test ends."""
    started: list[LoopbackCapture] = []

    def start(*hosts: str) -> LoopbackCapture:
        packets = LoopbackCapture(pytester.path / "lo.pcap", hosts)
        try:
            packets.start()
        except CaptureUnavailable as err:
            pytest.skip(f"no packet capture here (make test installs tcpdump; capturing needs root): {err}")
        started.append(packets)
        return packets

    yield start
    for packets in started:
        packets.stop()


def run_suite(pytester, server: str, *arguments: str):
    """A run against a reference server started on `server`; its results.json."""
    result = pytester.runpytest_subprocess(
        *arguments, "-p", "no:cacheprovider", "-q", "--rayo-report", "report", "--rayo-reference-host", server, timeout=600,
    )
    return result, json.loads((pytester.path / "report" / "results.json").read_text())


def messages_naming(results: dict, address: str) -> list[str]:
    """Where an XMPP stanza or SIP message of the run (either way) names the address."""
    return [f"{case['case_id']}: {record['label']}" for case in results["cases"] for record in case["records"]
            if record["channel"] in ("xmpp", "sip") and address in record["text"]]


def test_the_suite_passes_with_server_and_harness_on_other_addresses_and_127_0_0_1_unused(pytester, capture):
    packets = capture(SERVER)
    result, results = run_suite(pytester, SERVER, str(scenarios_dir() / "xep0327"), "-n", "2", "--rayo-harness-address", HARNESS)
    outcomes = result.parseoutcomes()
    assert result.ret == 0 and not outcomes.get("failed") and not outcomes.get("errors"), result.stdout.str()[-3000:]
    verdicts = {case["verdict"] for case in results["cases"]}
    assert verdicts <= {"pass", "warn", "not-applicable"} and len(results["cases"]) > 100, verdicts
    assert messages_naming(results, ANY_OTHER) == []
    assert messages_naming(results, HARNESS) and messages_naming(results, SERVER)  # the check reads where addresses are
    # Every packet to or from the server was between it and the harness's address, both ways.
    pairs = Counter(packets.pairs())
    assert set(pairs) == {(HARNESS, SERVER), (SERVER, HARNESS)}, pairs


def test_a_harness_left_on_the_default_route_shows_in_the_capture(pytester, capture):
    """The check can fail: to another loopback address the kernel's route starts from 127.0.0.1,
    so a harness without its own address sends from there (a case with SIP, RTP and a document)."""
    packets = capture(LEFT_ON_THE_ROUTE)
    case = scenarios_dir() / "xep0327" / "output" / "audio-file-finishes.yaml"
    result, results = run_suite(pytester, LEFT_ON_THE_ROUTE, str(case))
    result.assert_outcomes(passed=1)
    assert messages_naming(results, ANY_OTHER)
    assert (ANY_OTHER, LEFT_ON_THE_ROUTE) in set(packets.pairs())

