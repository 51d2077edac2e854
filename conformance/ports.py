"""Loopback port allocation: ports are asked of the kernel, never fixed."""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port(kind: int = socket.SOCK_DGRAM, host: str = LOOPBACK) -> int:
    """A port that was free on `host` for `kind` a moment ago, below the kernel's ephemeral range.

    For programs we cannot hand a bound socket to (SIPp, Prosody). There is a window in which
    another program can take the port; below the ephemeral range only a program that picks ports
    by number can, not the kernel for an outgoing connection (which, under load, took SIPp's 3PCC
    port from it between the check and its bind). Callers that start such programs still treat a
    bind failure as "try another port", not as a fault of the server.
    """
    low = ephemeral_range()[0]
    for _ in range(100):
        port = random.randrange(max(1024, low - 16384), low) if low > 2048 else 0  # 0: the kernel's choice
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError(f"no free port below {low} on {host}")


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
