"""Reading SIPp's -trace_msg file as it grows.

SIPp writes each message it sends or receives to this file, flushed, before
it runs the next scenario element; so when a 3PCC report arrives, the
messages that led to it are already there. Each entry looks like:

    ----------------------------------------------- 2025-05-20 10:08:08.599461
    UDP message sent (318 bytes):

    <exactly 318 bytes of SIP>

("UDP message received [214] bytes :" for the other direction). The byte
count is what makes the file parseable whatever the messages contain. SIPp
also logs its 3PCC traffic ("TCP control message ...") in the same order,
which tells exactly which SIP messages a call handled before its last
report, and free-text notes such as "Unexpected control message received",
which matter when a command was dropped.

Timestamps are SIPp's local wall clock with microseconds. The harness turns
them into time.monotonic() values with one offset, wall - monotonic, taken
when the driver starts; a wall-clock step during the case would shift them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_SEPARATOR = re.compile(rb"-{47} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\n")
# SIPp writes this when its non-blocking 3PCC connection completes: not a problem.
_HARMLESS = b"Problem EAGAIN on socket"
_HEAD = re.compile(rb"\w+ (control )?message (?:sent \((\d+) bytes\)|received \[(\d+)\] bytes) ?:\n\n")


@dataclass(frozen=True)
class TraceEntry:
    kind: str  # "sip", "control" (3PCC: a report sent, a command received) or "note"
    wall: float  # seconds since the epoch, from SIPp's timestamp
    direction: str  # "sent" | "received"; "" for notes
    text: str


class TraceReader:
    def __init__(self, path: Path):
        self.path = path
        self._offset = 0  # bytes of the file already taken into _pending
        self._pending = b""  # bytes read but not yet parsed into whole entries
        self._wall = 0.0  # timestamp of the last entry, for notes that have none

    def read_new(self, final: bool = False) -> list[TraceEntry]:
        """The entries completed since the last call. `final`: SIPp has exited,
        so a trailing note without a following entry is complete too."""
        if self.path.exists():
            with self.path.open("rb") as file:
                file.seek(self._offset)
                data = file.read()
            self._offset += len(data)
            self._pending += data
        entries, used = self._parse(self._pending, final)
        self._pending = self._pending[used:]
        return entries

    def _parse(self, data: bytes, final: bool) -> tuple[list[TraceEntry], int]:
        entries: list[TraceEntry] = []
        pos = 0
        while pos < len(data):
            separator = _SEPARATOR.search(data, pos)
            end_of_gap = separator.start() if separator else len(data)
            if not separator and not final:
                break  # a note may still be growing
            gap = data[pos:end_of_gap].strip(b" \t\r\n\x1b")
            if gap and not gap.startswith(_HARMLESS):
                entries.append(TraceEntry("note", self._wall, "", gap.decode("utf-8", "replace")))
            if not separator:
                return entries, len(data)
            entry, pos_after = self._entry(data, separator, final)
            if pos_after is None:
                return entries, separator.start()  # the entry is not complete yet
            if entry:
                entries.append(entry)
            pos = pos_after
        return entries, pos

    def _entry(self, data: bytes, separator: re.Match, final: bool) -> tuple[TraceEntry | None, int | None]:
        stamp = datetime.strptime(separator.group(1).decode(), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        self._wall = stamp
        head = _HEAD.match(data, separator.end())
        if head:
            control, sent, received = head.group(1), head.group(2), head.group(3)
            # A received 3PCC message is logged without its ESC, which its size counts.
            size = int(sent) if sent else int(received) - (1 if control else 0)
            end = head.end() + size
            if end > len(data):
                return None, None
            text = data[head.end() : end].decode("utf-8", "replace")
            kind = "control" if control else "sip"
            return TraceEntry(kind, stamp, "sent" if sent else "received", text), end
        # A note: up to the next entry.
        following = _SEPARATOR.search(data, separator.end())
        if following is None and not final:
            return None, None
        end = following.start() if following else len(data)
        text = data[separator.end() : end].strip().decode("utf-8", "replace")
        return TraceEntry("note", stamp, "", text), end

    def dropped_command(self, call_id: str) -> bool:
        """Whether SIPp logged that it dropped a command for this call: it came
        while the call was not waiting at a <recvCmd> (notes/sipp.md 3.3)."""
        if not self.path.exists():
            return False
        pattern = rb"Unexpected control message received[^\n]*\n+Call-ID: " + re.escape(call_id.encode())
        return re.search(pattern, self.path.read_bytes()) is not None
