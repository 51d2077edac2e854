"""The evidence of a case: every message the harness sent or received, in order.

Records are appended by the XMPP client and the SIP driver as traffic happens;
the report renders them and never re-runs anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Literal

Channel = Literal["xmpp", "sip", "note"]
Direction = Literal["sent", "received", "note"]


@dataclass(frozen=True)
class Record:
    seq: int
    t: float  # time.monotonic() when the harness sent or received it
    channel: Channel
    direction: Direction  # seen from the harness party
    party: str  # the harness actor: "client", "client2", "caller", "callee", ...
    peer: str  # the other end: a JID, "server", or a SIP address
    label: str  # one line for ladder diagrams: "iq set answer", "180 Ringing"
    text: str  # the raw message exactly as on the wire (secrets redacted)


@dataclass
class Transcript:
    records: list[Record] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    _listeners: list[Callable[[Record], None]] = field(default_factory=list)

    def add(
        self,
        channel: Channel,
        direction: Direction,
        party: str,
        peer: str,
        label: str,
        text: str,
        t: float | None = None,
    ) -> Record:
        record = Record(
            seq=len(self.records),
            t=self.clock() if t is None else t,
            channel=channel,
            direction=direction,
            party=party,
            peer=peer,
            label=label,
            text=text,
        )
        self.records.append(record)
        for listener in list(self._listeners):
            listener(record)
        return record

    def note(self, party: str, text: str) -> Record:
        return self.add("note", "note", party, "", text, text)

    def subscribe(self, listener: Callable[[Record], None]) -> None:
        self._listeners.append(listener)
