"""All the SIPp processes of one test case: at most one per role.

    driver = SipDriver(workdir, server, transcript, on_event, timeouts)
    await driver.start(["caller"], ["callee", "callee2"])
    call_id = await driver.caller("caller").dial(uri, [("X-Skill", "sales")])
    await driver.callee("callee2").answer()
    await driver.stop()

With server=None the caller and callee SIPp talk to each other: the
harness's own self-test, with no Rayo server in between.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from pathlib import Path

from ..ports import LOOPBACK, free_media_port, free_port, free_udp_tcp_port
from ..target import Timeouts
from ..transcript import Transcript
from .errors import PortBusy, SipError
from .events import SipEvent
from .parties import Callee, Caller
from .process import SippPorts
from .role import Settings, SippRole

START_ATTEMPTS = 5  # a port taken between allocation and SIPp's bind: try others


class SipDriver:
    def __init__(self, workdir: Path, server: tuple[str, int] | None, transcript: Transcript,
                 on_event: Callable[[SipEvent], None], timeouts: Timeouts = Timeouts(), *,
                 sipp: str = "sipp", process_timeout: float = 300.0, local_host: str = LOOPBACK):
        self.workdir = Path(workdir)
        self.server = server
        self.local_host = local_host  # the harness's address: SIPp's SIP and media, the RTP ends
        self.settings = Settings(
            transcript=transcript,
            on_event=on_event,
            command_timeout=timeouts["sip"],
            start_timeout=timeouts["connect"],
            stop_grace=1.0 * timeouts.scale,
            process_timeout=process_timeout,
            wall_offset=time.time() - time.monotonic(),
            sipp=sipp,
        )
        self.roles: dict[str, SippRole] = {}
        self._callers: dict[str, Caller] = {}
        self._callees: dict[str, Callee] = {}

    @property
    def artifacts(self) -> list[Path]:
        """Scenario files and traces of every SIPp this case ran."""
        return sorted({path for role in self.roles.values() for run in role.runs for path in run.existing()})

    async def start(self, caller_parties: list[str], callee_parties: list[str]) -> None:
        """Start the SIPp of each role the case needs, connected to its twin."""
        wanted = {kind: parties for kind, parties in (("caller", caller_parties), ("callee", callee_parties)) if parties}
        if self.server is None and len(wanted) < 2:
            raise SipError("without a server, the SIPp caller and callee talk to each other: both are needed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.roles = {kind: SippRole(kind, self.workdir, parties, self.settings) for kind, parties in wanted.items()}
        busy: list[str] = []
        for attempt in range(1, START_ATTEMPTS + 1):
            ports = {kind: _ports(self.local_host) for kind in self.roles}
            starts = [role.start(attempt, ports[kind], self._remote(kind, ports)) for kind, role in self.roles.items()]
            results = await asyncio.gather(*starts, return_exceptions=True)
            failures = [result for result in results if isinstance(result, BaseException)]
            if not failures:
                self._callers = {name: Caller(name, self.roles["caller"], self.settings.command_timeout) for name in caller_parties}
                self._callees = {name: Callee(name, self.roles["callee"], self.settings.command_timeout) for name in callee_parties}
                return
            await asyncio.gather(*(role.shutdown() for role in self.roles.values()))
            other = [failure for failure in failures if not isinstance(failure, PortBusy)]
            if other:
                raise other[0]
            busy += [str(failure) for failure in failures]
        raise SipError(f"SIPp found its ports taken {START_ATTEMPTS} times: {busy[-1]}")

    @property
    def pids(self) -> dict[str, int]:
        """The PID of each running SIPp, by role ("caller", "callee")."""
        return {kind: role.pid for kind, role in self.roles.items() if role.pid is not None}

    def catch_up(self) -> None:
        """Hand on what SIPp logged that no report announced yet: a request under a Call-ID of none
        of its calls (outside every dialog) is logged but makes SIPp report nothing."""
        for role in self.roles.values():
            role.catch_up()

    def _remote(self, kind: str, ports: dict[str, SippPorts]) -> tuple[str, int]:
        """Where a role's SIPp sends: the server, or in the self-test the other SIPp."""
        if self.server is not None:
            return self.server
        other = "callee" if kind == "caller" else "caller"
        return (self.local_host, ports[other].sip)

    def caller(self, name: str) -> Caller:
        if name not in self._callers:
            raise SipError(f"the case has no SIP caller {name!r} (it has {', '.join(self._callers) or 'none'})")
        return self._callers[name]

    def callee(self, name: str) -> Callee:
        if name not in self._callees:
            raise SipError(f"the case has no SIP callee {name!r} (it has {', '.join(self._callees) or 'none'})")
        return self._callees[name]

    async def stop(self) -> None:
        """End leftover calls explicitly, close the twins, stop each SIPp by its PID; keep the traces."""
        await asyncio.gather(*(role.end_calls() for role in self.roles.values()))
        await asyncio.gather(*(role.shutdown() for role in self.roles.values()))


def _ports(host: str) -> SippPorts:
    """Four distinct ports on `host`, and the media one's video neighbour (p+2) distinct from them;
    the twin one is replaced for an "A passive" callee."""
    while True:
        ports = SippPorts(
            host=host,
            sip=free_udp_tcp_port(host),
            media=free_media_port(host),
            control=free_port(socket.SOCK_DGRAM, host),
            twin=free_port(socket.SOCK_STREAM, host),
        )
        numbers = {ports.sip, ports.media, ports.control, ports.twin, ports.media + 2}
        if len(numbers) == 5:
            return ports
