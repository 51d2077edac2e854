"""The entities the Rayo core tracks: calls and mixers, and the joins between them."""

from __future__ import annotations

import enum
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...protocol.jid import JID


class State(enum.Enum):
    OFFERED = "offered"  # inbound, waiting for a client
    ACCEPTED = "accepted"  # inbound, the caller was told (180)
    DIALING = "dialing"  # outbound, INVITE sent
    RINGING = "ringing"  # outbound, 18x received
    ANSWERED = "answered"
    ENDED = "ended"


@dataclass
class Join:
    """One side's view of a join: what flows, as the join command said (§6.3)."""

    direction: str = "duplex"  # duplex, send (only from this side), recv (only to this side)
    media: str = "bridge"


@dataclass
class Call:
    id: str
    jid: str
    inbound: bool
    sip: Any  # IncomingCall or OutgoingCall of the SIP endpoint
    state: State
    offered_to: list[str] = field(default_factory=list)  # full JIDs sent the offer
    dcp: str | None = None  # the definitive controlling party (full JID)
    commanded: list[str] = field(default_factory=list)  # full JIDs that sent a command
    timer: Any = None  # the dial timeout's handle
    joins: dict[str, Join] = field(default_factory=dict)  # peer JID (call or mixer) -> join
    pending_joins: list[Any] = field(default_factory=list)  # nested joins of a dial, made on answer
    muted: bool = False  # seed mute: what the far end sends is not heard (no dtmf events)

    @property
    def ended(self) -> bool:
        return self.state is State.ENDED

    @property
    def answered(self) -> bool:
        return self.state is State.ANSWERED

    def zone(self) -> str | None:
        """The security zone (§4.1): the controlling party's bare JID."""
        return JID.parse(self.dcp).bare if self.dcp else None

    def controllers(self) -> list[str]:
        """Who gets the call's events: the DCP, or before one exists every offered client."""
        return [self.dcp] if self.dcp else list(self.offered_to)

    def end_recipients(self) -> list[str]:
        """§6.6.4: every JID that was offered the call or sent it a command."""
        recipients: list[str] = []
        for jid in self.offered_to + self.commanded + ([self.dcp] if self.dcp else []):
            if jid not in recipients:
                recipients.append(jid)
        return recipients


@dataclass
class Mixer:
    """Created by the first join naming it (§6.4); gone when its last call leaves."""

    name: str  # the friendly name clients use in mixer-name
    zone: str  # the bare JID of the security zone that owns it
    jid: str
    members: dict[str, Join] = field(default_factory=dict)  # call JID -> join
    subscribers: list[str] = field(default_factory=list)  # full JIDs it has sent presence to, bare JIDs subscribed to it

    def controllers(self, calls: dict[str, Call]) -> list[str]:
        """§6.4: every controlling party that has calls joined to it."""
        found: list[str] = []
        for call_jid in self.members:
            call = calls.get(JID.parse(call_jid).local)
            if call is not None and call.dcp and call.dcp not in found:
                found.append(call.dcp)
        return found


def new_call_id() -> str:
    return uuid.uuid4().hex


def mixer_local(name: str, zone: str) -> str:
    """Mixer names are per security zone (R-6.4-g): the JID carries a mark of the zone."""
    mark = hashlib.sha1(zone.encode("utf-8")).hexdigest()[:8]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return f"{safe}.{mark}"
