"""The SIP message codec and the header values the UA reads."""

from __future__ import annotations

import pytest

from conformance.reference.sip.address import NameAddr, SipUri, Via
from conformance.reference.sip.dialog import response_to
from conformance.reference.sip.message import SipMessage, SipParseError, canonical, parse, split_list
from conformance.reference.sip.transport import _stamp_top_via, response_address

INVITE = (
    b"INVITE sip:agent@127.0.0.1:5099 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-a;rport, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-b\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.3:5080;branch=z9hG4bK-c\r\n"
    b'f: "Alice, A." <sip:alice@example.com>;tag=1928\r\n'
    b"t: <sip:agent@example.com>\r\n"
    b"i: abc@10.0.0.1\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"m: <sip:alice@10.0.0.1:5070>\r\n"
    b"X-Skill: sales\r\n"
    b"X-Tag: one\r\n"
    b"x-tag: two\r\n"
    b"Subject: a long\r\n"
    b"  folded subject\r\n"
    b"c: application/sdp\r\n"
    b"l: 5\r\n"
    b"\r\n"
    b"v=0\r\nextra bytes beyond Content-Length"
)


def test_request_line_headers_and_body() -> None:
    message = parse(INVITE)
    assert (message.method, message.uri, message.is_request) == ("INVITE", "sip:agent@127.0.0.1:5099", True)
    assert message.call_id == "abc@10.0.0.1"
    assert message.cseq == (7, "INVITE")
    assert message.body == b"v=0\r\n"
    assert message.content_type == "application/sdp"
    assert message.get("subject") == "a long folded subject"


def test_repeated_headers_keep_order_and_wire_names() -> None:
    message = parse(INVITE)
    assert [(n, v) for n, v in message.headers if n.lower().startswith("x-")] == [("X-Skill", "sales"), ("X-Tag", "one"), ("x-tag", "two")]
    assert message.lines("X-TAG") == ["one", "two"]
    assert message.headers[0][0] == "v"  # the compact name stays as sent


def test_compact_forms_and_several_vias() -> None:
    message = parse(INVITE)
    assert canonical("V") == "via" and canonical("Call-ID") == "call-id"
    vias = [Via.parse(value) for value in message.get_all("via")]
    assert [via.branch for via in vias] == ["z9hG4bK-a", "z9hG4bK-b", "z9hG4bK-c"]
    assert [via.sent_by for via in vias] == ["10.0.0.1:5070", "10.0.0.2:5060", "10.0.0.3:5080"]
    assert NameAddr.parse(message.get("From")).display == "Alice, A."


def test_serialize_round_trip_fixes_content_length() -> None:
    message = parse(INVITE)
    message.body = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
    again = parse(message.to_bytes())
    assert again.headers == message.headers and again.body == message.body
    assert again.get("Content-Length") == str(len(message.body))


def test_status_line_and_missing_content_length() -> None:
    message = parse(b"SIP/2.0 183 Session Progress\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\nearly")
    assert (message.status, message.reason, message.is_request, message.body) == (183, "Session Progress", False, b"early")
    assert parse(b"SIP/2.0 200\r\n\r\n").reason == ""


def test_bare_lf_and_leading_blank_lines_are_tolerated() -> None:
    message = parse(b"\r\n\r\nOPTIONS sip:x@y SIP/2.0\nCall-ID: 1\nContent-Length: 0\n\n")
    assert message.method == "OPTIONS" and message.call_id == "1"


@pytest.mark.parametrize(
    "data",
    [
        b"HELLO\r\n\r\n",
        b"INVITE sip:x SIP/3.0\r\n\r\n",
        b"SIP/2.0 abc OK\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: 10\r\n\r\nshort",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: ten\r\n\r\n",
        b"\r\n\r\n",
    ],
)
def test_malformed_messages_raise(data: bytes) -> None:
    with pytest.raises(SipParseError):
        parse(data)


def test_header_editing() -> None:
    message = SipMessage.request("BYE", "sip:x@y", [("Via", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b"), ("X-A", "1"), ("x-a", "2")])
    message.set("X-A", "3")
    assert message.headers[1:] == [("X-A", "3")]
    message.replace_top_via("SIP/2.0/UDP c;branch=z9hG4bK2")
    assert message.get_all("Via") == ["SIP/2.0/UDP c;branch=z9hG4bK2", "SIP/2.0/UDP b"]
    message.remove("x-a")
    assert message.lines("X-A") == []


def test_split_list_respects_quotes_and_angles() -> None:
    assert split_list('"a, b" <sip:x@y;p=1,2>, <sip:z@w>') == ['"a, b" <sip:x@y;p=1,2>', "<sip:z@w>"]


def test_uri_and_name_addr() -> None:
    uri = SipUri.parse("sip:agent7@127.0.0.1:5099;transport=udp;lr")
    assert (uri.user, uri.host, uri.hostport, uri.loose_routing) == ("agent7", "127.0.0.1", ("127.0.0.1", 5099), True)
    assert SipUri.parse("sip:example.com").hostport == ("example.com", 5060)
    with pytest.raises(SipParseError):
        SipUri.parse("mailto:x@y")
    plain = NameAddr.parse("sip:bob@b.example;tag=9")
    assert (plain.uri, plain.tag) == ("sip:bob@b.example", "9")
    assert str(NameAddr.parse('"Bob" <sip:bob@b>').with_tag("t1")) == '"Bob" <sip:bob@b>;tag=t1'


def test_received_and_rport_are_stamped_on_the_top_via() -> None:
    message = parse(INVITE)
    _stamp_top_via(message, ("192.0.2.9", 40000))
    assert message.lines("Via")[0].startswith("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-a;rport=40000;received=192.0.2.9, ")
    assert response_address(response_to(message, 200)) == ("192.0.2.9", 40000)
    same_host = parse(b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d\r\n\r\n")
    _stamp_top_via(same_host, ("127.0.0.1", 5070))
    assert same_host.lines("Via") == ["SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d"]


def test_response_copies_the_request_and_adds_the_tag_once() -> None:
    request = parse(INVITE)
    request.add("Record-Route", "<sip:proxy.example;lr>")
    ringing = response_to(request, 180, to_tag="xyz", headers=[("Contact", "<sip:me@h>")])
    assert ringing.lines("Via") == request.lines("Via")
    assert ringing.get("To") == "<sip:agent@example.com>;tag=xyz"
    assert ringing.get("CSeq") == "7 INVITE" and ringing.reason == "Ringing"
    assert ringing.lines("Record-Route") == ["<sip:proxy.example;lr>"]
    request.set("To", "<sip:agent@example.com>;tag=abc")
    assert response_to(request, 200, to_tag="xyz").get("To") == "<sip:agent@example.com>;tag=abc"
    assert response_to(request, 487).lines("Record-Route") == []
