"""A scenario as the runner sees it: a case and its steps, each with its source line."""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Union

from lxml import etree


@dataclass(frozen=True)
class Template:
    """XML from a scenario file, parsed once when the file is loaded."""

    text: str
    line: int  # line of the scenario file where the XML starts
    elements: tuple[etree._Element, ...] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Step:
    index: int  # 1-based position in the case (members of groups share their group's)
    line: int
    phrase: str  # the step as written, e.g. "send to {call}"
    level: str = "must"  # must, should or note: the loader derives it from the requirements (docs/scenarios.md)
    timeout: float | None = None
    requirements: tuple[str, ...] = ()  # those it checks: its own, or else its group's or the case's


# --- SIP steps -----------------------------------------------------------------

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CallerDials(Step):
    party: str = "caller"
    to: str | None = None  # Request-URI; None: the target's inbound URI
    headers: Headers = ()


@dataclass(frozen=True)
class SipAction(Step):
    party: str = ""
    action: str = ""  # answers, rings, sends early media, hangs up, cancels, holds, unholds, rejects, sends dtmf
    value: int | str | None = None  # the code for rejects, the digits for sends dtmf
    headers: Headers = ()  # added to a callee's response (answers, rings, sends early media)


@dataclass(frozen=True)
class MessageSpec:
    """One allowed SIP message: a code, a class (4xx) or a method; optionally the CSeq method."""

    text: str

    @property
    def name(self) -> str:
        return self.text.split(" ")[0]

    @property
    def cseq_method(self) -> str | None:
        parts = self.text.split(" ")
        return parts[1] if len(parts) > 1 else None

    def accepts(self, message: str, cseq_method: str) -> bool:
        name = self.name
        if name.endswith("xx"):
            fits = message.isdigit() and message[0] == name[0]
        else:
            fits = message == name
        return fits and (self.cseq_method is None or self.cseq_method == cseq_method)


@dataclass(frozen=True)
class SipReceives(Step):
    party: str = ""
    messages: tuple[MessageSpec, ...] = ()
    headers: Headers = ()  # each must be present, in this order
    request_uri: str | None = None
    from_uri: str | None = None
    body: str | None = None


# --- XMPP steps ----------------------------------------------------------------


@dataclass(frozen=True)
class IqExpectation:
    outcome: str  # "result" or "error"
    payload: Template | None = None  # for a result
    conditions: tuple[str, ...] = ()  # for an error: any of these
    error_type: str | None = None


@dataclass(frozen=True)
class SendIq(Step):
    client: str = "client"
    target: str = ""
    payload: Template | None = None
    expect: tuple[IqExpectation, ...] = (IqExpectation("result"),)  # any one of these
    invalid: bool = False
    type: str = "set"


SUBSCRIPTION_TYPES = ("subscribe", "unsubscribe", "subscribed", "unsubscribed")  # RFC 6121 §3


@dataclass(frozen=True)
class SendPresence(Step):
    client: str = "client"
    target: str = ""
    show: str = "chat"  # chat, dnd, available, unavailable; or a subscription type (SUBSCRIPTION_TYPES)


@dataclass(frozen=True)
class SendMessage(Step):
    client: str = "client"
    target: str = ""
    type: str | None = None  # None: no type attribute (normal)
    body: str = ""
    expect: tuple[IqExpectation, ...] = ()  # the message error that must come back; () none is awaited


@dataclass(frozen=True)
class ExpectOffer(Step):
    client: str = "client"
    party: str | None = None  # None: the caller that dialed last
    template: Template | None = None
    capture: str = "call"
    strict: bool = False


@dataclass(frozen=True)
class ExpectFrom(Step):
    client: str = "client"
    source: str = ""
    template: Template | None = None
    type: str | None = None  # "available", "unavailable", or None for either
    capture: str | None = None
    strict: bool = False
    next: bool = False  # the first presence from the JID after those earlier steps took: none may be skipped


Expectation = Union[SipReceives, ExpectOffer, ExpectFrom]


@dataclass(frozen=True)
class InAnyOrder(Step):
    members: tuple[Expectation, ...] = ()


@dataclass(frozen=True)
class OneOf(Step):
    alternatives: tuple[tuple[Expectation, ...], ...] = ()


@dataclass(frozen=True)
class NothingMore(Step):
    client: str = "client"
    source: str = ""
    within: float | None = None  # a quiet window; None: a round trip to the server


# --- media steps ---------------------------------------------------------------


