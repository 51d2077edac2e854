"""Port allocation: every port is chosen at run time and checked free, never fixed."""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port(kind: int = socket.SOCK_DGRAM, host: str = LOOPBACK) -> int:
    """A port that was free on `host` for `kind` a moment ago, below the kernel's ephemeral range.

    For programs we cannot hand a bound socket to (SIPp, Prosody). There is a window in which
    another program can take the port. Below the ephemeral range no outgoing connection can (one took
    SIPp's 3PCC port under load), and each process walks the range from a starting point of its own,
    so two test processes do not hand out the same port at once (random picks did, now and then).
    Callers that start such programs still treat a bind failure as "try another port".
    """
    low = ephemeral_range()[0]
    if low <= 2048:  # no room below it: the kernel's choice
        return _bind(kind, host, 0)
    floor = max(1024, low - 16384)
    for _ in range(200):
        port = floor + next(_walk) % (low - floor)
        try:
            return _bind(kind, host, port)
        except OSError:
            continue
    raise OSError(f"no free port below {low} on {host}")


def _bind(kind: int, host: str, port: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((host, port))
        return sock.getsockname()[1]


def skip_past(port: int) -> None:
    """Hand out no port up to `port` before the walk comes round again (a port SIPp binds later)."""
    global _walk
    _walk = itertools.count(port - max(1024, ephemeral_range()[0] - 16384) + 1)


# Spread by a large prime: test processes started one after another have neighbouring PIDs.
_walk = itertools.count(os.getpid() * 7919 % 16384)


def ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands out for bind(0) and outgoing connections (Linux's default if unknown)."""
    try:
        low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


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
        skip_past(port + 2)  # SIPp binds p+2 only when a call starts: not for anyone else meanwhile
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
