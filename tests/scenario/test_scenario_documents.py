"""Audio documents made from their names, and served by HTTP on loopback."""

from __future__ import annotations

import urllib.request

import pytest

from conformance.media.tape import sounds_in
from conformance.media.wav import read_wav
from conformance.scenario.documents import DocumentServer, UnknownDocument, content, documents_named


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
