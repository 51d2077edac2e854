"""A stream that ends after the login reaches the owner at once, with the reason."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from conformance.reference.prosody import Prosody
from conformance.xmpp import NotConnected

from .xmpp_kit import ACCOUNTS, TIMEOUT, Harness, Relay


def test_a_stream_error_from_the_server_reaches_on_closed_promptly(prosody: Prosody) -> None:
    async def main() -> tuple[str, float, Harness]:
        first = Harness(prosody.c2s_port, "twice")
        await first.client.connect(TIMEOUT)
        second = Harness(prosody.c2s_port, "twice")  # same full JID: Prosody replaces the first session
        await second.client.connect(TIMEOUT)
        replaced = time.monotonic()
        reason = await asyncio.wait_for(first.closed, TIMEOUT)
        latency = time.monotonic() - replaced
        with pytest.raises(NotConnected, match="conflict"):
            first.client.send("<presence/>")
        await first.client.close(TIMEOUT)
        await second.client.close(TIMEOUT)
        assert not second.closed.done()
        return reason, latency, first

    reason, latency, first = asyncio.run(main())
    assert reason == "the server sent a stream error: conflict (Replaced by new connection)"
    assert latency < 0.5
    assert [r.label for r in first.records("received")][-2:] == ["error conflict", "stream end"]


def test_a_server_shutting_down_reaches_on_closed_before_it_has_exited(tmp_path: Path) -> None:
    async def main(server: Prosody) -> tuple[str, float]:
        harness = Harness(server.c2s_port, "shutdown")
        await harness.client.connect(TIMEOUT)
        signalled = time.monotonic()
        stopping = asyncio.create_task(asyncio.to_thread(server.stop))  # Prosody lingers about 1 s
        reason = await asyncio.wait_for(harness.closed, TIMEOUT)
        latency = time.monotonic() - signalled
        await stopping
        await harness.client.close(TIMEOUT)
        return reason, latency

    with Prosody(tmp_path) as server:
        server.register("alice", ACCOUNTS["alice"])
        reason, latency = asyncio.run(main(server))
    assert reason == "the server sent a stream error: system-shutdown (Received SIGTERM)"
    assert latency < 0.5


def test_a_dropped_connection_reaches_on_closed(prosody: Prosody) -> None:
    async def main() -> str:
        relay = Relay(prosody.c2s_port)
        harness = Harness(await relay.start(), "dropped")
        await harness.client.connect(TIMEOUT)
        await relay.close()  # TCP gone, no stream end
        reason = await asyncio.wait_for(harness.closed, TIMEOUT)
        await harness.client.close(TIMEOUT)
        return reason

    assert asyncio.run(main()) == "the connection was closed"


def test_closing_is_not_reported_as_a_loss(prosody: Prosody) -> None:
    async def main() -> Harness:
        harness = Harness(prosody.c2s_port, "closer")
        await harness.client.connect(TIMEOUT)
        await harness.client.close(TIMEOUT)
        await harness.client.close(TIMEOUT)  # twice is harmless
        return harness

    harness = asyncio.run(main())
    assert not harness.closed.done()
    assert harness.client.closed_reason == "closed by the harness"
    assert [r.label for r in harness.transcript.records][-2:] == ["stream end", "stream end"]  # ours, then the server's
