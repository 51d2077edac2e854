"""Everything the harness parties received during a case, as ordered streams.

One stream per XMPP client (the events the server sent it) and one per SIP
party (what SIPp saw). Order within a stream is meaningful; order across
streams is not (XMPP and SIP travel separately). Expectations consume events
from a stream's position onwards; waits wake up whenever anything arrives.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

StreamKey = tuple[str, str]  # ("xmpp", client name) or ("sip", party name)
T = TypeVar("T")


@dataclass
class Stream:
    events: list[Any] = field(default_factory=list)
    position: int = 0  # the next event an expectation may use
    closed: str | None = None  # why no more events can come (disconnect, process died)


class Observations:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.streams: dict[StreamKey, Stream] = {}
        self.consumed: set[tuple[StreamKey, int]] = set()  # events some expectation used
        self.clock = clock
        self._changed = asyncio.Event()
        self._next: list[asyncio.Future[None]] = []  # next_change() futures still to resolve

    def stream(self, key: StreamKey) -> Stream:
        return self.streams.setdefault(key, Stream())

    def add(self, key: StreamKey, event: Any) -> None:
        self.stream(key).events.append(event)
        self._notify()

    def close(self, key: StreamKey, reason: str) -> None:
        stream = self.stream(key)
        if stream.closed is None:
            stream.closed = reason
        self._notify()

    def next_change(self) -> asyncio.Future[None]:
        """Done when the next event arrives or a stream closes: for waits on something else too (media)."""
        future = asyncio.get_running_loop().create_future()
        self._next.append(future)
        return future

    def _notify(self) -> None:
        self._changed.set()
        for future in self._next:
            if not future.done():
                future.set_result(None)
        self._next = []

    def positions(self) -> dict[StreamKey, int]:
        return {key: stream.position for key, stream in self.streams.items()}

    def commit(self, positions: dict[StreamKey, int], hits) -> None:
        """An expectation was met: its events are used, its streams move on."""
        self.consumed.update(hits)
        for key, position in positions.items():
            stream = self.stream(key)
            stream.position = max(stream.position, position)

    async def wait(
        self, attempt: Callable[[], T | None], timeout: float, watch: list[StreamKey],
        decided: Callable[[], str | None] = lambda: None,
    ) -> tuple[T | None, str | None]:
        """Run `attempt` whenever something arrives, until it returns a value.

        Returns (value, None), or (None, why) on timeout, when a watched
        stream closes, or when `decided` says why nothing still to come could match.
        """
        deadline = self.clock() + timeout
        while True:
            # Clear before trying: anything that arrives while we wait sets it again.
            self._changed.clear()
            result = attempt()
            if result is not None:
                return result, None
            closed = [self.streams[k].closed for k in watch if k in self.streams and self.streams[k].closed]
            if closed:
                return None, closed[0]
            why = decided()
            if why:
                return None, why
            remaining = deadline - self.clock()
            if remaining <= 0:
                return None, f"nothing matching within {timeout:.1f} s"
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass
