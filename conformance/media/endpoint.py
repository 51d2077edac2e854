"""An RTP endpoint on one UDP socket: receive, count, detect DTMF, send paced media.

The reference server gives one to each call; the harness uses the same class
as its RTP sink and sender. It knows nothing about SIP: whoever negotiates the
session sets `remote`, `audio_pt` and `dtmf_pt`.

The socket is a plain non-blocking socket watched with `loop.add_reader`, so
`open()` is synchronous and a caller can put the port in an SDP at once.
Sending is paced on the loop clock, 20 ms per packet: the pacing is the media
clock, not a way of waiting for anything.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .dtmf import DtmfEvent, DtmfReceiver, digit_payloads
from .rtp import RtpError, RtpPacket

CLOCK_RATE = 8000  # G.711 and telephone-event both tick at 8 kHz
PACKET_INTERVAL = 0.020  # seconds of media per packet
_MAX_DATAGRAM = 2048


@dataclass
class RtpCounters:
    received: int = 0  # RTP packets, any payload type
    sent: int = 0
    invalid: int = 0  # datagrams that were not readable RTP or telephone-event
    dtmf_events: int = 0
    by_payload_type: Counter[int] = field(default_factory=Counter)


class RtpEndpoint:
    def __init__(self, host: str = "127.0.0.1", *, audio_pt: int = 0, dtmf_pt: int | None = 101) -> None:
        self.host = host
        self.audio_pt = audio_pt
        self.dtmf_pt = dtmf_pt  # None: telephone-event not negotiated, no detection
        self.remote: tuple[str, int] | None = None
        self.on_dtmf: Callable[[DtmfEvent], None] | None = None
        self.on_packet: Callable[[RtpPacket, tuple[str, int]], None] | None = None
        self.counters = RtpCounters()
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dtmf = DtmfReceiver()
        self._ssrc = random.getrandbits(32)
        self._sequence = random.getrandbits(16)
        self._timestamp_base = random.getrandbits(32)
        self._clock_origin: float | None = None  # loop time of the first packet sent
        self._send_lock = asyncio.Lock()  # one media stream: digits and audio do not interleave

    # -- socket ---------------------------------------------------------------

    def open(self) -> None:
        """Bind host:0 and start receiving. Call from the running loop."""
        self._loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind((self.host, 0))
        self._sock = sock
        self._loop.add_reader(sock.fileno(), self._on_readable)

    @property
    def address(self) -> tuple[str, int]:
        if self._sock is None:
            raise RuntimeError("RTP endpoint is not open")
        host, port = self._sock.getsockname()
        return host, port

    @property
    def closed(self) -> bool:
        return self._sock is None

    def close(self) -> None:
        if self._sock is None:
            return
        assert self._loop is not None
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None

    # -- receiving --------------------------------------------------------------

    def drain(self) -> None:
        """Read every datagram waiting on the socket now, rather than at the loop's next poll."""
        self._on_readable()

    def _on_readable(self) -> None:
        while self._sock is not None:
            try:
                data, source = self._sock.recvfrom(_MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. an ICMP error queued on the socket
                self.counters.invalid += 1
                continue
            self._receive(data, source)

    def _receive(self, data: bytes, source: tuple[str, int]) -> None:
        try:
            packet = RtpPacket.decode(data)
        except RtpError:
            self.counters.invalid += 1
            return
        self.counters.received += 1
        self.counters.by_payload_type[packet.payload_type] += 1
        if self.on_packet is not None:
            self.on_packet(packet, source)
        if packet.payload_type == self.dtmf_pt:
            self._receive_event(packet)

    def _receive_event(self, packet: RtpPacket) -> None:
        try:
            events = self._dtmf.feed(packet)
        except ValueError:
            self.counters.invalid += 1
            return
        for event in events:
            self.counters.dtmf_events += 1
            if self.on_dtmf is not None:
                self.on_dtmf(event)

    # -- sending ------------------------------------------------------------------

    async def send_frames(self, frames: Iterable[bytes], *, payload_type: int | None = None) -> None:
        """Send audio frames (20 ms each, e.g. from tone_frames) one per 20 ms."""
        pt = self.audio_pt if payload_type is None else payload_type
        async with self._send_lock:
            start = self._now()
            for index, frame in enumerate(frames):
                deadline = start + index * PACKET_INTERVAL
                if not await self._wait_until(deadline):
                    return
                self.send_packet(frame, pt, self._timestamp_at(deadline), marker=index == 0)

    async def send_digits(
        self, digits: str, *, duration_ms: int = 100, gap_ms: int = 60, volume: int = 10
    ) -> None:
        """Send each digit as an RFC 4733 event, `gap_ms` of silence between digits."""
        if self.dtmf_pt is None:
            raise RuntimeError("telephone-event was not negotiated")
        duration = duration_ms * CLOCK_RATE // 1000
        step = int(PACKET_INTERVAL * CLOCK_RATE)
        async with self._send_lock:
            start = self._now()
            for digit in digits:
                payloads = digit_payloads(digit, duration, step=step, volume=volume)
                timestamp = self._timestamp_at(start)
                for index, payload in enumerate(payloads):
                    deadline = start + index * PACKET_INTERVAL
                    if not await self._wait_until(deadline):
                        return
                    self.send_packet(payload.encode(), self.dtmf_pt, timestamp, marker=index == 0)
                start += len(payloads) * PACKET_INTERVAL + gap_ms / 1000

    def send_audio_at(self, frame: bytes, when: float, *, marker: bool = False) -> None:
        """Send one audio frame sampled at loop time `when`; the caller paces the frames."""
        self._now()  # the first packet fixes the clock origin
        self.send_packet(frame, self.audio_pt, self._timestamp_at(when), marker=marker)

    def send_packet(self, payload: bytes, payload_type: int, timestamp: int, *, marker: bool = False) -> None:
        """Send one packet now, with the next sequence number."""
        if self._sock is None:
            raise RuntimeError("RTP endpoint is not open")
        if self.remote is None:
            raise RuntimeError("no remote RTP address")
        self._sequence = (self._sequence + 1) & 0xFFFF
        packet = RtpPacket(payload_type, self._sequence, timestamp, self._ssrc, payload, marker)
        try:
            self._sock.sendto(packet.encode(), self.remote)
        except BlockingIOError:
            return  # a full socket buffer drops the packet, as the network would
        self.counters.sent += 1

    def _now(self) -> float:
        assert self._loop is not None
        now = self._loop.time()
        if self._clock_origin is None:
            self._clock_origin = now
        return now

    def _timestamp_at(self, when: float) -> int:
        """The RTP timestamp of media sampled at loop time `when`."""
        assert self._clock_origin is not None
        return (self._timestamp_base + round((when - self._clock_origin) * CLOCK_RATE)) & 0xFFFFFFFF

    async def _wait_until(self, deadline: float) -> bool:
        """Pace to `deadline` on the loop clock; False once the endpoint is closed."""
        assert self._loop is not None
        delay = deadline - self._loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        return self._sock is not None
