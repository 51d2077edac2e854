"""The reference UA's UDP socket keeps a burst that comes while its event loop is busy."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from conformance.reference.sip.transport import RECEIVE_BUFFER, SipTransport

BURST = 400  # ~1 KB each: about 0.7 MB as the kernel counts it, three times the usual default buffer
REQUEST = (
    "OPTIONS sip:agent@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-{n}\r\n"
    "From: <sip:burst@127.0.0.1>;tag={n}\r\n"
    "To: <sip:agent@127.0.0.1>\r\n"
    "Call-ID: {n}@burst\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "X-Pad: {pad}\r\n"
    "Content-Length: 0\r\n\r\n"
)


def _sysctl(name: str) -> int:
    return int(Path(f"/proc/sys/net/core/{name}").read_text())


def test_a_burst_sent_while_the_loop_is_busy_is_all_received():
    """SIPp does not retransmit (-nr): a datagram the kernel drops is a lost call."""
    if min(RECEIVE_BUFFER, _sysctl("rmem_max")) <= 4 * _sysctl("rmem_default"):
        pytest.skip("net.core.rmem_max does not let a socket have a buffer much larger than the default")

    async def scenario() -> int:
        received: list[str] = []
        all_in = asyncio.Event()

        def on_message(message, _addr) -> None:
            received.append(message.get("Call-ID"))
            if len(received) == BURST:
                all_in.set()

        transport = SipTransport(on_message)
        await transport.open("127.0.0.1", 0)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                # Sent without yielding to the loop: all of it waits in the socket's buffer.
                for n in range(BURST):
                    sender.sendto(REQUEST.format(n=n, pad="x" * 700).encode(), transport.address)
            try:
                await asyncio.wait_for(all_in.wait(), 5)
            except asyncio.TimeoutError:
                pass
        finally:
            transport.close()
        return len(received)

    assert asyncio.run(scenario()) == BURST
