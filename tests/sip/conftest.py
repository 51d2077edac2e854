"""Fixtures for the SIPp driver's tests: a real SIPp caller and a real SIPp
callee talking to each other (server=None), the harness as the twin of both."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from conformance.sip import SipDriver, SipEvent
from conformance.target import Timeouts
from conformance.transcript import Transcript


class Events:
    """Every SipEvent the driver reported, and a bounded wait for one to come."""

    def __init__(self) -> None:
        self.items: list[SipEvent] = []
        self._waiters: list[tuple[Callable[[SipEvent], bool], asyncio.Future[SipEvent]]] = []

    def add(self, event: SipEvent) -> None:
        self.items.append(event)
        for test, future in list(self._waiters):
            if not future.done() and test(event):
                future.set_result(event)

    def find(self, party: str, message: str, direction: str = "received", cseq_method: str | None = None,
             call_id: str | None = None) -> list[SipEvent]:
        return [event for event in self.items if _fits(event, party, message, direction, cseq_method, call_id)]

    async def wait(self, party: str, message: str, direction: str = "received", cseq_method: str | None = None,
                   call_id: str | None = None, timeout: float = 3.0, count: int = 1) -> SipEvent:
        """The count-th matching event, once it has come."""
        found = self.find(party, message, direction, cseq_method, call_id)
        if len(found) >= count:
            return found[count - 1]
        future: asyncio.Future[SipEvent] = asyncio.get_running_loop().create_future()
        def test(event: SipEvent) -> bool:
            return len(self.find(party, message, direction, cseq_method, call_id)) >= count
        waiter = (test, future)
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
            return self.find(party, message, direction, cseq_method, call_id)[count - 1]
        except asyncio.TimeoutError:
            seen = [f"{e.party} {e.direction} {e.message} ({e.cseq_method})" for e in self.items]
            raise AssertionError(f"no {party} {direction} {message} within {timeout} s; seen: {seen}") from None
        finally:
            self._waiters.remove(waiter)


def _fits(event: SipEvent, party: str, message: str, direction: str, cseq_method: str | None, call_id: str | None) -> bool:
    return (
        event.party == party
        and event.message == message
        and event.direction == direction
        and (cseq_method is None or event.cseq_method == cseq_method)
        and (call_id is None or event.call_id == call_id)
    )


@pytest.fixture
def sip_events() -> Events:
    return Events()


@pytest.fixture
def sipp_pair(tmp_path: Path):
    """`async with sipp_pair(callers, callees) as (driver, events, transcript)`: started, then stopped."""

    @contextlib.asynccontextmanager
    async def run(callers=("caller",), callees=("callee",), sip_timeout: float = 3.0
                  ) -> AsyncIterator[tuple[SipDriver, Events, Transcript]]:
        events, transcript = Events(), Transcript()
        driver = SipDriver(tmp_path / "sip", None, transcript, events.add, Timeouts(sip=sip_timeout, connect=5.0))
        await driver.start(list(callers), list(callees))
        try:
            yield driver, events, transcript
        finally:
            await driver.stop()

    return run
