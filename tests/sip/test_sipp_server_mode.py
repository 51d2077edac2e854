"""The driver with a server address, as in a real run: here the server is a
UDP socket in the test that sends and checks SIP by hand."""

from __future__ import annotations

import asyncio
import itertools

from conformance.sip import SipDriver
from conformance.sip.events import SipMessage, parse_message
from conformance.target import Timeouts
from conformance.transcript import Transcript

SDP = "v=0\r\no=srv 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n"


class Peer(asyncio.DatagramProtocol):
    """The server's SIP socket: what comes in is queued, parsed."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[SipMessage] = asyncio.Queue()
        self.branches = itertools.count(1)

    def datagram_received(self, data: bytes, addr) -> None:
        self.inbox.put_nowait(parse_message(data.decode()))

    async def open(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        return self.transport.get_extra_info("sockname")

    async def expect(self, first_line: str) -> SipMessage:
        message = await asyncio.wait_for(self.inbox.get(), 3.0)
        assert message.start_line.startswith(first_line), f"expected {first_line!r}, got {message.start_line!r}"
        return message

    def send(self, to: tuple[str, int], start: str, headers: list[str], body: str = "", content_type: str = "application/sdp") -> None:
        me = self.transport.get_extra_info("sockname")
        lines = [start, f"Via: SIP/2.0/UDP {me[0]}:{me[1]};branch={headers.pop(0)}", *headers,
                 "Max-Forwards: 70", f"Content-Length: {len(body)}"]
        if body:
            lines.insert(-1, f"Content-Type: {content_type}")
        self.transport.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), to)

    def branch(self) -> str:
        return f"z9hG4bK-srv{next(self.branches)}"


def _tag(message: SipMessage) -> str:
    return message.header("To").split("tag=")[1]


def test_the_callee_answers_the_server_and_takes_its_requests(tmp_path, sip_events):
    async def scenario():
        peer = Peer()
        server = await peer.open()
        driver = SipDriver(tmp_path, server, Transcript(), sip_events.add, Timeouts(sip=3.0, connect=5.0))
        await driver.start([], ["callee"])
        try:
            callee = driver.callee("callee")
            sipp = ("127.0.0.1", driver.roles["callee"].ports.sip)
            me = f"<sip:server@{server[0]}:{server[1]}>"

            # An out-of-dialog OPTIONS (a keep-alive) is answered, and is no call.
            peer.send(sipp, f"OPTIONS {callee.uri} SIP/2.0", [peer.branch(), "From: <sip:server@x>;tag=p", f"To: <{callee.uri}>",
                                                             "Call-ID: ping@srv", "CSeq: 1 OPTIONS"])
            assert "tag=" in (await peer.expect("SIP/2.0 200 OK")).header("To")

            # INVITE; OPTIONS and INFO while it rings; then the server cancels.
            invite_branch = peer.branch()
            dialog = [f"From: {me};tag=s1", f"To: <{callee.uri}>", "Call-ID: c1@srv"]
            peer.send(sipp, f"INVITE {callee.uri} SIP/2.0", [invite_branch, *dialog, "CSeq: 1 INVITE", f"Contact: {me}"], SDP)
            await peer.expect("SIP/2.0 100 Trying")
            await callee.ring(headers=[("X-Ring", "a"), ("X-Ring", "b")])
            ringing = await peer.expect("SIP/2.0 180 Ringing")
            assert [value for name, value in ringing.headers if name == "X-Ring"] == ["a", "b"]
            tagged = [dialog[0], f"{dialog[1]};tag={_tag(ringing)}", dialog[2]]
            peer.send(sipp, f"OPTIONS {callee.uri} SIP/2.0", [peer.branch(), *tagged, "CSeq: 2 OPTIONS"])
            assert "INVITE" in (await peer.expect("SIP/2.0 200 OK")).header("Allow")
            peer.send(sipp, f"CANCEL {callee.uri} SIP/2.0", [invite_branch, *dialog, "CSeq: 1 CANCEL"])
            assert (await peer.expect("SIP/2.0 200 OK")).cseq_method == "CANCEL"
            terminated = await peer.expect("SIP/2.0 487 Request Terminated")
            assert _tag(terminated) == _tag(ringing)
            peer.send(sipp, f"ACK {callee.uri} SIP/2.0", [invite_branch, *tagged[:2], dialog[2], "CSeq: 1 ACK"])

            # A second INVITE: answered, then the server hangs up.
            dialog = [f"From: {me};tag=s2", f"To: <{callee.uri}>", "Call-ID: c2@srv"]
            peer.send(sipp, f"INVITE {callee.uri} SIP/2.0", [peer.branch(), *dialog, "CSeq: 1 INVITE", f"Contact: {me}"], SDP)
            await peer.expect("SIP/2.0 100 Trying")
            answer_task = asyncio.create_task(callee.answer("c2@srv", headers=[("X-Agent", "7")]))
            ok = await peer.expect("SIP/2.0 200 OK")
            assert ok.body.startswith("v=0") and ok.header("Contact")
            assert ok.header("X-Agent") == "7" and not ok.header("X-Ring")  # a command's headers only
            tagged = [dialog[0], f"{dialog[1]};tag={_tag(ok)}", dialog[2]]
            peer.send(sipp, f"ACK {ok.header('Contact').strip('<>')} SIP/2.0", [peer.branch(), *tagged, "CSeq: 1 ACK"])
            await answer_task
            peer.send(sipp, f"BYE {ok.header('Contact').strip('<>')} SIP/2.0", [peer.branch(), *tagged, "CSeq: 2 BYE"])
            assert (await peer.expect("SIP/2.0 200 OK")).cseq_method == "BYE"
            # the driver applies SIPp's report right after it hands on the messages before it
            await sip_events.wait("callee", "200", direction="sent", cseq_method="BYE", call_id="c2@srv")
            calls = driver.roles["callee"].calls
            assert set(calls) == {"c1@srv", "c2@srv"}  # the keep-alive made no call
            assert calls["c1@srv"].end == "ended cancelled" and calls["c2@srv"].end == "ended remote-bye"
        finally:
            await driver.stop()
            peer.transport.close()

    asyncio.run(scenario())


def test_the_caller_talks_to_the_server_address(tmp_path, sip_events):
    async def scenario():
        peer = Peer()
        server = await peer.open()
        driver = SipDriver(tmp_path, server, Transcript(), sip_events.add, Timeouts(sip=3.0, connect=5.0))
        await driver.start(["caller"], [])
        try:
            caller = driver.caller("caller")
            sipp = ("127.0.0.1", driver.roles["caller"].ports.sip)
            call_id = await caller.dial("sip:rayo@example.org", [("X-Skill", "sales")])
            invite = await peer.expect("INVITE sip:rayo@example.org SIP/2.0")  # to the server, whatever the URI
            assert invite.call_id == call_id and ("X-Skill", "sales") in invite.headers
            via, cseq = invite.header("Via"), invite.header("CSeq")
            to = f"{invite.header('To')};tag=r1"
            reply = [f"Via: {via}", f"From: {invite.header('From')}", f"To: {to}", f"Call-ID: {call_id}", f"CSeq: {cseq}"]
            me = f"<sip:rayo@{server[0]}:{server[1]}>"
            peer.transport.sendto(_response("200 OK", reply + [f"Contact: {me}"], SDP), sipp)
            await peer.expect("ACK sip:rayo@127.0.0.1")
            # The server asks how the caller is, passes on a message, then hangs up.
            target = invite.header("Contact").strip("<>")
            dialog = [f"From: {to}", f"To: {invite.header('From')}", f"Call-ID: {call_id}"]
            peer.send(sipp, f"OPTIONS {target} SIP/2.0", [peer.branch(), *dialog, "CSeq: 1 OPTIONS"])
            assert (await peer.expect("SIP/2.0 200 OK")).cseq_method == "OPTIONS"
            # A MESSAGE under another Call-ID is in no dialog of the caller: SIPp leaves it unanswered,
            # and it is not the caller's; the one in the dialog gets its 200.
            stray = [*dialog[:2], "Call-ID: elsewhere@srv"]
            peer.send(sipp, f"MESSAGE {target} SIP/2.0", [peer.branch(), *stray, "CSeq: 2 MESSAGE"], "lost", "text/plain")
            peer.send(sipp, f"MESSAGE {target} SIP/2.0", [peer.branch(), *dialog, "CSeq: 3 MESSAGE"], "hi", "text/plain")
            ok = await peer.expect("SIP/2.0 200 OK")
            assert (ok.call_id, ok.cseq_method) == (call_id, "MESSAGE")
            assert (await sip_events.wait("caller", "MESSAGE")).body == "hi"
            assert (await sip_events.wait("sipp-caller", "MESSAGE")).call_id == "elsewhere@srv"
            peer.send(sipp, f"BYE {target} SIP/2.0", [peer.branch(), *dialog, "CSeq: 4 BYE"])
            assert (await peer.expect("SIP/2.0 200 OK")).cseq_method == "BYE"
        finally:
            await driver.stop()
            peer.transport.close()

    asyncio.run(scenario())


def _response(status: str, headers: list[str], body: str) -> bytes:
    lines = [f"SIP/2.0 {status}", *headers, "Content-Type: application/sdp", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
