"""What the driver says when things go wrong, and what it leaves behind."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import socket
import sys
import time

import pytest

from conformance.ports import free_udp_tcp_port
from conformance.sip import SipCommandTimeout, SipDriver, SipError, SippDied
from conformance.sip import driver as driver_module
from conformance.target import Timeouts
from conformance.transcript import Transcript


def test_a_misplaced_command_times_out_and_says_so(sipp_pair):
    """SIPp drops a command that reaches a call busy with SIP. To make that
    happen for sure, the callee SIPp is stopped while an INFO for it and then
    a command for it wait in its sockets; SIPp takes them in that order."""

    async def scenario():
        async with sipp_pair(sip_timeout=1.0) as (driver, events, _):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.answer()
            pid = driver.pids["callee"]
            os.kill(pid, signal.SIGSTOP)
            try:
                info = asyncio.create_task(caller.send_dtmf("1"))
                await events.wait("caller", "INFO", direction="sent")
                written = _on_next_command(driver.roles["callee"])
                hold = asyncio.create_task(callee.hold())
                await asyncio.wait_for(written.wait(), 1.0)
            finally:
                os.kill(pid, signal.SIGCONT)
            with pytest.raises(SipCommandTimeout, match="a misplaced command; it logged 'Unexpected control message'"):
                await hold
            with pytest.raises(SipCommandTimeout):  # SIPp deleted the call: the INFO is never answered
                await info

    asyncio.run(scenario())


def test_a_killed_sipp_fails_the_pending_command_at_once(sipp_pair):
    async def scenario():
        async with sipp_pair(sip_timeout=5.0) as (driver, events, transcript):
            caller, callee = driver.caller("caller"), driver.callee("callee")
            await caller.dial(callee.uri)
            await callee.answer()
            callee_pid, caller_pid = driver.pids["callee"], driver.pids["caller"]
            os.kill(callee_pid, signal.SIGSTOP)  # the BYE stays unanswered
            try:
                hang_up = asyncio.create_task(caller.hang_up())
                await events.wait("caller", "BYE", direction="sent")
                killed = time.monotonic()
                os.kill(caller_pid, signal.SIGKILL)
                with pytest.raises(SippDied, match=rf"SIPp caller \(pid {caller_pid}\) exited with code -9"):
                    await hang_up
                assert time.monotonic() - killed < 1.0  # not the 5 s command timeout
                with pytest.raises(SippDied):
                    await caller.send_dtmf("1")
            finally:
                os.kill(callee_pid, signal.SIGCONT)
            await events.wait("callee", "BYE")  # the callee ends its side: nothing left to close
            assert any("exited with code -9" in r.text for r in transcript.records if r.channel == "note")

    asyncio.run(scenario())


def test_a_killed_callee_sipp_ends_the_wait_for_an_offer(sipp_pair):
    async def scenario():
        async with sipp_pair(sip_timeout=5.0) as (driver, _, _t):
            waiting = asyncio.create_task(driver.callee("callee").ring())  # no INVITE will come
            pid = driver.pids["callee"]
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(SippDied, match=rf"SIPp callee \(pid {pid}\) exited with code -9"):
                await asyncio.wait_for(waiting, 1.0)

    asyncio.run(scenario())


def test_traces_are_kept_and_no_sipp_is_left(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, _):
            call_id = await driver.caller("caller").dial(driver.callee("callee").uri)
            await events.wait("callee", "INVITE")
            pids = dict(driver.pids)
        # stop() ended the call (the caller cancels an unanswered one) and the processes
        assert sorted(pids) == ["callee", "caller"]
        for pid in pids.values():
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        names = {path.name for path in driver.artifacts}
        assert {"caller.xml", "callee.xml", "caller-1.messages.log", "callee-1.messages.log"} <= names
        caller_trace = next(p for p in driver.artifacts if p.name == "caller-1.messages.log").read_text()
        assert f"Call-ID: {call_id}" in caller_trace and "CANCEL sip:callee@" in caller_trace
        assert events.find("callee", "CANCEL", call_id=call_id)

    asyncio.run(scenario())


def test_an_invite_for_an_unknown_party_is_refused_and_noted(sipp_pair):
    async def scenario():
        async with sipp_pair() as (driver, events, transcript):
            uri = driver.callee("callee").uri.replace("sip:callee@", "sip:stranger@")
            call_id = await driver.caller("caller").dial(uri)
            await events.wait("caller", "404", call_id=call_id)
            assert events.find("stranger", "INVITE", call_id=call_id)
            notes = [r.text for r in transcript.records if r.channel == "note"]
            assert any("'stranger', which is not a callee of this case (callee): rejected with 404" in n for n in notes)
            with pytest.raises(SipError, match="no call in progress"):
                await driver.caller("caller").cancel()

    asyncio.run(scenario())


def test_a_sip_port_taken_by_someone_else_means_other_ports(tmp_path, monkeypatch):
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", free_udp_tcp_port()))
    allocate = driver_module._ports
    first = iter([True])

    def ports(host):
        chosen = allocate(host)
        if next(first, False):  # the caller's first SIP port is already bound
            return dataclasses.replace(chosen, sip=taken.getsockname()[1])
        return chosen

    monkeypatch.setattr(driver_module, "_ports", ports)

    async def scenario():
        transcript = Transcript()
        driver = SipDriver(tmp_path, None, transcript, lambda e: None, Timeouts(sip=2.0, connect=5.0))
        await driver.start(["caller"], ["callee"])
        try:
            assert driver.roles["caller"].ports.sip != taken.getsockname()[1]
            assert [f.messages.name for f in driver.roles["caller"].runs] == ["caller-1.messages.log", "caller-2.messages.log"]
            assert any("exited with code 254" in r.text for r in transcript.records if r.channel == "note")
        finally:
            await driver.stop()

    try:
        asyncio.run(scenario())
    finally:
        taken.close()


def test_a_sipp_that_cannot_start_is_reported_with_its_exit(tmp_path):
    async def scenario():
        driver = SipDriver(tmp_path, None, Transcript(), lambda e: None, Timeouts(connect=2.0), sipp="/bin/false")
        with pytest.raises(SippDied, match=r"SIPp (caller|callee) \(pid \d+\) exited with code 1"):
            await driver.start(["caller"], ["callee"])

    asyncio.run(scenario())


HARNESS = """
import asyncio, sys
from pathlib import Path
from conformance.sip import SipDriver
from conformance.transcript import Transcript

