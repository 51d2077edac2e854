"""A test peer: a TCP relay on loopback in front of a real server, that lets the first few
connections through and then stops serving, as a server that breaks down mid-run does.

    with Gate(("127.0.0.1", xmpp_port), open_for=1, then="close") as gate:
        ...  # connect to 127.0.0.1:gate.port

then="close": later connections are closed at once (every login refused);
then="silent": they are accepted and never answered (a server gone quiet).
"""

from __future__ import annotations

import asyncio
import threading


class Gate:
    def __init__(self, upstream: tuple[str, int], open_for: int, then: str):
        assert then in ("close", "silent")
        self.upstream = upstream
        self.open_for = open_for
        self.then = then
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._connections: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None

    def __enter__(self) -> "Gate":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=5)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        self._server.close()
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._connections.add(asyncio.current_task())
        try:
            if self.connections <= self.open_for:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            elif self.then == "silent":
                while await reader.read(4096):  # take what the client says, answer nothing, until it leaves
                    pass
        finally:
            writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
