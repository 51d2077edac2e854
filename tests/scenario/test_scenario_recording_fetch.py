"""How the harness gets a recording: by its URI's scheme, from the harness's own address; one it
cannot get at leaves the content check without a verdict (Unfetchable), while the server's own
HTTP error stands."""

from __future__ import annotations

import asyncio
import socket
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.fileserver import FileServer
from conformance.ports import free_port
from conformance.reference.process import ReferenceProcess
from conformance.results import Verdict
from conformance.scenario.loader import load_case_text
from conformance.scenario.media_steps import Unfetchable, fetch
from conformance.scenario.runner import run_case

SERVER, HARNESS = "127.0.0.7", "127.0.0.6"


def test_a_file_uri_is_read_only_on_a_shared_disk(tmp_path):
    recording = tmp_path / "r.wav"
    recording.write_bytes(b"RIFF")
    assert fetch(recording.as_uri(), HARNESS, shared_disk=True) == b"RIFF"
    with pytest.raises(Unfetchable, match="the target claims shared-disk"):
        fetch(recording.as_uri(), HARNESS, shared_disk=False)


def test_a_scheme_the_harness_does_not_speak_is_unfetchable():
    with pytest.raises(Unfetchable, match="not ftp ones"):
        fetch("ftp://127.0.0.7/r.wav", HARNESS, shared_disk=True)


def test_a_server_that_cannot_be_reached_is_unfetchable():
    port = free_port(socket.SOCK_STREAM, SERVER)  # nothing listens there
    with pytest.raises(Unfetchable, match="could not be reached: .*refused"):
        fetch(f"http://{SERVER}:{port}/r.wav", HARNESS, shared_disk=False)


def test_the_servers_http_error_stands(tmp_path):
    server = FileServer(tmp_path, SERVER)
    try:
        with pytest.raises(urllib.error.HTTPError, match="404"):
            fetch(f"{server.url}/missing.wav", HARNESS, shared_disk=False)
    finally:
        server.close()


def test_a_recording_by_http_is_asked_for_from_the_harness_address():
    asked_from: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked_from.append(self.client_address[0])
            self.send_response(200)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"RIFF")

        def log_message(self, *args) -> None:
            pass

    http = ThreadingHTTPServer((SERVER, 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        assert fetch(f"http://{SERVER}:{http.server_address[1]}/r.wav", HARNESS, shared_disk=False) == b"RIFF"
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
    assert asked_from == [HARNESS]


UNFETCHABLE = """\
id: xep0327.test.unfetchable-recording
title: a recording on the server's disk, for a harness that does not share it
section: "6.5.6.4"
requirements: [R-6.5.6.4-c]
dialects: [xep0327]
steps:
  - caller dials the server: {headers: {X-Recording: "file:///nonexistent/r.wav"}}
  - expect offer:
      xml: <offer xmlns="urn:xmpp:rayo:1" to="*" from="*"><header name="X-Recording" value="{capture:rec}"/></offer>
  - recording {rec} holds: {silent: true}
"""


def test_a_recording_the_harness_cannot_fetch_makes_the_case_inconclusive_saying_why(tmp_path):
    """Through the runner, against the reference server: the file: URI comes in the offer's header."""
    case = load_case_text(UNFETCHABLE, "unfetchable.yaml")
    with ReferenceProcess(workdir=tmp_path / "reference") as target:
        result = asyncio.run(run_case(case, target, tmp_path / "case"))
        shared = asyncio.run(run_case(case, target.with_options(claims={**target.claims, "shared-disk": True}), tmp_path / "shared"))
    assert result.verdict is Verdict.INCONCLUSIVE, result.findings
    assert "cannot check the recording file:///nonexistent/r.wav" in result.findings[-1].message
    assert "the target claims shared-disk" in result.findings[-1].message
    assert shared.verdict is Verdict.FAIL  # on a shared disk the file is read, and it is not there
    assert "cannot read the recording file:///nonexistent/r.wav" in shared.findings[-1].message
