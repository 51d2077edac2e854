"""A call as the Rayo core tracks it: its JID, its SIP leg, who controls it."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Any


class State(enum.Enum):
    OFFERED = "offered"  # inbound, waiting for a client
    ACCEPTED = "accepted"  # inbound, the caller was told (180)
    DIALING = "dialing"  # outbound, INVITE sent
    RINGING = "ringing"  # outbound, 18x received
    ANSWERED = "answered"
    ENDED = "ended"


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

    @property
    def ended(self) -> bool:
        return self.state is State.ENDED

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


def new_call_id() -> str:
    return uuid.uuid4().hex
