"""The harness's end of a call's audio: an RTP endpoint on the harness's address, one per SIP call.

Its port is the one the SIPp party's SDP carries, so the server sends the
call's audio here and takes the party's audio from here. What arrives is
kept on a tape (conformance.media.tape) for the media steps to judge: the
sounds, their tones and levels, and RFC 4733 key presses. What the party
sends (tones, DTMF) goes out paced on the loop clock to the address the
server's SDP gave.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..media import DtmfEvent, RtpEndpoint, RtpPacket
from ..media.g711 import decode_alaw, decode_ulaw
from ..media.tape import FRAME, Tape
from ..media.tone import encode_frames

PCMU, PCMA = 0, 8
_DECODERS = {PCMU: decode_ulaw, PCMA: decode_alaw}
_LAWS = {PCMU: "pcmu", PCMA: "pcma"}


@dataclass(frozen=True)
class RemoteMedia:
    """Where an SDP says to send audio, and with which payload types."""

    address: tuple[str, int]
    audio_pt: int
    dtmf_pt: int | None


def remote_media(sdp: str) -> RemoteMedia | None:
    """The first audio stream of an SDP body, if it has a G.711 codec."""
    host = re.search(r"^c=IN IP4 (\S+)", sdp, re.MULTILINE)
    media = re.search(r"^m=audio (\d+) RTP/AVP ([\d ]+)", sdp, re.MULTILINE)
    if host is None or media is None:
        return None
    payload_types = [int(pt) for pt in media.group(2).split()]
    audio = next((pt for pt in payload_types if pt in _DECODERS), None)
    if audio is None:
        return None
    events = re.search(r"^a=rtpmap:(\d+) telephone-event/8000", sdp, re.MULTILINE | re.IGNORECASE)
    return RemoteMedia((host.group(1), int(media.group(1))), audio, int(events.group(1)) if events else None)


class CallMedia:
    def __init__(self, host: str) -> None:
        self.endpoint = RtpEndpoint(host)
        self.endpoint.on_packet = self._on_packet
        self.endpoint.on_dtmf = self._on_dtmf
        self.tape = Tape()
        self.digits: list[tuple[float, DtmfEvent]] = []  # (loop time, key) of each RFC 4733 event heard
        self.position = 0.0  # loop time up to which media steps have judged what was heard
        self._changed = asyncio.Event()

    @classmethod
    def open(cls, host: str) -> CallMedia:
        """Bind a port on `host`; call from the running loop."""
        media = cls(host)
        media.endpoint.open()
        return media

    @property
    def port(self) -> int:
        return self.endpoint.address[1]

    @property
    def packets(self) -> int:
        """RTP packets received, of any payload type."""
        return self.endpoint.counters.received

    def use_sdp(self, sdp: str) -> None:
        """The server's (or the peer's) SDP: send there, with its payload types."""
        remote = remote_media(sdp)
        if remote is not None:
            self.endpoint.remote = remote.address
            self.endpoint.audio_pt = remote.audio_pt
            self.endpoint.dtmf_pt = remote.dtmf_pt

    def close(self) -> None:
        self.endpoint.close()

    # -- receiving ----------------------------------------------------------------

    def _on_packet(self, packet: RtpPacket, source: tuple[str, int]) -> None:
        decode = _DECODERS.get(packet.payload_type)
        if decode is not None:
            self.tape.add(packet, asyncio.get_running_loop().time(), decode(packet.payload))
            self._changed.set()

    def _on_dtmf(self, event: DtmfEvent) -> None:
        self.digits.append((asyncio.get_running_loop().time(), event))
        self._changed.set()

    async def changed(self, deadline: float, wake: asyncio.Future | None = None) -> None:
        """Return when a packet arrives, when `wake` is done, or at loop time `deadline`;
        then every queued packet is read."""
        self._changed.clear()
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining > 0:
            packet = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait({packet, wake} - {None}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            packet.cancel()
        # A judgement by the clock ("silence since") must not miss a packet
        # the kernel holds but the loop has not read yet.
        self.endpoint.drain()

    # -- sending ------------------------------------------------------------------

    @property
    def can_send(self) -> bool:
        return self.endpoint.remote is not None and not self.endpoint.closed

    async def play(self, samples: Sequence[int]) -> None:
        """Send the samples as 20 ms frames in the negotiated G.711 law, paced on the loop clock;
        return when the last frame's audio is over, not when it was sent."""
        loop = asyncio.get_running_loop()
        frames = encode_frames(samples, _LAWS.get(self.endpoint.audio_pt, "pcmu"))
        end = loop.time() + len(frames) * FRAME
        await self.endpoint.send_frames(frames)
        if end > loop.time():
            await asyncio.sleep(end - loop.time())  # the media clock: the last frame plays until then

    async def send_digits(self, digits: str, *, duration_ms: int, gap_ms: int) -> None:
        await self.endpoint.send_digits(digits, duration_ms=duration_ms, gap_ms=gap_ms)
