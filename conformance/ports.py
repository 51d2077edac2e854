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
