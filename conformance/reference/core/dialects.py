"""What the reference server does differently in each dialect it speaks.

`xep0327` (the default) is XEP-0327; `seed` is the earlier Rayo draft
(shared/spec/seed-rayo-wiki.txt). The core asks its Dialect at each point
where the two differ, and nowhere else: offers, the SIP side of the shared
commands, availability, control and errors are the same in both.
docs/reference.md ("The seed dialect") says why each seed choice was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from lxml import etree

from ...protocol import namespaces as ns
from . import stanzas as st

# The commands in urn:xmpp:rayo:1 that both dialects give a call.
_SHARED_COMMANDS = frozenset({"accept", "answer", "redirect", "reject", "hangup"})


@dataclass(frozen=True)
class Dialect:
    name: str
    call_commands: frozenset[str]  # commands in urn:xmpp:rayo:1 a call takes; others get feature-not-implemented
    call_resource: str = ""  # the resource of the JID a call's events come from ("": the bare JID)
    end_type: str | None = "unavailable"  # the type of the presence carrying <end/>
    # The core names end reasons as XEP-0327 does; a dialect may call some of them otherwise.
    end_reasons: Mapping[str, str] = field(default_factory=dict)
    reject_default: str | None = None  # the reason of a reject that names none (None: refuse it)
    ref_by_id: bool = False  # a ref names what was created by id (seed) or by xmpp: URI
    reports_dtmf: bool = False  # a key the far end presses becomes a <dtmf/> call event
    stop_namespace: str = ns.EXT  # where a component's stop command lives
    complete_type: str | None = "unavailable"  # the type of the presence carrying a component's <complete/>

    def has_component(self, payload: etree._Element) -> bool:
        """Whether a command creating a component is one of this dialect's (else: feature-not-implemented)."""
        return etree.QName(payload).namespace in ns.RAYO_NAMESPACES[self.name]

    def event_sender(self, call_jid: str) -> str:
        """The JID a call's events come from, given its bare JID."""
        return f"{call_jid}/{self.call_resource}" if self.call_resource else call_jid

    def addresses_call(self, resource: str) -> bool:
        """Whether a command to `<call JID>/<resource>` is for the call itself (else: a component)."""
        return resource == "" or resource == self.call_resource

    def end_reason(self, reason: str) -> str:
        return self.end_reasons.get(reason, reason)

    def ref(self, id: str, jid: str) -> etree._Element:
        """The result of a command that created a call (dial) or a component: its id, or its JID as a URI."""
        return st.rayo("ref", {"id": id} if self.ref_by_id else {"uri": f"xmpp:{jid}"})


XEP0327 = Dialect("xep0327", call_commands=_SHARED_COMMANDS | {"join", "unjoin"})

SEED = Dialect(
    "seed",
    # No join or unjoin (hence no mixers); hold, unhold, mute and unmute instead.
    call_commands=_SHARED_COMMANDS | {"hold", "unhold", "mute", "unmute"},
    call_resource="1",  # every example of the page: events from 9f00061@call.rayo.net/1
    end_type=None,  # the page's end presences carry no type
    # The page has one hangup reason for either side, and reject for a refusal by the far end.
    end_reasons={"hungup": "hangup", "hangup-command": "hangup", "rejected": "reject"},
    reject_default="decline",
    ref_by_id=True,
    reports_dtmf=True,
    # The page's one component is say; its stop is in the core namespace and its complete
    # presence, like every presence of the page, carries no type.
    stop_namespace=ns.RAYO,
    complete_type=None,
)

_BY_NAME = {dialect.name: dialect for dialect in (XEP0327, SEED)}


def dialect(name: str) -> Dialect:
    if name not in _BY_NAME:
        raise ValueError(f"unknown dialect {name!r}; known: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]
