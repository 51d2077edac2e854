"""Files over HTTP on one address: a directory served from a thread of its own (the harness's
audio documents, the reference server's recordings), and requests made from that address."""

from __future__ import annotations

import http.client
import ssl
import threading
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {".wav": "audio/wav", ".uri": "text/uri-list"}

    def log_message(self, format: str, *args) -> None:
        """Requests are evidence of the server's behaviour, not noise on stderr."""


class FileServer:
    def __init__(self, directory: Path, host: str):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._http = ThreadingHTTPServer((host, 0), partial(_Handler, directory=str(directory)))
        self._thread = threading.Thread(target=self._http.serve_forever, name=f"http-{directory.name}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


def opener(source: str) -> urllib.request.OpenerDirector:
    """urllib with its http: and https: connections made from `source`: a host with several
    addresses (loopback aliases standing in for hosts) shows the same one as its SIP and RTP."""
    return urllib.request.build_opener(_FromHTTP(source), _FromHTTPS(source))


class _FromHTTP(urllib.request.HTTPHandler):
    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, request):
        return self.do_open(partial(http.client.HTTPConnection, source_address=(self.source, 0)), request)


class _FromHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, source: str):
        super().__init__()
        self.source = source
        self.tls = ssl.create_default_context()

    def https_open(self, request):
        return self.do_open(partial(http.client.HTTPSConnection, source_address=(self.source, 0)), request, context=self.tls)
