"""The stream splitter on bytes: pieces keep their exact text however the bytes are cut."""

from __future__ import annotations

import pytest

from conformance.xmpp.splitter import OVERSIZED_SHOWN, Piece, StreamSplitter

HEADER = (
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' id='a>b' version='1.0'>"
)
SUCCESS = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
STANZAS = [
    "<presence from='c@rayo/1' note='x>y' other=\"'>\"/>",  # empty element, '>' in quoted values
    "<iq type='result' id='1'><ref xmlns='urn:xmpp:rayo:1' uri='xmpp:c@rayo/2'/></iq  >",  # child empty, end tag with space
    "<message to='j\u00e9r\u00f4me@x'><body>caf\u00e9 &lt;&amp;&gt; \U0001f4de</body></message>",  # multi-byte UTF-8
]
STREAM = HEADER + SUCCESS + HEADER + " \n".join(STANZAS) + "\n</stream:stream>"


def split(data: bytes, step: int, splitter: StreamSplitter | None = None) -> list[Piece]:
    splitter = splitter or StreamSplitter()
    return [piece for i in range(0, len(data), step) for piece in splitter.feed(data[i : i + step])]


@pytest.mark.parametrize("step", [1, 2, 5, 64, 10_000])
def test_pieces_are_the_exact_text_whatever_the_cuts(step: int) -> None:
    pieces = split(STREAM.encode(), step)
    assert [(p.kind, p.raw) for p in pieces] == [
        ("header", HEADER),
        ("stanza", SUCCESS),
        ("header", HEADER),  # a new stream after SASL success, XML declaration and all
        *[("stanza", s) for s in STANZAS],
        ("end", "</stream:stream>"),
    ]
    assert pieces[-2].declarations == {None: "jabber:client", "stream": "http://etherx.jabber.org/streams"}


def test_a_client_restart_without_declaration_starts_a_new_stream() -> None:
    client_header = "<stream:stream to='x' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
    auth = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>"
    bind = "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
    splitter = StreamSplitter()
    pieces = splitter.feed((client_header + auth).encode()) + splitter.feed((client_header + bind).encode())
    assert [(p.kind, p.raw) for p in pieces] == [("header", client_header), ("stanza", auth), ("header", client_header), ("stanza", bind)]


def test_a_stanza_is_handed_over_as_soon_as_it_is_whole() -> None:
    splitter = StreamSplitter()
    splitter.feed(HEADER.encode())
    assert [p.raw for p in splitter.feed(b"<presence/>")] == ["<presence/>"]
    assert splitter.feed(b"<iq id='1'><a/>") == []
    assert [p.raw for p in splitter.feed(b"</iq>")] == ["<iq id='1'><a/></iq>"]


@pytest.mark.parametrize(
    "bad, error",
    [
        ("<message><body>x</message>", "mismatched tag"),
        ("<message>&nbsp;</message>", "undefined entity"),
        ("<message><!-- hi --></message>", "a comment, which XMPP does not allow"),
        ("<?pi x?>", "a processing instruction"),
        ("hello", "text between stanzas"),
        ("<x:message/>", "unbound prefix"),
    ],
)
def test_malformed_input_is_kept_and_described(bad: str, error: str) -> None:
    splitter = StreamSplitter()
    pieces = splitter.feed((HEADER + "<presence/>" + bad).encode())
    assert [p.kind for p in pieces] == ["header", "stanza", "malformed"]
    assert pieces[-1].raw == bad
    assert error in pieces[-1].error
    later = splitter.feed(b"<presence/>")
    assert [(p.kind, p.raw) for p in later] == [("malformed", "<presence/>")]
    assert later[0].error.startswith("after malformed XML: ")


def test_a_document_type_declaration_is_refused() -> None:
    pieces = StreamSplitter().feed(b"<!DOCTYPE stream [<!ENTITY a 'b'>]>" + HEADER.encode()[21:])
    assert [p.kind for p in pieces] == ["malformed"]
    assert "document type declaration" in pieces[0].error


def test_a_stream_must_start_with_a_stream_header() -> None:
    pieces = StreamSplitter().feed(b"<presence/>")
    assert pieces[0].kind == "malformed" and "expected a stream header" in pieces[0].error


@pytest.mark.parametrize("step", [1_000, 65_536])
def test_a_stanza_over_the_limit_ends_the_stream_and_keeps_only_its_start(step: int) -> None:
    splitter = StreamSplitter(max_stanza=20_000)
    endless = b"<message><body>" + b"x" * 1_000_000  # never ends
    pieces = split(HEADER.encode() + b"<presence/>" + endless, step, splitter)
    assert [p.kind for p in pieces] == ["header", "stanza", "oversized"]
    assert pieces[-1].error == "a stanza longer than 20000 bytes, the harness's limit"
    assert pieces[-1].raw.startswith("<message><body>xxx") and len(pieces[-1].raw) == OVERSIZED_SHOWN
    assert splitter.feed(b"</body></message><presence/>") == []  # nothing more is kept or parsed


@pytest.mark.parametrize("step", [1_000, 1_000_000])
def test_a_whole_stanza_over_the_limit_is_refused_however_it_is_read(step: int) -> None:
    stanza = "<message><body>" + "x" * 20_000 + "</body></message>"
    pieces = split((HEADER + stanza + "<presence/>").encode(), step, StreamSplitter(max_stanza=20_000))
    assert [p.kind for p in pieces] == ["header", "oversized"]
    assert pieces[-1].raw == stanza[:OVERSIZED_SHOWN]


def test_a_stanza_just_under_the_limit_passes() -> None:
    stanza = "<message><body>" + "x" * (20_000 - 40) + "</body></message>"
    pieces = split((HEADER + stanza).encode(), 4096, StreamSplitter(max_stanza=20_000))
    assert [(p.kind, p.raw) for p in pieces] == [("header", HEADER), ("stanza", stanza)]
