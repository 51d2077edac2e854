"""The far ends of the calls, as a scenario step names them: "caller", "callee2", ...

Each method sends one command to the party's SIPp and returns when SIPp
reports it finished. Without a call_id a method acts on the party's latest
call that is not over. Methods that send a request return the status of its
final response (None if the call ended otherwise); the SIP events carry the
full messages.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable

from .calls import SipCall
from .errors import SipError
from .media import CallMedia
from .role import SippRole
from .scenario import pcap_digits

_DIGIT = re.compile(r"[0-9*#A-D]")
Headers = Iterable[tuple[str, str]]


def _digit(digit: str) -> str:
    if not _DIGIT.fullmatch(digit):
        raise SipError(f"{digit!r} is not a DTMF digit (0-9, *, #, A-D)")
    return digit


def can_play_pcap(digit: str) -> bool:
    """Whether SIPp can play this key from a pcap: it needs root for its raw socket."""
    return os.geteuid() == 0 and digit in pcap_digits()


class _Party:
    def __init__(self, name: str, role: SippRole, wait: float):
        self.name, self._role, self._wait = name, role, wait

    async def _call(self, call_id: str | None) -> SipCall:
        return self._role.call(self.name, call_id)

    async def hang_up(self, call_id: str | None = None) -> int | None:
        return await self._request(await self._call(call_id), "bye", "BYE")

    async def send_dtmf(self, digit: str, call_id: str | None = None) -> int | None:
        """One digit as SIP INFO (application/dtmf-relay, Duration=160)."""
        return await self._request(await self._call(call_id), "info", "INFO", digit=_digit(digit))

    async def play_dtmf(self, digit: str, call_id: str | None = None) -> None:
        """One key as RFC 4733 from SIPp's own pcap of it, sent from SIPp's media port to the
        server's. SIPp plays it in the background (about 140 ms) and reports at once."""
        if not can_play_pcap(digit):
            raise SipError(f"SIPp cannot play {digit!r} from a pcap here (it needs root, and a pcap for the key)")
        await self._role.command(await self._call(call_id), "pcap", digit=digit)

    async def hold(self, call_id: str | None = None) -> int | None:
        """A re-INVITE offering a=sendonly."""
        return await self._reoffer("hold", call_id)

    async def unhold(self, call_id: str | None = None) -> int | None:
        """A re-INVITE offering a=sendrecv."""
        return await self._reoffer("unhold", call_id)

    async def _reoffer(self, action: str, call_id: str | None) -> int | None:
        call = await self._call(call_id)
        version = call.sdp_version + 1  # a new offer (RFC 3264 8)
        status = await self._request(call, action, "INVITE", sdp_version=version)
        call.sdp_version = version
        return status

    async def _request(self, call: SipCall, action: str, method: str, **fields) -> int | None:
        """Run a command that sends `method`; the status of the final response it got."""
        call.finals.pop(method, None)
        await self._role.command(call, action, **fields)
        return call.finals.get(method)

    def ended(self) -> str | None:
        """Why nothing more can come to this party (its SIPp died), or None."""
        return str(self._role.died) if self._role.died else None

    def media(self, call_id: str | None = None) -> CallMedia:
        """The harness's RTP end of the call: what the server sent the party, and how the party sends audio."""
        return self._role.media(self._role.call(self.name, call_id))


class Caller(_Party):
    def ended(self) -> str | None:
        """A caller's calls are the harness's to start: once its latest has ended, nothing more comes."""
        calls = [call for call in self._role.calls.values() if call.party == self.name]
        if calls and calls[-1].ended:
            return f"{self.name}'s call had already ended ({calls[-1].end})"
        return super().ended()

    async def dial(self, request_uri: str, headers: Headers = (), from_uri: str | None = None) -> str:
        """Send an INVITE with SDP; return once it is sent, with the Call-ID the harness chose.

        `headers` go into the INVITE in the order given, after the harness's own.
        """
        assert self._role.ports is not None
        from_uri = from_uri or f"sip:{self.name}@{self._role.ports.host}:{self._role.ports.sip}"
        call = SipCall(f"{self.name}-{secrets.token_hex(8)}@rayo-conformance", self.name)
        self._role.add_call(call)
        extra = (("Request-URI", request_uri), ("From-URI", from_uri))
        await self._role.command(call, "dial", extra=extra, headers=tuple(headers))
        return call.call_id

    async def cancel(self, call_id: str | None = None) -> None:
        """CANCEL the unanswered INVITE; returns when the INVITE's final response is ACKed."""
        await self._role.command(await self._call(call_id), "cancel")


class Callee(_Party):
    @property
    def uri(self) -> str:
        """What a Rayo dial targets to reach this party."""
        assert self._role.ports is not None
        return f"sip:{self.name}@{self._role.ports.host}:{self._role.ports.sip}"

    async def _call(self, call_id: str | None) -> SipCall:
        """The call (the latest if none is named), once its INVITE has come."""
        return await self._role.wait_offer(self.name, self._wait, call_id)

    # `headers` go into the response, after the scenario's own, in the order given.

    async def ring(self, call_id: str | None = None, headers: Headers = ()) -> None:
        await self._role.command(await self._call(call_id), "ring", headers=tuple(headers))

    async def progress(self, call_id: str | None = None, headers: Headers = ()) -> None:
        """183 Session Progress with SDP (early media)."""
        await self._role.command(await self._call(call_id), "progress", headers=tuple(headers))

    async def answer(self, call_id: str | None = None, headers: Headers = ()) -> None:
        """200 OK with SDP; returns when the server's ACK has arrived."""
        await self._role.command(await self._call(call_id), "answer", headers=tuple(headers))

    async def reject(self, code: int, call_id: str | None = None) -> None:
        """A final refusal (3xx-6xx, a registered code); returns when it is ACKed."""
        if code not in self._role.generated.reject_at:
            raise SipError(f"{self.name} cannot reject with {code}: the callee scenario has a response for each registered code from 300 to 699")
        await self._role.command(await self._call(call_id), "reject", reject_code=code)
