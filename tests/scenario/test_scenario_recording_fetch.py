"""How the harness gets a recording: by its URI's scheme, from the harness's own address; one it
cannot get at leaves the content check without a verdict (Unfetchable), while the server's own
HTTP error stands."""

from __future__ import annotations

import socket
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.fileserver import FileServer
from conformance.ports import free_port
from conformance.scenario.media_steps import Unfetchable, fetch

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
