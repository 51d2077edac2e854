"""Twenty clients at once, as a busy harness run or a parallel CI job would bring."""

from __future__ import annotations

import asyncio

from .c2s_helpers import ACCOUNTS, end_session, running_server, slixmpp_client, start_session

CLIENTS = 20


def test_twenty_slixmpp_clients_at_once():
    async def scenario():
        async with running_server() as (server, core):
            users = sorted(ACCOUNTS)
            clients = [
                slixmpp_client(f"{users[i % 2]}@localhost/c{i}", ACCOUNTS[users[i % 2]]) for i in range(CLIENTS)
            ]
            await asyncio.gather(*(start_session(client, server.address) for client in clients))

            async def exchange(i: int) -> None:
                client = clients[i]
                client.send_presence(pto=f"call{i}@rayo.localhost")
                reply = await client.make_iq_set(ito=f"call{i}@rayo.localhost/input-1").send(timeout=5)
                assert reply["from"].full == f"call{i}@rayo.localhost/input-1"

            await asyncio.gather(*(exchange(i) for i in range(CLIENTS)))
            await asyncio.gather(*(end_session(client) for client in clients))
            # Each client's presence, iq and, after it left, unavailable presence reached the core.
            seen = [await core.next() for _ in range(3 * CLIENTS)]
            assert core.received.empty()
            senders = {stanza.get("from") for stanza in seen}
            assert senders == {str(client.boundjid) for client in clients}
            gone = {s.get("from") for s in seen if s.get("type") == "unavailable"}
            assert gone == senders

    asyncio.run(scenario())
