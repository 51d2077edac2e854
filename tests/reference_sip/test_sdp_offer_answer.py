"""SDP offer/answer for one audio stream: codecs, telephone-event, directions, hold."""

from __future__ import annotations

import pytest

from conformance.reference.sip.sdp import SdpError, SdpSession, negotiate, parse_sdp

OFFER = b"""v=0\r
o=peer 1 1 IN IP4 192.0.2.1\r
s=-\r
c=IN IP4 192.0.2.1\r
t=0 0\r
a=sendonly\r
m=audio 40000 RTP/AVP 8 0 96\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:96 telephone-event/8000\r
a=fmtp:96 0-15\r
m=video 40002 RTP/AVP 31\r
a=recvonly\r
"""


def test_parse_first_audio_stream_with_session_level_direction() -> None:
    media = parse_sdp(OFFER)
    assert (media.address, media.port, media.payload_types) == ("192.0.2.1", 40000, [8, 0, 96])
    assert media.direction == "sendonly" and media.hold
    assert media.codec() == 8 and media.telephone_event() == 96


def test_answer_keeps_the_offerers_choices_and_mirrors_direction() -> None:
    session = SdpSession(("127.0.0.1", 30000))
    body, negotiated = session.answer(parse_sdp(OFFER))
    answer = parse_sdp(body)
    assert answer.payload_types == [8, 96] and answer.telephone_event() == 96
    assert (answer.address, answer.port, answer.direction) == ("127.0.0.1", 30000, "recvonly")
    assert (negotiated.remote, negotiated.audio_pt, negotiated.dtmf_pt, negotiated.remote_hold) == (("192.0.2.1", 40000), 8, 96, True)


@pytest.mark.parametrize("offered, answered", [("sendrecv", "sendrecv"), ("sendonly", "recvonly"), ("recvonly", "sendonly"), ("inactive", "inactive")])
def test_direction_mirroring(offered: str, answered: str) -> None:
    session = SdpSession(("127.0.0.1", 30000))
    offer = parse_sdp(session.offer(offered))
    assert offer.direction == offered
    body, _ = SdpSession(("127.0.0.1", 30002)).answer(offer)
    assert parse_sdp(body).direction == answered


def test_media_level_attributes_win_and_old_style_hold() -> None:
    media = parse_sdp(b"v=0\r\nc=IN IP4 10.0.0.1\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=sendrecv\r\n")
    assert (media.address, media.direction, media.hold) == ("0.0.0.0", "sendrecv", True)


def test_our_offer_and_its_version_rises() -> None:
    session = SdpSession(("127.0.0.1", 30000))
    first, second = session.offer(), session.offer("sendonly")
    media = parse_sdp(first)
    assert media.payload_types == [0, 8, 101] and media.codec() == 0 and media.telephone_event() == 101
    version = lambda body: int(body.split(b"\r\n")[1].split()[2])  # noqa: E731
    assert version(second) == version(first) + 1


@pytest.mark.parametrize(
    "body",
    [
        b"v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 4000 RTP/AVP 31\r\n",
        b"v=0\r\nm=audio 4000 RTP/AVP 0\r\n",
        b"v=0\r\nc=IN IP6 ::1\r\nm=audio 4000 RTP/AVP 0\r\n",
        b"v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio x RTP/AVP 0\r\n",
    ],
    ids=["no-audio", "no-address", "ipv6", "bad-port"],
)
def test_unreadable_sdp(body: bytes) -> None:
    with pytest.raises(SdpError):
        parse_sdp(body)


def test_no_common_codec() -> None:
    with pytest.raises(SdpError):
        negotiate(parse_sdp(b"v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 9 18\r\n"))
