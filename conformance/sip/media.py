"""The harness's end of a call's audio: a UDP port on loopback that counts what arrives.

Each call gets its own port, put in the SDP of the SIPp party, and kept
open for the life of the call. A later media layer will replace this sink
with one that decodes and sends RTP.
"""

from __future__ import annotations

import asyncio


class RtpSink(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.packets = 0
        self.bytes = 0
        self.peer: tuple[str, int] | None = None  # where the last packet came from
        self._transport: asyncio.BaseTransport | None = None

    @classmethod
    async def open(cls) -> "RtpSink":
        sink = cls()
        loop = asyncio.get_running_loop()
        sink._transport, _ = await loop.create_datagram_endpoint(lambda: sink, local_addr=("127.0.0.1", 0))
        return sink

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.packets += 1
        self.bytes += len(data)
        self.peer = addr

    @property
    def port(self) -> int:
        assert self._transport is not None
        return self._transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
