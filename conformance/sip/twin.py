"""The 3PCC control channel between the harness and one SIPp (notes/sipp.md 3.2).

One TCP connection carries both directions. A message is header-like lines
ending in CRLF, with a Call-ID line, closed by one ESC byte. The harness is
SIPp's "twin": it sends commands (Action: ...) and reads reports (Event: ...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from .errors import SipError

ESC = b"\x1b"


def encode(call_id: str, fields: Iterable[tuple[str, str]], headers: Iterable[tuple[str, str]] = ()) -> bytes:
    """A command. Extra SIP headers for a dial go last, under a "Headers:" line,
    each on a line of its own; the scenario copies that block into the INVITE."""
    fields, extra = list(fields), list(headers)
    for name, value in [("Call-ID", call_id)] + fields + extra:
        _check(name, value)
    lines = [f"Call-ID: {call_id}"] + [f"{name}: {value}" for name, value in fields]
    if extra:
        lines += ["Headers:"] + [f"{name}: {value}" for name, value in extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + ESC


def _check(name: str, value: str) -> None:
    """A line break or ESC would end the header or the command early."""
    if not name or any(c in name for c in ":\r\n\x1b \t") or any(c in value for c in "\r\n\x1b"):
        raise SipError(f"cannot send the header {name!r}: {value!r} (a header name is one token; no line breaks or ESC)")


def decode(frame: bytes) -> dict[str, str]:
    """A report's lines as {lower-case name: value}. SIPp's own abort notice
    ("call-id: X\\ninternal-cmd: abort_call") uses bare LF, hence splitlines."""
    fields: dict[str, str] = {}
    for line in frame.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


class TwinChannel:
    """One 3PCC connection: writes commands, hands each report to `on_message`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 on_message: Callable[[dict[str, str]], None], on_closed: Callable[[], None]):
        self._reader, self._writer = reader, writer
        self._on_message, self._on_closed = on_message, on_closed
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                try:
                    frame = await self._reader.readuntil(ESC)
                except asyncio.IncompleteReadError:
                    break
                self._on_message(decode(frame[:-1]))
        except ConnectionError:
            pass
        finally:
            self._on_closed()

    def send(self, data: bytes) -> None:
        if self._writer.is_closing():
            raise SipError("the 3PCC connection to SIPp is closed")
        self._writer.write(data)

    async def close(self) -> None:
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except ConnectionError:
            pass
        await self._task


async def connect(address: tuple[str, int], exited_within: Callable[[float], Awaitable[bool]],
                  deadline: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to a controller-B SIPp listening on `address`.

    SIPp gives no sign that its 3PCC port is listening (nothing on stdout, no
    file), so the harness tries to connect, with a short growing pause between
    attempts, until the deadline. The pause is a wait for the process to exit
    (`exited_within(seconds)`), so a SIPp that dies is noticed at once.
    """
    loop = asyncio.get_running_loop()
    pause = 0.005
    while True:
        try:
            return await asyncio.open_connection(*address, local_addr=(address[0], 0))
        except OSError as err:
            if loop.time() + pause > deadline:
                raise SipError(f"SIPp did not accept the 3PCC connection on {address[0]}:{address[1]}: {err}") from None
        if await exited_within(pause):
            raise SipError("SIPp exited before accepting the 3PCC connection")
        pause = min(pause * 2, 0.1)
