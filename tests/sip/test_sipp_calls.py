"""A real SIPp caller dials a real SIPp callee; the harness plays the twin of both."""

from __future__ import annotations

import asyncio

import pytest


def test_dial_carries_the_headers_in_order_and_the_callee_reports_the_invite(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            callee = driver.callee("callee")
            headers = [("X-Skill", "sales"), ("X-Case", "a b;c=d"), ("X-Skill", "support")]
            call_id = await driver.caller("caller").dial(callee.uri, headers)
            invite = await events.wait("callee", "INVITE", call_id=call_id)
            assert invite.request_uri == callee.uri
            names = [name for name, _ in invite.headers]
            extra = [(n, v) for n, v in invite.headers if n.startswith("X-")]
            assert extra == headers
            assert names.index("X-Skill") > names.index("From")  # after the harness's own
            assert invite.body.startswith("v=0") and "m=audio" in invite.body
            assert invite.raw.startswith(f"INVITE {callee.uri} SIP/2.0\r\n")
            sent = await events.wait("caller", "INVITE", direction="sent", call_id=call_id)
            assert sent.raw == invite.raw  # the same bytes, seen from both ends

    asyncio.run(scenario())


def test_ring_answer_info_and_caller_hangs_up(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            call_id = await caller.dial(callee.uri)
            await events.wait("caller", "100", cseq_method="INVITE")
            await callee.ring()
            await events.wait("caller", "180", cseq_method="INVITE")
            await callee.answer()  # returns once the ACK is in
            assert events.find("caller", "200", cseq_method="INVITE")
            assert events.find("callee", "ACK")
            assert await caller.send_dtmf("5") == 200
            info = await events.wait("callee", "INFO")
            assert ("Content-Type", "application/dtmf-relay") in info.headers
            assert info.body == "Signal=5\r\nDuration=160\r\n"
            assert await caller.hang_up() == 200
            bye = await events.wait("callee", "BYE", call_id=call_id)
            assert bye.cseq_method == "BYE"
            await events.wait("callee", "200", direction="sent", cseq_method="BYE")

    asyncio.run(scenario())


def test_callee_hangs_up_and_sends_dtmf(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.answer()
            assert await callee.send_dtmf("#") == 200
            assert (await events.wait("caller", "INFO")).body.startswith("Signal=#\r\n")
            assert await callee.hang_up() == 200
            await events.wait("caller", "BYE")
            await events.wait("caller", "200", direction="sent", cseq_method="BYE")
            with pytest.raises(Exception, match="no call in progress"):
                await caller.hang_up()

    asyncio.run(scenario())


@pytest.mark.parametrize("code", [486, 603])
def test_reject_is_acked(sipp_pair, code):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            call_id = await driver.caller("caller").dial(driver.callee("callee").uri)
            await driver.callee("callee").reject(code)  # returns once the ACK is in
            final = await events.wait("caller", str(code), cseq_method="INVITE", call_id=call_id)
            ack = await events.wait("caller", "ACK", direction="sent", call_id=call_id)
            assert _branch(ack.raw) == _branch(final.raw)  # the ACK of a non-2xx is in the INVITE's transaction
            assert events.find("callee", "ACK", call_id=call_id)
            assert driver.roles["caller"].calls[call_id].state == "ended"

    asyncio.run(scenario())


def test_cancel_after_ringing(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            call_id = await caller.dial(callee.uri)
            await callee.ring()
            await events.wait("caller", "180")
            await caller.cancel()  # returns once the 487 is ACKed
            cancel = await events.wait("callee", "CANCEL", call_id=call_id)
            invite = events.find("caller", "INVITE", direction="sent", call_id=call_id)[0]
            assert _branch(cancel.raw) == _branch(invite.raw)
            assert events.find("caller", "200", cseq_method="CANCEL")
            assert events.find("caller", "487", cseq_method="INVITE")
            await events.wait("callee", "ACK", call_id=call_id)
            assert driver.roles["callee"].calls[call_id].end == "ended cancelled"

    asyncio.run(scenario())


def test_commands_out_of_place_are_refused_with_a_reason(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            with pytest.raises(Exception, match="caller cannot bye now: call .* is early"):
                await caller.hang_up()
            with pytest.raises(Exception, match="cannot reject with 299"):
                await callee.reject(299)
            await callee.answer()
            with pytest.raises(Exception, match="callee cannot ring now: call .* is confirmed"):
                await callee.ring()
            with pytest.raises(Exception, match="'x' is not a DTMF digit"):
                await caller.send_dtmf("x")

    asyncio.run(scenario())


def test_early_media_then_answer(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.progress()
            early = await events.wait("caller", "183", cseq_method="INVITE")
            assert ("Content-Type", "application/sdp") in early.headers and _port(early.body) == callee.media().port
            await callee.answer()
            answer = events.find("caller", "200", cseq_method="INVITE")[0]
            assert answer.body == early.body  # the same answer, same version: nothing changed (RFC 3264 8)

    asyncio.run(scenario())


@pytest.mark.parametrize("holder, other", [("caller", "callee"), ("callee", "caller")])
def test_hold_and_unhold_are_new_offers(sipp_pair, holder, other):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.answer()
            party = caller if holder == "caller" else callee
            assert await party.hold() == 200
            assert await party.unhold() == 200
            invites = 3 if holder == "caller" else 2  # the callee also got the first INVITE
            await events.wait(other, "ACK", count=invites)  # the other side comes in its own time
            offers = [e.body for e in events.find(other, "INVITE")][-2:]
            answers = [e.body for e in events.find(other, "200", direction="sent", cseq_method="INVITE")][-2:]
            assert [_direction(b) for b in offers] == ["a=sendonly", "a=sendrecv"]
            assert [_direction(b) for b in answers] == ["a=recvonly", "a=sendrecv"]
            assert [_sdp_version(b) for b in offers] == ["2", "3"]

    asyncio.run(scenario())


def test_the_sdp_carries_each_call_its_own_open_rtp_port(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            call_id = await caller.dial(callee.uri)
            await callee.answer()
            offer = events.find("callee", "INVITE", call_id=call_id)[0].body
            answer = events.find("caller", "200", cseq_method="INVITE", call_id=call_id)[0].body
            caller_sink, callee_sink = caller.media(call_id), callee.media(call_id)
            assert _port(offer) == caller_sink.port and _port(answer) == callee_sink.port
            loop = asyncio.get_running_loop()
            sender, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=("127.0.0.1", callee_sink.port))
            sender.sendto(b"\x80\x00" + bytes(170))
            sender.close()
            await caller.hang_up()  # one round trip later the datagram is long in
            assert callee_sink.packets == 1

    asyncio.run(scenario())


def _branch(raw: str) -> str:
    via = next(line for line in raw.split("\r\n") if line.startswith("Via:"))
    return via.split("branch=")[1].split(";")[0]


def _direction(sdp: str) -> str:
    return next(line for line in sdp.split("\r\n") if line in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"))


def _sdp_version(sdp: str) -> str:
    return next(line for line in sdp.split("\r\n") if line.startswith("o=")).split()[2]


def _port(sdp: str) -> int:
    return int(next(line for line in sdp.split("\r\n") if line.startswith("m=audio")).split()[1])
