"""SIP over UDP on one socket (RFC 3261 section 18, RFC 3581 for rport).

Incoming requests get `received`/`rport` on their top Via, so the responses
built from them carry the address they must go back to.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Callable

from .address import Via
from .message import SipMessage, SipParseError, parse

log = logging.getLogger(__name__)
_EMPTY_RPORT = re.compile(r";\s*rport(?=\s*(;|$))", re.IGNORECASE)

Address = tuple[str, int]
RECEIVE_BUFFER = 4 * 1024 * 1024  # bytes asked of the kernel for the socket's receive buffer
MessageHandler = Callable[[SipMessage, Address], None]
TraceHandler = Callable[[str, SipMessage, Address], None]  # ("in" | "out", message, peer)


class SipTransport(asyncio.DatagramProtocol):
    def __init__(self, on_message: MessageHandler) -> None:
        self.on_message = on_message
        self.on_trace: TraceHandler | None = None
        self._transport: asyncio.DatagramTransport | None = None

    async def open(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        # UDP has no flow control: while the event loop is busy, datagrams
        # wait in the socket's buffer, and when it is full the kernel drops
        # them. The callers (SIPp with -nr) do not retransmit, so a drop is a
        # lost call. The default buffer (~208 KiB) overflowed with 100 calls
        # in progress (bench/inbound_calls.py); the kernel caps this at
        # net.core.rmem_max.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)

    @property
    def address(self) -> Address:
        if self._transport is None:
            raise RuntimeError("transport is not open")
        host, port = self._transport.get_extra_info("sockname")[:2]
        return host, port

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if not data.strip():
            return  # CRLF keep-alive
        try:
            message = parse(data)
            if message.is_request:
                _stamp_top_via(message, addr)
        except SipParseError as error:
            log.warning("dropped a datagram from %s:%s: %s", *addr, error)
            return
        self._trace("in", message, addr)
        self.on_message(message, addr)

    def send(self, message: SipMessage, addr: Address) -> None:
        if self._transport is None:
            return  # stopped: late timers have nowhere to send
        self._trace("out", message, addr)
        self._transport.sendto(message.to_bytes(), addr)

    def send_response(self, response: SipMessage) -> None:
        """Send to the address the request's top Via names (RFC 3261 18.2.2, RFC 3581)."""
        self.send(response, response_address(response))

    def _trace(self, direction: str, message: SipMessage, addr: Address) -> None:
        if self.on_trace is not None:
            self.on_trace(direction, message, addr)


def _stamp_top_via(request: SipMessage, source: Address) -> None:
    """Add received (and fill an empty rport) by editing the text, so the rest
    of the Via stays as the peer wrote it."""
    vias = request.get_all("Via")
    if not vias:
        raise SipParseError("request without Via")
    top = vias[0]
    via = Via.parse(top)
    host, port = source
    wants_rport = "rport" in via.params and not via.params["rport"]
    if wants_rport:
        top = _EMPTY_RPORT.sub(f";rport={port}", top, count=1)
    if wants_rport or via.host != host:  # RFC 3581: received accompanies a filled rport
        top += f";received={host}"
    request.replace_top_via(top)


def response_address(response: SipMessage) -> Address:
    vias = response.get_all("Via")
    if not vias:
        raise SipParseError("response without Via")
    via = Via.parse(vias[0])
    host = via.params.get("received") or via.host
    rport = via.params.get("rport")
    port = int(rport) if rport else via.port or 5060
    return host, port
