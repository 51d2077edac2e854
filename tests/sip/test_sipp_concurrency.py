"""Several calls through the same two SIPp processes, routed by Call-ID and by callee party."""

from __future__ import annotations

import asyncio
import time


def test_two_calls_to_two_callees_are_kept_apart(sipp_pair):
    async def scenario():
        async with sipp_pair(callers=("caller", "caller2"), callees=("callee", "callee2")) as (driver, events, _):
            first = await driver.caller("caller").dial(driver.callee("callee").uri, [("X-Call", "1")])
            second = await driver.caller("caller2").dial(driver.callee("callee2").uri, [("X-Call", "2")])
            assert (await events.wait("callee", "INVITE")).call_id == first
            assert (await events.wait("callee2", "INVITE")).call_id == second
            await asyncio.gather(driver.callee("callee").answer(), driver.callee("callee2").reject(486))
            assert events.find("caller", "200", cseq_method="INVITE", call_id=first)
            assert events.find("caller2", "486", call_id=second)
            assert not events.find("caller", "486") and not events.find("caller2", "200", cseq_method="INVITE")
            assert {e.call_id for e in events.items if e.party in ("caller", "callee")} == {first}
            assert {e.call_id for e in events.items if e.party in ("caller2", "callee2")} == {second}
            assert await driver.caller("caller").hang_up() == 200

    asyncio.run(scenario())


def test_twenty_concurrent_calls(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            started = time.monotonic()
            call_ids = await asyncio.gather(*(caller.dial(callee.uri, [("X-N", str(n))]) for n in range(20)))
            await asyncio.gather(*(events.wait("callee", "INVITE", call_id=c) for c in call_ids))
            await asyncio.gather(*(callee.ring(c) for c in call_ids))
            await asyncio.gather(*(callee.answer(c) for c in call_ids))
            codes = await asyncio.gather(*(caller.send_dtmf(str(n % 10), c) for n, c in enumerate(call_ids)))
            byes = await asyncio.gather(*(caller.hang_up(c) for c in call_ids))
            elapsed = time.monotonic() - started
            assert codes == [200] * 20 and byes == [200] * 20
            for n, call_id in enumerate(call_ids):
                invite = events.find("callee", "INVITE", call_id=call_id)[0]
                assert ("X-N", str(n)) in invite.headers
                info = await events.wait("callee", "INFO", call_id=call_id)
                assert info.body.startswith(f"Signal={n % 10}\r\n")
            assert len(set(call_ids)) == 20
            assert elapsed < 5, f"20 calls took {elapsed:.2f} s"

    asyncio.run(scenario())


def test_a_party_is_commanded_only_once_it_has_handled_what_came_in(sipp_pair):
    """Each INFO is answered by the other SIPp just before it reports; a command
    for that party at once would reach its call inside the handler, and SIPp
    would drop it with the call. The driver waits for the party's report."""

    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.answer()
            for n in range(10):
                assert await caller.send_dtmf(str(n)) == 200
                assert await callee.send_dtmf(str(n)) == 200
            assert len(events.find("callee", "INFO")) == len(events.find("caller", "INFO", direction="sent")) == 10

    asyncio.run(scenario())