@dataclass(frozen=True)
class SoundSpec:
    """A sound as a step describes it: how long (the tolerance is the range), which tone, how loud."""

    shortest: float
    longest: float
    tone: tuple[float, ...] = ()  # one frequency, or the two of a dual tone; () any sound
    level: tuple[float, float] | None = None  # dBFS

    def what(self) -> str:
        """The sound without its duration: 'a 440 Hz tone (within 3 %) at -18 to -12 dBFS'."""
        what = f"a {'+'.join(f'{f:g}' for f in self.tone)} Hz tone (within 3 %)" if self.tone else "a sound"
        return what + (f" at {self.level[0]:g} to {self.level[1]:g} dBFS" if self.level else "")

    def describe(self) -> str:
        return f"{self.what()} lasting {self.shortest:g} to {self.longest:g} s"


@dataclass(frozen=True)
class MediaHears(Step):
    party: str = ""
    sound: SoundSpec = SoundSpec(0, 0)


@dataclass(frozen=True)
class MediaHearing(Step):
    party: str = ""
    sound: SoundSpec = SoundSpec(0, 0)  # shortest: how long it must have gone on so far


@dataclass(frozen=True)
class MediaQuiet(Step):
    party: str = ""
    window: float = 0.0  # seconds from the step's start
    grace: float = 0.05  # sound in the window's first moments is forgiven: packets in flight


@dataclass(frozen=True)
class MediaPlays(Step):
    party: str = ""
    tone: tuple[float, ...] = ()  # () silence
    seconds: float = 0.0
    cadence: tuple[float, float] | None = None  # (seconds on, seconds off): the tone in that rhythm
    wait: bool = True  # False ("starts playing"): the next step starts while it plays


@dataclass(frozen=True)
class MediaDtmf(Step):
    party: str = ""
    digits: str = ""
    via: str = "in rtp"  # or "by pcap"
    duration: float = 0.1  # seconds each key lasts
    gap: float = 0.06  # seconds between keys


@dataclass(frozen=True)
class RecordingHolds(Step):
    source: str = ""  # the recording's URI, usually a capture
    duration: str | None = None  # ms, as the complete said
    size: str | None = None  # bytes, as the complete said
    length: tuple[float, float] | None = None  # seconds
    sound: SoundSpec | None = None  # the first sound in it
    silent: bool = False


@dataclass(frozen=True)
class NlsmlHolds(Step):
    source: str = ""  # the NLSML text, usually a capture
    input: str = ""
    mode: str | None = None


@dataclass(frozen=True)
class ClientSpec:
    presence: str = "directed-chat"  # what it sends on login: directed-chat, broadcast, none
    account: str = "main"  # which of the target's accounts
    roster: bool = False  # request the roster after login: an interested resource gets subscription answers (RFC 6121 §3.1.6)


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    section: str
    requirements: tuple[str, ...]
    dialects: tuple[str, ...]
    steps: tuple[Step, ...]
    file: str
    line: int
    description: str = ""
    needs: tuple[str, ...] = ()
    clients: dict[str, ClientSpec] = field(default_factory=lambda: {"client": ClientSpec()})

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"

    def sip_parties(self) -> tuple[list[str], list[str]]:
        """(callers, callees) the steps use, in order of first use.

        A callee may appear only as {callee.uri} in a dial; it is a party too.
        """
        names: list[str] = []
        for step in flatten(self.steps):
            party = getattr(step, "party", None)
            payload = getattr(step, "payload", None)
            found = [party] if party else []
            if payload is not None:
                found += re.findall(r"\{(callee[0-9]*)\.uri\}", payload.text)
            names += [name for name in found if name not in names]
        return [n for n in names if n.startswith("caller")], [n for n in names if n.startswith("callee")]

    def text(self) -> str:
        """The XML every step sends, as written: where documents and variables are named."""
        return "\n".join(step.payload.text for step in flatten(self.steps) if getattr(step, "payload", None))

    def named_requirements(self) -> tuple[str, ...]:
        """Every requirement id the case names: its own list, then those only a step names."""
        ids = dict.fromkeys(self.requirements)
        for step in (*self.steps, *flatten(self.steps)):  # groups themselves, then their members
            ids.update(dict.fromkeys(step.requirements))
        return tuple(ids)


def flatten(steps):
    for step in steps:
        if isinstance(step, InAnyOrder):
            yield from step.members
        elif isinstance(step, OneOf):
            for alternative in step.alternatives:
                yield from alternative
        else:
            yield step
