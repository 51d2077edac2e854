"""Dialog state (RFC 3261 section 12) and responses that carry it.

A dialog is identified by Call-ID and the two tags; it knows the next local
CSeq, the last remote CSeq, where in-dialog requests go (the remote target
from Contact, or the first hop of the route set) and which Route headers they
carry. Only loose routing is supported: every proxy we meet is on loopback and
ours to configure.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from .address import NameAddr, SipUri, tag_of
from .message import SipMessage
from .transport import Address

MAX_FORWARDS = "70"
Headers = Iterable[tuple[str, str]]


def new_tag() -> str:
    return secrets.token_hex(6)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(10)}@{host}"


def contact_uri(message: SipMessage) -> str | None:
    contacts = message.get_all("Contact")
    return NameAddr.parse(contacts[0]).uri if contacts else None


@dataclass
class Dialog:
    call_id: str
    local: NameAddr  # our address with our tag: From of our requests
    remote: NameAddr  # theirs, with their tag once known: To of our requests
    remote_target: str  # their Contact URI
    local_contact: str  # our Contact header value
    local_seq: int = 0
    remote_seq: int | None = None
    route_set: list[str] = field(default_factory=list)

    @classmethod
    def as_uas(cls, invite: SipMessage, local_tag: str, local_contact: str) -> Dialog:
        """The callee's view of the dialog an INVITE creates (RFC 3261 12.1.1)."""
        return cls(
            call_id=invite.call_id,
            local=NameAddr.parse(invite.get("To") or "").with_tag(local_tag),
            remote=NameAddr.parse(invite.get("From") or ""),
            remote_target=contact_uri(invite) or invite.uri,
            local_contact=local_contact,
            remote_seq=invite.cseq[0],
            route_set=invite.get_all("Record-Route"),
        )

    @property
    def local_tag(self) -> str:
        tag = self.local.tag
        assert tag is not None
        return tag

    @property
    def remote_tag(self) -> str | None:
        return self.remote.tag

    def update_from_response(self, response: SipMessage) -> None:
        """The caller learns the callee's tag, target and route set (RFC 3261 12.1.2)."""
        tag = tag_of(response.get("To"))
        if tag:
            self.remote = self.remote.with_tag(tag)
        self.remote_target = contact_uri(response) or self.remote_target
        record_route = response.get_all("Record-Route")
        if record_route:
            self.route_set = list(reversed(record_route))

    def accepts(self, request: SipMessage) -> bool:
        """Whether a request's CSeq is in order (RFC 3261 12.2.2); records it if so."""
        number = request.cseq[0]
        if self.remote_seq is not None and number < self.remote_seq:
            return False
        self.remote_seq = number
        return True

    def request(self, method: str, *, headers: Headers = (), body: bytes = b"", content_type: str | None = None, cseq: int | None = None) -> SipMessage:
        """A request in this dialog, without Via (the endpoint adds it).

        `cseq` reuses a number (the ACK of a 2xx takes its INVITE's); by
        default the local sequence advances.
        """
        if cseq is None:
            self.local_seq += 1
            cseq = self.local_seq
        message = SipMessage.request(method, self.remote_target)
        for route in self.route_set:
            message.add("Route", route)
        message.add("Max-Forwards", MAX_FORWARDS)
        message.add("From", str(self.local))
        message.add("To", str(self.remote))
        message.add("Call-ID", self.call_id)
        message.add("CSeq", f"{cseq} {method}")
        if method == "INVITE":
            message.add("Contact", self.local_contact)
        message.headers.extend(headers)
        if body:
            message.add("Content-Type", content_type or "application/octet-stream")
            message.body = body
        return message

    def destination(self) -> Address:
        """Where in-dialog requests go: the first route, else the remote target."""
        hop = NameAddr.parse(self.route_set[0]).uri if self.route_set else self.remote_target
        return SipUri.parse(hop).hostport


def response_to(
    request: SipMessage,
    code: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    headers: Headers = (),
    body: bytes = b"",
    content_type: str | None = None,
) -> SipMessage:
    """A response copying Via, From, To, Call-ID and CSeq (RFC 3261 8.2.6).

    `to_tag` is added unless the request's To already has a tag. Record-Route
    is copied into responses that can create a dialog (RFC 3261 12.1.1).
    """
    response = SipMessage.response(code, reason)
    for via in request.lines("Via"):
        response.add("Via", via)
    to = request.get("To") or ""
    if to_tag and not tag_of(to):
        to = f"{to};tag={to_tag}"
    response.add("From", request.get("From") or "")
    response.add("To", to)
    response.add("Call-ID", request.call_id)
    response.add("CSeq", request.get("CSeq") or "")
    if request.method == "INVITE" and 100 < code < 300:
        for record_route in request.lines("Record-Route"):
            response.add("Record-Route", record_route)
    response.headers.extend(headers)
    if body:
        response.add("Content-Type", content_type or "application/octet-stream")
        response.body = body
    return response
