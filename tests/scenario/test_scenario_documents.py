"""Audio documents made from their names, and served by HTTP on loopback."""

from __future__ import annotations

import urllib.request

import pytest
from lxml import etree

from conformance.media.tape import sounds_in
from conformance.media.wav import read_wav
from conformance.scenario.documents import (DocumentServer, UnknownDocument, content, document_element, documents_in_any_form,
                                            documents_named)


def test_names_say_what_the_documents_hold():
    tone = read_wav(content("tone-440-300ms.wav", "http://x"))
    (sound,) = sounds_in(tone.mono())
    assert sound.duration == pytest.approx(0.3, abs=1e-3) and sound.holds([440]) and sound.level == pytest.approx(-15, abs=0.2)
    assert sounds_in(read_wav(content("silence-200ms.wav", "http://x")).mono()) == []
    assert content("tone-440-200ms+silence-100ms.uri", "http://h:1") == b"http://h:1/tone-440-200ms.wav\r\nhttp://h:1/silence-100ms.wav\r\n"
    with pytest.raises(UnknownDocument):
        content("song.mp3", "http://x")


def test_a_case_names_documents_under_the_base_url():
    text = '<document url="{documents}/tone-440-300ms.wav"/><document url="{documents}/a+b.uri"/>'
    assert documents_named(text) == {"tone-440-300ms.wav", "a+b.uri"}


def test_a_document_in_any_form_is_named_and_made_in_the_form_the_server_takes():
    text = "<output>{document:tone-440-300ms.wav}{document:tone-440-100ms+silence-100ms.uri}</output>"
    assert documents_in_any_form(text) == documents_named(text) == {"tone-440-300ms.wav", "tone-440-100ms+silence-100ms.uri"}
    assert document_element("tone-440-300ms.wav", "url", "http://h:1") == '<document url="http://h:1/tone-440-300ms.wav"/>'
    inline = etree.fromstring(document_element("tone-440-300ms.wav", "inline", "http://h:1"))
    assert inline.get("content-type") == "application/ssml+xml"
    speak = etree.fromstring(inline.text)
    assert speak.tag == "{http://www.w3.org/2001/10/synthesis}speak"
    assert speak[0].tag == "{http://www.w3.org/2001/10/synthesis}audio" and speak[0].get("src") == "http://h:1/tone-440-300ms.wav"
    listed = etree.fromstring(document_element("tone-440-100ms+silence-100ms.uri", "inline", "http://h:1"))
    assert listed.get("content-type") == "text/uri-list"
    assert listed.text.split() == ["http://h:1/tone-440-100ms.wav", "http://h:1/silence-100ms.wav"]


def test_the_server_serves_what_it_wrote_with_its_content_type(tmp_path):
    server = DocumentServer(tmp_path / "documents", "127.0.0.6")
    try:
        server.write({"tone-440-100ms+silence-100ms.uri"})
        with urllib.request.urlopen(f"{server.url}/tone-440-100ms.wav", timeout=5) as response:
            assert response.headers["Content-Type"] == "audio/wav"
            assert response.read() == content("tone-440-100ms.wav", server.url)
        with urllib.request.urlopen(f"{server.url}/tone-440-100ms+silence-100ms.uri", timeout=5) as response:
            assert response.headers["Content-Type"] == "text/uri-list"
        assert server.url.startswith("http://127.0.0.6:") and (tmp_path / "documents" / "silence-100ms.wav").exists()
    finally:
        server.close()
