"""A tiny writer for SIPp 3.6.1 scenario files.

SIPp reads scenarios with its own small XML parser (xp_parser.c): no
character references, at most 64 KiB per file, and attribute values where
backslash escapes (\\r, \\n) become control characters. This writer emits only
what that parser understands, one element per line, so a generated file can
be read next to the SIPp trace it produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SIPP_MAX_FILE = 65536  # XP_MAX_FILE_LEN in xp_parser.c: longer files do not load


def _attr(value: str) -> str:
    # xp_parser unescapes &amp; &lt; &gt; &quot; in attribute values; backslash
    # sequences are left for SIPp to interpret (the regexps rely on that).
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _attrs(**attrs: str | None) -> str:
    return "".join(f' {name.rstrip("_")}="{_attr(value)}"' for name, value in attrs.items() if value is not None)


# --- actions: strings placed inside <action> ------------------------------------


def assign(var: str, value: str) -> str:
    """A string assignment; `value` may hold keywords such as [cseq] or [$x]."""
    return f"<assignstr{_attrs(assign_to=var, value=value)}/>"


def ereg(regexp: str, assign_to: str, search_in: str = "msg", check: bool = False) -> str:
    check_it = "true" if check else None
    return f"<ereg{_attrs(regexp=regexp, search_in=search_in, check_it=check_it, assign_to=assign_to)}/>"


def play_pcap(path: str) -> str:
    """Play RTP from a pcap file to the media address of the last SDP received (needs root)."""
    return f"<exec{_attrs(play_pcap_audio=path)}/>"


def index(label: str) -> str:
    """The SIPp index of the element after `label`, filled in when the file is written."""
    return f"@{{{label}}}"


def set_number(var: str, value: str) -> str:
    return f'<assign assign_to="{var}" value="{value}"/>'


def jump(var: str) -> str:
    """Go to the element whose index the (numeric) variable holds."""
    return f'<jump variable="{var}"/>'


def to_number(var: str, source: str) -> str:
    return f'<todouble assign_to="{var}" variable="{source}"/>'


def number_is(flag: str, var: str, value: str) -> str:
    """Set the boolean `flag` to ($var == value) for a numeric variable."""
    return f'<test assign_to="{flag}" variable="{var}" compare="equal" value="{value}"/>'


def is_equal(flag: str, var: str, value: str) -> str:
    """Set the boolean `flag` to ($var == value), every time it runs.

    An <ereg> that does not match leaves its variable as it was, so a flag
    set by a regexp would survive into the next command; strcmp + test
    assigns on every run.
    """
    return f'<strcmp assign_to="cmp" variable="{var}" value="{_attr(value)}"/>' + (
        f'<test assign_to="{flag}" variable="cmp" compare="equal" value="0"/>'
    )


@dataclass
class Scenario:
    """The elements of one scenario, in file order."""

    name: str
    lines: list[str] = field(default_factory=list)
    next_index: int = 0  # SIPp's index of the next element (labels are not elements)
    labels: dict[str, int] = field(default_factory=dict)  # label -> index of the element after it

    def _add(self, element: str) -> None:
        self.lines.append(element)
        self.next_index += 1

    def label(self, id: str) -> None:
        self.labels[id] = self.next_index
        self.lines.append(f'<label id="{id}"/>')

    def jump_target(self, id: str) -> None:
        """A label that <jump> may land on. SIPp jumps to element N by going to
        N-1 and then stepping on, and that step follows N-1's next= if it has
        one; an empty nop before the label makes the step a plain one."""
        self.nop()
        self.label(id)

    def send(self, message: str, *, start_txn: str | None = None, ack_txn: str | None = None,
             next: str | None = None, actions: tuple[str, ...] = ()) -> None:
        head = f"<send{_attrs(start_txn=start_txn, ack_txn=ack_txn, next=next)}>"
        self._add(head + _cdata(message) + _actions(actions) + "</send>")

    def recv(self, *, request: str | None = None, response: int | None = None, optional: str | None = None,
             next: str | None = None, txn: str | None = None, rrs: bool = False, actions: tuple[str, ...] = ()) -> None:
        attrs = _attrs(
            request=request,
            response=str(response) if response else None,
            optional=optional,
            response_txn=txn,
            rrs="true" if rrs else None,
            next=next,
        )
        body = _actions(actions)
        self._add(f"<recv{attrs}>{body}</recv>" if body else f"<recv{attrs}/>")

    def nop(self, *, next: str | None = None, test: str | None = None, actions: tuple[str, ...] = ()) -> None:
        attrs = _attrs(hide="true", next=next, test=test)
        body = _actions(actions)
        self._add(f"<nop{attrs}>{body}</nop>" if body else f"<nop{attrs}/>")

    def send_cmd(self, *lines: str) -> None:
        self._add("<sendCmd>" + _cdata("\n".join(lines)) + "</sendCmd>")

    def recv_cmd(self, actions: tuple[str, ...]) -> None:
        self._add("<recvCmd>" + _actions(actions) + "</recvCmd>")

    def text(self) -> str:
        body = re.sub(r"@\{(\w+)\}", lambda m: str(self.labels[m.group(1)]), "\n".join(self.lines))
        xml = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n' f'<scenario name="{_attr(self.name)}">\n{body}\n</scenario>\n'

        if len(xml) >= SIPP_MAX_FILE:
            raise ValueError(f"the {self.name} scenario is {len(xml)} bytes; SIPp loads at most {SIPP_MAX_FILE}")
        return xml


def _cdata(message: str) -> str:
    if "]]>" in message:
        raise ValueError("a SIPp message cannot contain ']]>'")
    # SIPp ends a message at its last line; the blank line closes the header block.
    return "<![CDATA[\n" + message.strip("\n") + "\n\n]]>"


def _actions(actions: tuple[str, ...]) -> str:
    return "<action>" + "".join(actions) + "</action>" if actions else ""
