"""Documents rendered to samples: speech as tones of known length, WAVs, lists, and refusals."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.fileserver import FileServer
from conformance.media.tone import tone_samples
from conformance.media.wav import wav_bytes
from conformance.reference.core.components.rendering import render_document
from conformance.reference.core.errors import CommandError

OUTPUT = "urn:xmpp:rayo:output:1"


def document(**attributes) -> etree._Element:
    body = attributes.pop("body", None)
    element = etree.Element(f"{{{OUTPUT}}}document", {k.replace("_", "-"): v for k, v in attributes.items()})
    element.text = body
    return element


def test_each_word_is_200_ms_and_a_break_is_silence():
    ssml = '<speak>one <break time="0.1s"/>two three</speak>'
    samples = render_document(document(content_type="application/ssml+xml", body=ssml))
    assert len(samples) == 3 * 1600 + 800
    assert samples[1600:2400] == [0] * 800 and max(samples[:1600]) > 8000


def test_a_wav_by_file_url_and_a_list_of_them(tmp_path):
    tone = tone_samples([440], 100)
    (tmp_path / "a.wav").write_bytes(wav_bytes([tone]))
    (tmp_path / "list.uri").write_text(f"{(tmp_path / 'a.wav').as_uri()}\n# a comment\n{(tmp_path / 'a.wav').as_uri()}\n")
    assert render_document(document(url=(tmp_path / "a.wav").as_uri())) == tone
    assert render_document(document(url=(tmp_path / "list.uri").as_uri())) == tone + tone
    assert render_document(document(url=(tmp_path / "list.uri").as_uri()), list_limit=1) == tone


@pytest.mark.parametrize("attributes, condition", [
    (dict(content_type="application/x-unknown", body="?"), "feature-not-implemented"),
    (dict(url="ftp://127.0.0.1/a.wav"), "feature-not-implemented"),
    (dict(url="http://198.51.100.7/a.wav"), "feature-not-implemented"),
    (dict(url="file:///nonexistent/a.wav"), "bad-request"),
    (dict(content_type="application/ssml+xml", body="<speak>unclosed"), "bad-request"),
    (dict(content_type="application/ssml+xml", body='<speak><break time="soon"/></speak>'), "bad-request"),
])
def test_documents_that_cannot_be_played_are_refused(attributes, condition):
    with pytest.raises(CommandError) as refused:
        render_document(document(**attributes))
    assert refused.value.condition == condition


def test_a_wav_by_http_from_another_loopback_address(tmp_path):
    """127.0.0.0/8 stands in for other hosts: a document served on 127.0.0.6 plays."""
    tone = tone_samples([440], 100)
    (tmp_path / "a.wav").write_bytes(wav_bytes([tone]))
    served = FileServer(tmp_path, "127.0.0.6")
    try:
        assert render_document(document(url=f"{served.url}/a.wav"), source="127.0.0.7") == tone
    finally:
        served.close()
