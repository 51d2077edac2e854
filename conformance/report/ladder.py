"""The ladder (message sequence) diagram of a case as an inline SVG.

Layout, left to right: the time column, the XMPP actors (Rayo clients), the
server under test, the SIP actors (callers, callees). Rayo traffic then runs on
the left of the server and SIP traffic on the right, which is how a reader
thinks of third-party call control. Rows are evenly spaced, one per record, so
a burst of messages stays readable; the real time is written at the left.

Colours are SVG presentation attributes, not CSS classes, so the diagram draws
the same inside the report pages and inside someone else's page (pytest-html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

from ..transcript import Record
from .markup import esc, format_ms, record_anchor, relative_ms, shorten

SERVER = "server under test"

TIME_COLUMN = 76
LANE = 210  # distance between lifelines
TOP = 46  # room for the lifeline heads
ROW = 30
BOTTOM = 46  # room for the lifeline feet
CHAR_WIDTH = 6.6  # an average character at 12px, to fit labels over their arrow
NOTE_CHARS = 30

INK = "#2b2f36"
COLOURS = {"xmpp": "#1f5fa8", "sip": "#1d7a46"}
FLAGGED = "#c62828"
NOTE_FILL, NOTE_EDGE = "#fff6cc", "#c9a400"
# a white outline under label text, so the lifelines it crosses do not strike it through
HALO = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


@dataclass(frozen=True)
class Lanes:
    names: list[str]  # left to right, SERVER among them
    x: dict[str, float]

    @property
    def width(self) -> float:
        return TIME_COLUMN + LANE * len(self.names)


def lanes_for(records: Sequence[Record]) -> Lanes:
    """One lifeline per actor that exchanged messages, plus the server's."""
    xmpp: list[str] = []
    sip: list[str] = []
    for record in records:
        if record.channel == "note" or record.party in xmpp or record.party in sip:
            continue
        (sip if record.channel == "sip" else xmpp).append(record.party)
    names = [*xmpp, SERVER, *sip]
    x = {name: TIME_COLUMN + LANE * (i + 0.5) for i, name in enumerate(names)}
    return Lanes(names, x)


def _head(name: str, x: float, y: float) -> str:
    server = name == SERVER
    fill = "#e8edf5" if server else "#f4f5f7"
    weight = "bold" if server else "normal"
    return (
        f'<g class="lifeline-head"><rect x="{x - LANE / 2 + 12}" y="{y}" width="{LANE - 24}" height="26"'
        f' rx="4" fill="{fill}" stroke="{INK}"/>'
        f'<text x="{x}" y="{y + 17}" text-anchor="middle" font-weight="{weight}">{esc(shorten(name, 28))}</text></g>'
    )


def _lifeline(name: str, x: float, height: float) -> str:
    foot = height - BOTTOM + 10
    return (
        f'<g class="lifeline" data-party="{esc(name)}"><title>{esc(name)}</title>'
        f'<line x1="{x}" y1="{TOP - 10}" x2="{x}" y2="{foot}" stroke="#9aa3ae" stroke-dasharray="4 4"/>'
        f"{_head(name, x, 10)}{_head(name, x, foot)}</g>"
    )


def _arrow(record: Record, y: float, lanes: Lanes, flagged: bool, prefix: str) -> str:
    actor, server = lanes.x[record.party], lanes.x[SERVER]
    start, end = (actor, server) if record.direction == "sent" else (server, actor)
    colour = FLAGGED if flagged else COLOURS.get(record.channel, INK)
    tip = -8 if end > start else 8  # the head points along the arrow
    hint = f"#{record.seq} {record.party} {'→' if record.direction == 'sent' else '←'} {record.peer}: {record.label}"
    weight = ' font-weight="bold"' if flagged else ""
    fits = int(abs(end - start) / CHAR_WIDTH)
    return (
        f'<a class="arrow" href="#{record_anchor(prefix, record.seq)}" data-seq="{record.seq}">'
        f"<title>{esc(hint)}</title>"
        f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="{colour}" stroke-width="{2.5 if flagged else 1.5}"/>'
        f'<path d="M{end},{y} l{tip},-4 v8 z" fill="{colour}"/>'
        f'<text x="{(start + end) / 2}" y="{y - 5}" text-anchor="middle" fill="{colour}"{weight}{HALO}>'
        f"{esc(shorten(record.label, fits))}</text></a>"
    )


def _note(record: Record, y: float, lanes: Lanes, prefix: str) -> str:
    if record.party in lanes.x:
        left, width = lanes.x[record.party] - LANE / 2 + 14, LANE - 28
    else:  # a note from no actor on the diagram (the runner itself) spans it all
        left, width = TIME_COLUMN + 14, lanes.width - TIME_COLUMN - 28
    chars = NOTE_CHARS if record.party in lanes.x else NOTE_CHARS * len(lanes.names)
    return (
        f'<a class="note" href="#{record_anchor(prefix, record.seq)}" data-seq="{record.seq}">'
        f"<title>{esc(f'#{record.seq} {record.party}: {record.text}')}</title>"
        f'<rect x="{left}" y="{y - 11}" width="{width}" height="20" rx="3" fill="{NOTE_FILL}" stroke="{NOTE_EDGE}"/>'
        f'<text x="{left + width / 2}" y="{y + 3}" text-anchor="middle" fill="{INK}">'
        f"{esc(shorten(record.label or record.text, chars))}</text></a>"
    )


def _time(ms: int, y: float) -> str:
    return f'<text class="time" x="{TIME_COLUMN - 10}" y="{y + 4}" text-anchor="end" fill="#5c6470">{format_ms(ms)}</text>'


def ladder_svg(
    records: Sequence[Record],
    flagged: Collection[int] = (),
    anchor_prefix: str = "",
) -> str:
    """An inline SVG: lifelines, one arrow (or note box) per record, time at the left.

    Each arrow links to its transcript entry (`#<prefix>rec-<seq>`); records whose
    seq is in `flagged` (a finding points at them) are drawn in red.
    """
    lanes = lanes_for(records)
    height = TOP + ROW * (len(records) + 0.5) + BOTTOM
    times = relative_ms(records)
    parts = [_lifeline(name, lanes.x[name], height) for name in lanes.names]
    for row, record in enumerate(records):
        y = TOP + ROW * (row + 1)
        parts.append(_time(times[record.seq], y))
        if record.channel == "note":
            parts.append(_note(record, y, lanes, anchor_prefix))
        else:
            parts.append(_arrow(record, y, lanes, record.seq in flagged, anchor_prefix))
    body = "\n".join(parts)
    return (
        f'<svg class="ladder" xmlns="http://www.w3.org/2000/svg" width="{lanes.width}" height="{height}"'
        f' viewBox="0 0 {lanes.width} {height}" role="img" aria-label="Ladder diagram of the messages"'
        f' font-family="system-ui, sans-serif" font-size="12">\n{body}\n</svg>'
    )
