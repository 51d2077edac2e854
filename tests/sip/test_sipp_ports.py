"""Ports for SIPp: its RTP echo binds the media port and the one two above it when a call starts."""

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
