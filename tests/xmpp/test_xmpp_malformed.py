"""Malformed XML from the server is kept in the transcript and reported, never lost."""

from __future__ import annotations

import asyncio

import pytest

from conformance.xmpp import ConnectError

from .xmpp_kit import HEADER, TIMEOUT, FakeServer, Harness

def test_malformed_xml_after_login_is_recorded_and_reported() -> None:
    good = "<message from='rayo@localhost' id='ok' note='1>0'/>"
    bad = "<message id='bad'><body>unclosed</message>"

    async def main() -> tuple[Harness, FakeServer, str]:
        server = FakeServer()
        harness = Harness(await server.start(), "fake")
        await harness.client.connect(TIMEOUT)
        server.write((good + bad).encode())  # one write: the good stanza must survive the bad one
        reason = await asyncio.wait_for(harness.closed, TIMEOUT)
        await asyncio.wait_for(server.client_gone, TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness, server, reason

    harness, server, reason = asyncio.run(main())
    assert [(s.text, s.element.get("note")) for s in harness.stanzas] == [(good, "1>0")]
    assert reason.startswith("malformed XML from the server: mismatched tag at line 1, column ")
    last = harness.records("received")[-1]
    assert last.text == bad and last.label == reason.replace(" from the server", "")
    told = "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"
    assert server.received.decode().endswith(told)
    assert [r.label for r in harness.records("sent")][-2:] == ["error not-well-formed", "stream end"]


def test_malformed_xml_during_login_fails_it() -> None:
    async def main() -> tuple[Harness, str]:
        server = FakeServer(first=HEADER + b"<stream:features><mechanisms>&nbsp;</mechanisms></stream:features>")
        harness = Harness(await server.start(), "fake")
        with pytest.raises(ConnectError) as failure:
            await harness.client.connect(TIMEOUT)
        await harness.client.close(TIMEOUT)
        await server.close()
        return harness, str(failure.value)

    harness, message = asyncio.run(main())
    assert message.startswith("malformed XML from the server: undefined entity at line 1, column ")
    assert [(r.label.split(":")[0], r.text) for r in harness.records("received")] == [
        ("stream header", HEADER.decode()),
        ("malformed XML", "<stream:features><mechanisms>&nbsp;</mechanisms></stream:features>"),
    ]
    assert not harness.closed.done()
