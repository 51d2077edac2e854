"""Loopback port allocation: ports are asked of the kernel, never fixed."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port(kind: int = socket.SOCK_DGRAM, host: str = LOOPBACK) -> int:
    """A port that was free on `host` for `kind` a moment ago.

    For programs we cannot hand a bound socket to (SIPp). There is a window in
    which another program can take the port; callers that start such programs
    treat a bind failure as "try another port", not as a fault of the server.
    """
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_media_port(host: str = LOOPBACK) -> int:
    """A UDP port p with p+2 free as well: SIPp's RTP echo binds both (audio and video) when a
    call starts, and a taken p+2 makes it drop that call's INVITE without a word to the harness."""
    for _ in range(50):
        port = free_port(socket.SOCK_DGRAM, host)
        if port + 2 > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as video:
            try:
                video.bind((host, port + 2))
            except OSError:
                continue
        return port
    raise OSError("no UDP port p with p+2 free on " + host)


def free_udp_tcp_port(host: str = LOOPBACK) -> int:
    """A port free for both UDP and TCP (SIPp binds both for SIP)."""
    for _ in range(50):
        port = free_port(socket.SOCK_DGRAM, host)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            try:
                tcp.bind((host, port))
            except OSError:
                continue
        return port
    raise OSError("no port free for both UDP and TCP on " + host)
