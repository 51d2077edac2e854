"""Every SIP message SIPp sent or received becomes one transcript record."""

from __future__ import annotations

import asyncio


def test_each_sip_message_is_one_record_in_the_parties_view(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, transcript):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.ring()
            await callee.answer()
            await caller.hang_up()
            await events.wait("callee", "200", direction="sent", cseq_method="BYE")
            records = [r for r in transcript.records if r.channel == "sip"]
            mine = [(r.direction, r.label) for r in records if r.party == "caller"]
            assert mine == [
                ("sent", "INVITE"),
                ("received", "100 Trying"),
                ("received", "180 Ringing"),
                ("received", "200 OK"),
                ("sent", "ACK"),
                ("sent", "BYE"),
                ("received", "200 OK (BYE)"),
            ]
            theirs = [(r.direction, r.label) for r in records if r.party == "callee"]
            assert theirs[:3] == [("received", "INVITE"), ("sent", "100 Trying"), ("sent", "180 Ringing")]
            assert {r.peer for r in records if r.party == "caller"} == {callee.uri.split("@")[1]}
            assert all(r.text.startswith(r.label.split(" (")[0].split(" ")[0]) or r.text.startswith("SIP/2.0 ") for r in records)
            # SIPp's clock, placed on time.monotonic(): in order, and close to when the harness learnt it
            for party in ("caller", "callee"):
                times = [r.t for r in records if r.party == party]
                assert times == sorted(times)
            learnt = {e.raw: e.t for e in events.items}
            assert all(0 <= learnt[r.text] - r.t < 0.5 for r in records)

    asyncio.run(scenario())
