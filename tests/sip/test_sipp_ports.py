"""Ports for SIPp: outside the ephemeral range, and its RTP echo binds the media port and the one two above it."""

from __future__ import annotations

import socket

import pytest

from conformance import ports
from conformance.ports import LOOPBACK, free_media_port


def test_a_media_port_whose_video_neighbour_is_taken_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind((LOOPBACK, 0))
        crowded = taken.getsockname()[1] - 2  # a candidate whose p+2 another program holds
        offered = iter([crowded, *(ports.free_port() for _ in range(3))])
        monkeypatch.setattr(ports, "free_port", lambda *args: next(offered))
        chosen = free_media_port()
    assert chosen != crowded


def test_a_media_port_comes_with_its_video_neighbour_free() -> None:
    port = free_media_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as audio, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as video:
        audio.bind((LOOPBACK, port))
        video.bind((LOOPBACK, port + 2))


@pytest.mark.parametrize("kind", [socket.SOCK_DGRAM, socket.SOCK_STREAM])
def test_a_port_for_sipp_lies_below_the_range_outgoing_connections_take_theirs_from(kind) -> None:
    low, _ = ports.ephemeral_range()
    chosen = {ports.free_port(kind) for _ in range(20)}
    assert all(1024 <= port < low for port in chosen)
    assert len(chosen) == 20  # one process never hands out the same port twice in a row


def test_no_port_is_handed_out_between_a_media_port_and_its_video_neighbour() -> None:
    media = free_media_port()
    after = [ports.free_port() for _ in range(5)]
    assert not {media + 1, media + 2} & set(after)
