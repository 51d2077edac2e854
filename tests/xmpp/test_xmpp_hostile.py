"""Hostile input from the server: huge and endless stanzas, external entities,
entity bombs and floods. Each ends the stream with a reason that names it, or
is taken in stride, and never grows the harness beyond its limits."""

from __future__ import annotations

import asyncio
import itertools
import tracemalloc

import pytest

from conformance.xmpp import ConnectError
from conformance.xmpp.splitter import DEFAULT_MAX_STANZA

from .xmpp_kit import HEADER, MECHANISMS, TIMEOUT, FakeServer, Harness

CHUNK = 65_536
POLICY_VIOLATION = "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"


def ten_megabytes() -> list[bytes]:
    """One well-formed message of 10 MB, then a small one."""
    body = [b"x" * CHUNK] * (10_000_000 // CHUNK)
    return [b"<message id='huge'><body>", *body, b"</body></message>", b"<message id='after'/>"]


def endless() -> itertools.chain[bytes]:
    """A message that never ends: its body goes on as long as the harness reads."""
    return itertools.chain([b"<message id='endless'><body>"], itertools.repeat(b"x" * CHUNK))


async def flooded(chunks, limit: int) -> tuple[Harness, FakeServer, str, int]:
    server = FakeServer()
    harness = Harness(await server.start(), "hostile", max_stanza_size=limit)
    await harness.client.connect(TIMEOUT)
    written = await asyncio.wait_for(server.write_until_gone(chunks), TIMEOUT * 4)
    reason = await asyncio.wait_for(harness.closed, TIMEOUT)
    await asyncio.wait_for(server.client_gone, TIMEOUT)
    await harness.client.close(TIMEOUT)
    await server.close()
    return harness, server, reason, written


@pytest.mark.parametrize(
    "chunks, limit",
    [(ten_megabytes, DEFAULT_MAX_STANZA), (endless, 100_000)],
    ids=["well-formed-10MB", "endless"],
)
def test_a_stanza_over_the_limit_is_reported_as_such_and_ends_the_stream(chunks, limit: int) -> None:
    harness, server, reason, written = asyncio.run(flooded(chunks(), limit))
    assert reason == (f"the server sent a stanza longer than {limit} bytes, the harness's limit "
                      "(max_stanza_size in the target's [xmpp])")
    assert harness.stanzas == []  # neither the stanza nor what came after it
    assert server.received.decode().endswith(POLICY_VIOLATION)  # RFC 6120 §4.9.3.18
    kept = harness.records("received")
    assert kept[-1].label == f"a stanza longer than {limit} bytes, the harness's limit: its first 4096 characters"
    assert sum(len(record.text) for record in kept) < 8192  # the transcript holds the start of it only


def test_an_endless_stanza_is_not_read_past_the_limit() -> None:
    """The harness stops reading: what the server could write is bounded by the
    socket buffers, not by how long it goes on (it was seen growing to 469 MB),
    and the harness's memory by the limit."""
    tracemalloc.start()
    try:
        _, _, _, written = asyncio.run(flooded(endless(), 100_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written < 64 * 1_048_576
    assert peak < 16 * 1_048_576


@pytest.mark.parametrize(
    "bad, error",
    [
        (b"<!DOCTYPE m [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><message>&xxe;</message>", "not well-formed (invalid token)"),
        (b"<message><body>&xxe;</body></message>", "undefined entity"),
    ],
    ids=["external-entity-declared", "external-entity-used"],
)
def test_an_external_entity_after_login_is_malformed_and_never_resolved(bad: bytes, error: str) -> None:
    async def main() -> tuple[Harness, str]:
        server = FakeServer()
        harness = Harness(await server.start(), "hostile")
        await harness.client.connect(TIMEOUT)
        server.write(bad)
        reason = await asyncio.wait_for(harness.closed, TIMEOUT)
        await asyncio.wait_for(server.client_gone, TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness, reason

    harness, reason = asyncio.run(main())
    assert reason.startswith(f"malformed XML from the server: {error}")
    assert harness.stanzas == []
    assert not any("root:" in record.text for record in harness.transcript.records)  # /etc/passwd never read


def test_an_entity_bomb_before_the_stream_fails_the_login_at_once() -> None:
    laughs = b"<!ENTITY a0 'lol'>" + b"".join(b"<!ENTITY a%d '%s'>" % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10))
    bomb = b"<?xml version='1.0'?><!DOCTYPE stream:stream [" + laughs + b"]>" + HEADER[21:]

    async def main() -> str:
        server = FakeServer(first=bomb + b"<stream:features>" + MECHANISMS + b"</stream:features>")
        harness = Harness(await server.start(), "hostile")
        with pytest.raises(ConnectError) as failure:
            await harness.client.connect(TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return str(failure.value)

    message = asyncio.run(main())
    assert message == "malformed XML from the server: a document type declaration, which XMPP does not allow (RFC 6120 §11.1)"


def test_a_flood_of_stanzas_is_delivered_whole_and_in_order() -> None:
    count = 20_000

    async def main() -> Harness:
        server = FakeServer()
        harness = Harness(await server.start(), "hostile")
        await harness.client.connect(TIMEOUT)
        server.write(b"".join(b"<presence from='c%d@rayo.localhost' id='%d'/>" % (n, n) for n in range(count)))
        while len(harness.stanzas) < count:
            await asyncio.wait_for(harness.arrived.get(), TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness

    harness = asyncio.run(main())
    assert [s.element.get("id") for s in harness.stanzas] == [str(n) for n in range(count)]
    assert not harness.closed.done()
