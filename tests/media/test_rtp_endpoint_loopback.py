"""Two RtpEndpoints on 127.0.0.1: digits and audio from one reach the other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.media import DtmfEvent, RtpEndpoint, RtpPacket, tone_frames
from conformance.media.g711 import decode_ulaw

TIMEOUT = 5.0


class Collected:
    """Items from a callback, and a wait for a condition over them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._check: tuple[Callable[[], bool], asyncio.Future[None]] | None = None

    def __call__(self, *item: Any) -> None:
        self.items.append(item[0] if len(item) == 1 else item)
        if self._check and not self._check[1].done() and self._check[0]():
            self._check[1].set_result(None)

    async def until(self, condition: Callable[[], bool]) -> None:
        if condition():
            return
        self._check = (condition, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(self._check[1], TIMEOUT)


def pair() -> tuple[RtpEndpoint, RtpEndpoint]:
    sender, receiver = RtpEndpoint(), RtpEndpoint()
    sender.open()
    receiver.open()
    sender.remote = receiver.address
    return sender, receiver


def test_digits_arrive_once_each_in_order() -> None:
    async def scenario() -> None:
        sender, receiver = pair()
        digits, packets = Collected(), Collected()
        receiver.on_dtmf = digits
        receiver.on_packet = packets
        await sender.send_digits("1#9", duration_ms=60, gap_ms=20)
        # 60 ms: two growing packets and three end packets per digit.
        await packets.until(lambda: len(packets.items) == 15)
        received: list[DtmfEvent] = digits.items
        assert [(event.digit, event.duration, event.ended) for event in received] == [("1", 480, True), ("#", 480, True), ("9", 480, True)]
        assert receiver.counters.dtmf_events == 3
        assert receiver.counters.by_payload_type == {101: 15}
        assert sender.counters.sent == 15
        first = [packet for packet, source in packets.items if packet.marker]
        assert len(first) == 3 and len({packet.timestamp for packet in first}) == 3
        assert {source for _, source in packets.items} == {sender.address}
        sender.close()
        receiver.close()

    asyncio.run(scenario())


def test_audio_frames_are_sequenced_and_timestamped() -> None:
    async def scenario() -> None:
        sender, receiver = pair()
        packets = Collected()
        receiver.on_packet = packets
        frames = tone_frames(1000, 200)
        await sender.send_frames(frames)
        await packets.until(lambda: len(packets.items) == len(frames))
        received: list[RtpPacket] = [packet for packet, _ in packets.items]
        assert [packet.payload for packet in received] == frames
        assert {b.sequence - a.sequence for a, b in zip(received, received[1:])} == {1}
        assert {b.timestamp - a.timestamp for a, b in zip(received, received[1:])} == {160}
        assert [packet.marker for packet in received] == [True] + [False] * (len(frames) - 1)
        assert {packet.payload_type for packet in received} == {0}
        samples = [sample for packet in received for sample in decode_ulaw(packet.payload)]
        assert max(samples) > 10000
        sender.close()
        receiver.close()

    asyncio.run(scenario())


def test_garbage_is_counted_not_fatal() -> None:
    async def scenario() -> None:
        sender, receiver = pair()
        packets = Collected()
        receiver.on_packet = packets
        sender._sock.sendto(b"not rtp", receiver.address)  # type: ignore[union-attr]
        sender.send_packet(b"\x01\x02", 101, 1000)  # telephone-event payload too short
        sender.send_packet(b"\xff" * 160, 0, 1160)
        await packets.until(lambda: len(packets.items) == 2)
        assert receiver.counters.invalid == 2 and receiver.counters.received == 2
        sender.close()
        receiver.close()

    asyncio.run(scenario())


def test_sending_needs_an_open_endpoint_with_a_remote() -> None:
    async def scenario() -> None:
        endpoint = RtpEndpoint()
        endpoint.open()
        with pytest.raises(RuntimeError, match="remote"):
            endpoint.send_packet(b"", 0, 0)
        endpoint.close()
        assert endpoint.closed
        with pytest.raises(RuntimeError, match="not open"):
            endpoint.send_packet(b"", 0, 0)

    asyncio.run(scenario())


def test_closing_stops_a_paced_send() -> None:
    async def scenario() -> None:
        sender, receiver = pair()
        sending = asyncio.ensure_future(sender.send_frames(tone_frames(440, 2000)))
        packets = Collected()
        receiver.on_packet = packets
        await packets.until(lambda: len(packets.items) >= 2)
        sender.close()
        await asyncio.wait_for(sending, TIMEOUT)  # returns instead of sending 100 frames
        assert sender.counters.sent < 100
        receiver.close()

    asyncio.run(scenario())