async def main():
    driver = SipDriver(Path(sys.argv[1]), None, Transcript(), lambda event: None)
    await driver.start(["caller"], ["callee"])
    await driver.caller("caller").dial(driver.callee("callee").uri)
    print(driver.pids["caller"], driver.pids["callee"], flush=True)
    await asyncio.Event().wait()  # until it is killed

asyncio.run(main())
"""


def test_sipp_dies_with_a_harness_killed_outright(tmp_path):
    """No stop() runs: the kernel ends the SIPps (a call is open, so their -timeout would not)."""

    async def scenario():
        harness = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HARNESS, str(tmp_path), stdout=asyncio.subprocess.PIPE
        )
        try:
            line = await asyncio.wait_for(harness.stdout.readline(), 10.0)
        finally:
            harness.kill()
            await harness.wait()
        for pid in map(int, line.split()):
            await asyncio.wait_for(_exited(pid), 2.0)

    asyncio.run(scenario())


async def _exited(pid: int) -> None:
    """Wait for a process that is not our child to end: its pidfd becomes readable."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    ended = loop.create_future()
    loop.add_reader(fd, ended.set_result, None)
    try:
        await ended
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def _on_next_command(role) -> asyncio.Event:
    """An event set once the driver has written a command to this SIPp."""
    written = asyncio.Event()
    channel = role._twin
    send = channel.send

    def send_and_tell(data: bytes) -> None:
        send(data)
        written.set()

    channel.send = send_and_tell
    return written
