"""Audio documents for output cases: made on demand from their names, served by HTTP.

A case names a document by what it holds, so the reader knows what the
caller should hear:

    tone-440-300ms.wav                     440 Hz for 300 ms, at -15 dBFS
    silence-200ms.wav                      200 ms of silence
    tone-440-200ms+tone-880-200ms.uri      a text/uri-list of those two WAVs

`{documents}` in a case is the HTTP base URL, on the harness's address. The
files a case names are written before it runs; the server under test
fetches them (so it must reach the harness's address).

`{document:tone-440-300ms.wav}` stands for a whole <document> in the form the
target claims to take (`output-documents`): by URL, or inline: a WAV as SSML
whose <audio src> names it, a list as a text/uri-list body. A case about
playing audio uses it; a case about a form itself writes that form out.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..fileserver import FileServer
from ..media.tone import tone_samples
from ..media.wav import wav_bytes

AMPLITUDE = 0.25  # peak, as a fraction of full scale: an RMS level of -15 dBFS
_WAV = re.compile(r"(?:tone-(\d+)|silence)-(\d+)ms\.wav")
_MENTION = re.compile(r"\{documents\}/([\w+.-]+)|\{document:([\w+.-]+)\}")
_IN_ANY_FORM = re.compile(r"\{document:([\w+.-]+)\}")
SSML = "http://www.w3.org/2001/10/synthesis"


class UnknownDocument(ValueError):
    pass


def documents_named(text: str) -> set[str]:
    """The document names a case's text refers to."""
    return {by_url or audio for by_url, audio in _MENTION.findall(text)}


def documents_in_any_form(text: str) -> set[str]:
    """The documents a case's text names with {document:NAME}, to be handed over in whatever form the server takes."""
    return set(_IN_ANY_FORM.findall(text))


def document_element(name: str, form: str, base_url: str) -> str:
    """The <document> for `name` served from `base_url`, in a form of target.OUTPUT_DOCUMENT_FORMS."""
    url = f"{base_url}/{name}"
    if form == "url":
        return f'<document url="{url}"/>'
    if name.endswith(".uri"):
        return f'<document content-type="text/uri-list"><![CDATA[{content(name, base_url).decode()}]]></document>'
    speak = f'<speak version="1.0" xmlns="{SSML}" xml:lang="en-US"><audio src="{url}"/></speak>'
    return f'<document content-type="application/ssml+xml"><![CDATA[{speak}]]></document>'


def content(name: str, base_url: str) -> bytes:
    """The bytes of the document called `name`; a list's entries are URLs under `base_url`."""
    wav = _WAV.fullmatch(name)
    if wav:
        milliseconds = int(wav.group(2))
        if wav.group(1) is None:
            return wav_bytes([[0] * (milliseconds * 8)])
        return wav_bytes([tone_samples([int(wav.group(1))], milliseconds, amplitude=AMPLITUDE)])
    if name.endswith(".uri"):
        entries = name[: -len(".uri")].split("+")
        if all(_WAV.fullmatch(entry + ".wav") for entry in entries):
            return "".join(f"{base_url}/{entry}.wav\r\n" for entry in entries).encode()
    raise UnknownDocument(f"no document is called {name!r} (see conformance/scenario/documents.py)")


class DocumentServer(FileServer):
    """A directory of documents and an HTTP server on `host` serving it, on a port of its own."""

    def write(self, names: set[str]) -> None:
        """Write these documents, and the WAVs the lists among them name."""
        listed = {entry + ".wav" for name in names if name.endswith(".uri") for entry in name[: -len(".uri")].split("+")}
        for name in names | listed:
            (self.directory / name).write_bytes(content(name, self.url))
