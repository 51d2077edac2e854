"""SDP offer/answer (RFC 3264, RFC 4566) for one audio stream: PCMU, PCMA and
telephone-event (RFC 4733), with the four direction attributes."""

from __future__ import annotations

import random
from dataclasses import dataclass

PCMU, PCMA = 0, 8
DTMF_PT = 101  # our dynamic payload type for telephone-event in our offers
_CODEC_NAMES = {PCMU: "PCMU/8000", PCMA: "PCMA/8000"}
_PREFERENCE = (PCMU, PCMA)
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
_MIRROR = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}


class SdpError(ValueError):
    """An SDP we cannot read or cannot agree with."""


@dataclass
class MediaDescription:
    """What one side said about its audio stream."""

    address: str
    port: int
    payload_types: list[int]
    rtpmap: dict[int, str]  # payload type -> "encoding/clock", lower-cased
    direction: str = "sendrecv"

    @property
    def hold(self) -> bool:
        """Whether this side asks not to receive media (RFC 3264 8.4, or the old c=0.0.0.0)."""
        return self.direction in ("sendonly", "inactive") or self.address == "0.0.0.0"

    def codec(self) -> int | None:
        """The first G.711 payload type offered, by static number or by rtpmap name."""
        for pt in self.payload_types:
            name = self.rtpmap.get(pt)
            if pt in _PREFERENCE and (name is None or name == _CODEC_NAMES[pt].lower()):
                return pt
        return None

    def telephone_event(self) -> int | None:
        return next((pt for pt in self.payload_types if self.rtpmap.get(pt, "").startswith("telephone-event/")), None)


@dataclass(frozen=True)
class Negotiated:
    """The agreed stream: where to send, which payload types, and the hold state."""

    remote: tuple[str, int]
    audio_pt: int
    dtmf_pt: int | None
    remote_hold: bool


def parse_sdp(body: bytes) -> MediaDescription:
    """The first audio stream of an SDP body; media-level c= and a= win."""
    address, direction, media = "", "sendrecv", None
    for raw in body.decode("utf-8", "replace").splitlines():
        kind, _, value = raw.strip().partition("=")
        if kind == "m":
            if media is not None:
                break  # only the first stream is ours
            if not value.startswith("audio "):
                continue
            media = _media_line(value, address, direction)
        elif kind == "c":
            address = _connection(value)
            if media is not None:
                media.address = address
        elif kind == "a":
            direction = _attribute(value, media, direction)
    if media is None:
        raise SdpError("no audio stream")
    if not media.address:
        raise SdpError("no connection address")
    return media


def _media_line(value: str, address: str, direction: str) -> MediaDescription:
    fields = value.split()
    if len(fields) < 4 or not fields[1].isdigit():
        raise SdpError(f"bad m= line: {value!r}")
    try:
        payload_types = [int(pt) for pt in fields[3:]]
    except ValueError as error:
        raise SdpError(f"bad payload type in {value!r}") from error
    return MediaDescription(address, int(fields[1]), payload_types, {}, direction)


def _connection(value: str) -> str:
    fields = value.split()
    if len(fields) != 3 or fields[:2] != ["IN", "IP4"]:
        raise SdpError(f"unsupported c= line: {value!r}")
    return fields[2].split("/")[0]


def _attribute(value: str, media: MediaDescription | None, direction: str) -> str:
    """Apply one a= line; returns the session-level direction."""
    if value in DIRECTIONS:
        if media is None:
            return value
        media.direction = value
    elif value.startswith("rtpmap:") and media is not None:
        pt, _, encoding = value[len("rtpmap:"):].partition(" ")
        if pt.isdigit():
            media.rtpmap[int(pt)] = encoding.strip().lower()
    return direction


class SdpSession:
    """Our side of one call's SDP: a fixed origin and a version that rises with every new description."""

    def __init__(self, rtp_address: tuple[str, int]) -> None:
        self.address, self.port = rtp_address
        self._session_id = random.randrange(1, 2**31)
        self._version = random.randrange(1, 2**31)

    def offer(self, direction: str = "sendrecv") -> bytes:
        return self._describe([*_PREFERENCE, DTMF_PT], {DTMF_PT: "0-16"}, direction)

    def answer(self, offer: MediaDescription) -> tuple[bytes, Negotiated]:
        """Accept the first G.711 codec offered and telephone-event if offered; mirror the direction."""
        negotiated = negotiate(offer)
        payload_types = [negotiated.audio_pt]
        fmtp = {}
        if negotiated.dtmf_pt is not None:
            payload_types.append(negotiated.dtmf_pt)
            fmtp[negotiated.dtmf_pt] = "0-16"
        return self._describe(payload_types, fmtp, _MIRROR[offer.direction]), negotiated

    def _describe(self, payload_types: list[int], fmtp: dict[int, str], direction: str) -> bytes:
        self._version += 1
        lines = [
            "v=0",
            f"o=rayo {self._session_id} {self._version} IN IP4 {self.address}",
            "s=rayo",
            f"c=IN IP4 {self.address}",
            "t=0 0",
            f"m=audio {self.port} RTP/AVP {' '.join(map(str, payload_types))}",
        ]
        for pt in payload_types:
            lines.append(f"a=rtpmap:{pt} {_CODEC_NAMES.get(pt, 'telephone-event/8000')}")
        lines += [f"a=fmtp:{pt} {events}" for pt, events in fmtp.items()]
        lines += ["a=ptime:20", f"a={direction}"]
        return ("\r\n".join(lines) + "\r\n").encode()


def negotiate(remote: MediaDescription) -> Negotiated:
    """What we use when the other side described `remote` (its offer or its answer)."""
    codec = remote.codec()
    if codec is None:
        raise SdpError("no common codec: PCMU or PCMA needed")
    return Negotiated((remote.address, remote.port), codec, remote.telephone_event(), remote.hold)
