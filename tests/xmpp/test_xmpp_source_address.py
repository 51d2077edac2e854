"""The harness's XMPP connection comes from its own address, as its SIP and RTP do: a host with
several addresses (here loopback aliases) shows the server one of them, not the route's choice."""

from __future__ import annotations

import asyncio

import pytest

from conformance.reference.prosody import Prosody
from conformance.transcript import Transcript
from conformance.xmpp import Account, ConnectError, HarnessClient

from .xmpp_kit import ACCOUNTS

SERVER, HARNESS = "127.0.0.7", "127.0.0.6"


def client(port: int, source: str | None) -> HarnessClient:
    account = Account(jid="alice@localhost/source", password=ACCOUNTS["alice"], host=SERVER, port=port,
                      tls="plain", presence="none", source=source)
    return HarnessClient("alice", account, Transcript(), lambda stanza: None, lambda reason: None)


@pytest.mark.parametrize("source, seen", [(HARNESS, HARNESS), (None, "127.0.0.1")])
def test_the_server_sees_the_connection_come_from_the_harness_address(source, seen):
    async def main() -> str:
        peers: asyncio.Queue = asyncio.Queue()

        def accepted(_reader, writer: asyncio.StreamWriter) -> None:
            peers.put_nowait(writer.get_extra_info("peername")[0])
            writer.close()  # the login fails at once: only where it came from matters

        server = await asyncio.start_server(accepted, SERVER, 0)
        try:
            with pytest.raises(ConnectError):
                await client(server.sockets[0].getsockname()[1], source).connect(5.0)
            return await asyncio.wait_for(peers.get(), 5.0)
        finally:
            server.close()

    assert asyncio.run(main()) == seen  # without a source the route to 127.0.0.7 starts at 127.0.0.1


def test_a_login_to_a_prosody_on_another_address(tmp_path):
    server = Prosody(tmp_path / "prosody", host=SERVER)
    server.start()
    try:
        server.register("alice", ACCOUNTS["alice"])

        async def main() -> str:
            harness = client(server.c2s_port, HARNESS)
            await harness.connect(5.0)
            await harness.close(5.0)
            return harness.full_jid

        assert asyncio.run(main()).startswith("alice@localhost/")
    finally:
        server.stop()
