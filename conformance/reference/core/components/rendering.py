"""Documents rendered into audio, so that what an output plays is known to the sample.

  * audio by URL (file:, or http: on a loopback address): a WAV of 16-bit PCM at 8 kHz;
  * text/uri-list: the WAVs it lists, one after another;
  * speech (application/ssml+xml, text/plain): each word is 200 ms of a
    600 Hz tone at -15 dBFS, <break time="…"/> is silence, <audio src="…"/> a WAV.

A document that cannot be rendered is refused before the output is
acknowledged (R-6.5.3-d): an unknown kind with feature-not-implemented, one
that cannot be fetched or read with bad-request.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from pathlib import Path

from lxml import etree

from ....fileserver import opener
from ....media.tone import tone_samples
from ....ports import LOOPBACK
from ....media.wav import WavError, read_wav
from ..errors import CommandError

WORD_MS = 200
WORD_HZ = 600
WORD_AMPLITUDE = 0.25
FETCH_TIMEOUT = 2.0  # seconds: documents come from loopback, an answer takes milliseconds
_TYPES = {".wav": "audio/wav", ".uri": "text/uri-list", ".ssml": "application/ssml+xml", ".txt": "text/plain"}
_BREAK = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def render_document(document: etree._Element, *, list_limit: int | None = None, source: str = LOOPBACK) -> list[int]:
    """The samples of an output's <document>: by url, or inline with its content-type.

    `list_limit` plays only that many entries of a text/uri-list (a fault); `source` is the
    server's address, which its HTTP requests come from."""
    url = document.get("url")
    if url is not None:
        data, kind = fetch(url, source)
        return render(data, kind, depth=0, list_limit=list_limit, source=source)
    kind = document.get("content-type", "")
    body = (document.text or "").strip()
    if not body:
        body = "".join(etree.tostring(child, encoding="unicode") for child in document if isinstance(child.tag, str))
    if not body:
        raise CommandError("bad-request", "modify", "an inline document needs a body")
    return render(body.encode(), kind, depth=0, list_limit=list_limit, source=source)


def render(data: bytes, kind: str, depth: int, list_limit: int | None = None, source: str = LOOPBACK) -> list[int]:
    kind = kind.split(";")[0].strip().lower()
    if kind in ("audio/wav", "audio/x-wav", "audio/wave"):
        return _wav(data)
    if kind == "text/uri-list" and depth == 0:
        lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
        urls = [line for line in lines if line and not line.startswith("#")][:list_limit]
        return [s for url in urls for s in render(*fetch(url, source), depth=1)]
    if kind == "application/ssml+xml":
        return _ssml(data, source)
    if kind == "text/plain":
        return _words(data.decode("utf-8", "replace"))
    raise CommandError("feature-not-implemented", "modify", f"cannot render a document of type {kind or 'unknown'}")


def fetch(url: str, source: str = LOOPBACK) -> tuple[bytes, str]:
    """The bytes at a file: URL or an http: URL on loopback, and their media type."""
    parsed = urllib.parse.urlparse(url)
    try:
        if parsed.scheme == "file":
            path = Path(urllib.parse.unquote(parsed.path))
            return path.read_bytes(), _TYPES.get(path.suffix.lower(), "")
        if parsed.scheme == "http" and _on_loopback(parsed.hostname):
            # A blocking read, bounded: documents are served on loopback.
            with opener(source).open(url, timeout=FETCH_TIMEOUT) as response:
                kind = response.headers.get_content_type()
                if kind in ("application/octet-stream", "text/plain"):
                    kind = _TYPES.get(Path(parsed.path).suffix.lower(), kind)
                return response.read(), kind
    except OSError as err:
        raise CommandError("bad-request", "modify", f"cannot fetch {url}: {err}") from None
    raise CommandError("feature-not-implemented", "modify", f"fetches only file: URLs and http: URLs on loopback, not {url}")


def _on_loopback(host: str | None) -> bool:
    """The reference server reaches no other host (127.0.0.0/8 stands in for other hosts)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _wav(data: bytes) -> list[int]:
    try:
        wav = read_wav(data)
    except WavError as err:
        raise CommandError("bad-request", "modify", f"unreadable audio: {err}") from None
    if wav.rate != 8000:
        raise CommandError("feature-not-implemented", "modify", f"plays 8 kHz audio only, not {wav.rate} Hz")
    return wav.mono()


def _words(text: str) -> list[int]:
    return tone_samples([WORD_HZ], WORD_MS * len(text.split()), amplitude=WORD_AMPLITUDE)


def _ssml(data: bytes, source: str) -> list[int]:
    try:
        root = etree.fromstring(data, _SAFE_XML)
    except etree.XMLSyntaxError as err:
        raise CommandError("bad-request", "modify", f"the SSML is not well-formed: {err}") from None
    return _speak(root, source)


def render_speech(element: etree._Element, source: str = LOOPBACK) -> list[int]:
    """The samples of speech markup already parsed (the seed's <say>): words, breaks and audio in order."""
    return _speak(element, source)


def _speak(element: etree._Element, source: str) -> list[int]:
    """Words of the text, breaks and audio of the elements, in document order."""
    samples = _words(element.text or "")
    for child in element:
        if isinstance(child.tag, str):
            name = etree.QName(child).localname
            if name == "break":
                samples += [0] * (_break_ms(child.get("time", "0ms")) * 8)
            elif name == "audio":
                samples += render(*fetch(child.get("src", ""), source), depth=1)
            else:
                samples += _speak(child, source)
        samples += _words(child.tail or "")
    return samples


def _break_ms(text: str) -> int:
    found = _BREAK.match(text)
    if found is None:
        raise CommandError("bad-request", "modify", f"break time {text!r}: a number of ms or s")
    value = float(found.group(1))
    return round(value * 1000 if found.group(2) == "s" else value)
