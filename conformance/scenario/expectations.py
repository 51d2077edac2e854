"""Whether the events a case observed satisfy its expectations, and if not, why.

A probe is one expectation bound to the case's context: it knows its stream
and whether one event fits. Searches run the probes over the observations:
one at a time, in order, or in any order (a matching of probes to distinct
events, found by backtracking: groups are small).

An expectation has an identity (the kind of message, its sender, the names of
the elements it carries) and details (attributes, children, text). A loose
search also takes an event of the right identity whose details differ: it is
the event the step waited for, and its differences are findings, not the end
of the case (docs/verdicts.md).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from lxml import etree

from ..protocol import namespaces as ns
from ..protocol.jid import JID, strip_xmpp_uri
from ..protocol.stanza import Stanza
from . import model
from .observations import Observations, StreamKey
from .template import differences, match_payload, match_value, salvage, substitute

Variables = Mapping[str, str]


def same_jid(a: str, b: str) -> bool:
    try:
        return JID.parse(a) == JID.parse(b)
    except ValueError:
        return a == b


def under_jid(sender: str, entity: str) -> bool:
    """The sender is the entity or one of its resources (a component of a call).

    A bare domain (the service) covers every JID in it and its subdomains:
    calls, mixers and components.
    """
    try:
        s, e = JID.parse(sender), JID.parse(entity)
    except ValueError:
        return sender == entity
    if not e.local:
        return s.domain == e.domain or s.domain.endswith("." + e.domain)
    return s == e or (not e.resource and s.bare == e.bare)


def is_last_word(stanza: Stanza) -> bool:
    """A call's <end/> or a component's <complete/>: nothing more comes from that JID (R-6.6.4-e, §6.5)."""
    return stanza.kind == "presence" and stanza.type == "unavailable" and any(
        etree.QName(child).localname in ("end", "complete") for child in stanza.payload()
    )


def sender_capture(name: str, sender: str) -> dict[str, str]:
    """A sender captured as {name}, and its bare JID as {name.bare}: a seed component's
    JID is the bare call JID with the component's id as resource."""
    try:
        bare = JID.parse(sender).bare
    except ValueError:
        bare = sender
    return {name: sender, f"{name}.bare": bare}


def resolve_jid(text: str, variables: Variables, service: str) -> str:
    """'{call}' -> 'abc@rayo.example'; 'the server' -> the service domain."""
    if text.strip() == "the server":
        return service
    return strip_xmpp_uri(substitute(text, variables).strip())


def stanza_summary(stanza: Stanza, limit: int = 240) -> str:
    """One line: kind, type, sender and the payload, for failure messages."""
    payload = " ".join(_compact(child) for child in stanza.payload() if not _is_delay(child))
    if len(payload) > limit:
        payload = payload[: limit - 1] + "…"
    kind = stanza.kind if stanza.type in ("", "available", "normal") else f"{stanza.kind} {stanza.type}"
    return f"{kind} from {stanza.sender or '(no from)'}: {payload or '(empty)'}"


def _compact(element: etree._Element) -> str:
    element = copy.deepcopy(element)
    etree.cleanup_namespaces(element)  # drop the stanza's jabber:client declaration
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    return " ".join(text.split())


def _is_delay(element: etree._Element) -> bool:
    return etree.QName(element).namespace == ns.DELAY


def sip_summary(event: Any) -> str:
    what = event.message if not event.message.isdigit() else f"{event.message} ({event.cseq_method})"
    return f"{event.direction} {what}"


@dataclass(frozen=True)
class Context:
    """What probes need to know about the running case."""

    service: str
    tokens: Mapping[str, str]  # caller party -> the token its INVITE carries
    last_dialer: str | None


class Probe:
    key: StreamKey
    step: model.Step

    def fits(self, event: Any, variables: Variables) -> tuple[dict[str, str] | None, str | None]:
        """(captures, None) when the event fits; (None, why not) otherwise."""
        raise NotImplementedError

    def identity(self, event: Any, variables: Variables) -> tuple[dict[str, str], str] | None:
        """When the event is the one this step waits for but its details differ: the captures it
        still gives, and every difference it can name. None when it is another event."""
        raise NotImplementedError

    def relevant(self, event: Any, variables: Variables) -> bool:
        """Worth showing as "what came instead" when nothing fits."""
        return True

    def describe(self, variables: Variables) -> str:
        raise NotImplementedError

    def decided(self, obs: Observations, variables: Variables) -> str | None:
        """Why no event still to come can fit, or None while one may."""
        return None


def _template_text(template: model.Template | None, variables: Variables) -> str:
    if template is None:
        return ""
    try:
        return " ".join(substitute(template.text, variables).split())
    except KeyError:
        return " ".join(template.text.split())


class PresenceFrom(Probe):
    def __init__(self, step: model.ExpectFrom, context: Context):
        self.step, self.context = step, context
        self.key = ("xmpp", step.client)

    def source(self, variables: Variables) -> str:
        return resolve_jid(self.step.source, variables, self.context.service)

    def fits(self, stanza: Stanza, variables: Variables):
        if stanza.kind != "presence":
            return None, f"a {stanza.kind}, not a presence"
        source = self.source(variables)
        if not same_jid(stanza.sender, source):
            return None, f"from {stanza.sender}, not {source}"
        wrong_type = self._wrong_type(stanza)
        captured: dict[str, str] = {}
        if self.step.template is not None:
            found, mismatch = match_payload(list(self.step.template.elements), stanza.payload(), variables, self.step.strict)
            if mismatch:  # both, when the type is wrong too: a finding names every difference it can
                return None, "; ".join(filter(None, (wrong_type, str(mismatch))))
            captured.update(found)
        if wrong_type:
            return None, wrong_type
        if self.step.capture:
            captured.update(sender_capture(self.step.capture, stanza.sender))
        return captured, None

    def _wrong_type(self, stanza: Stanza) -> str:
        if self.step.type and stanza.type != self.step.type:
            return f"presence type is {stanza.type}, expected {self.step.type}"
        return ""

    def identity(self, stanza: Stanza, variables: Variables) -> tuple[dict[str, str], str] | None:
        """A presence from the source carrying elements of the template's names (with no
        template: a presence of the step's type)."""
        if stanza.kind != "presence" or not same_jid(stanza.sender, self.source(variables)):
            return None
        templates = list(self.step.template.elements) if self.step.template is not None else []
        names = {child.tag for child in stanza.payload()}
        if any(template.tag not in names for template in templates):
            return None
        if not templates and self._wrong_type(stanza):
            return None
        captured = salvage(templates, stanza.payload(), variables)
        if self.step.capture:
            captured.update(sender_capture(self.step.capture, stanza.sender))
        found = [self._wrong_type(stanza)] + [str(m) for m in differences(templates, stanza.payload(), variables)]
        return captured, "; ".join(filter(None, found))

    def relevant(self, stanza: Stanza, variables: Variables) -> bool:
        return stanza.kind == "presence" and under_jid(stanza.sender, self.source(variables))

    def decided(self, obs: Observations, variables: Variables) -> str | None:
        """The source sent its last word (a call's end, a component's complete) and nothing that came fits."""
        try:
            source = self.source(variables)
            stream = obs.stream(self.key)
            later = stream.events[stream.position :]
            if any(self.fits(event, variables)[0] is not None for event in later):
                return None
        except KeyError:
            return None  # waits on a capture still to come
        last = next((event for event in later if is_last_word(event) and same_jid(event.sender, source)), None)
        return None if last is None else f"{source} had already sent its last event: {stanza_summary(last)}"

    def describe(self, variables: Variables) -> str:
        kind = f"a presence of type {self.step.type}" if self.step.type else "a presence"
        body = _template_text(self.step.template, variables)
        return f"{kind} from {self.source(variables)}" + (f" carrying {body}" if body else "")


class Offer(Probe):
    def __init__(self, step: model.ExpectOffer, context: Context):
        self.step, self.context = step, context
        self.key = ("xmpp", step.client)
        self.party = step.party or context.last_dialer or "caller"

    def other_offer(self, stanza: Stanza) -> str | None:
        """Why the stanza is not the offer of the party's call, if it is not."""
        if stanza.kind != "presence" or stanza.type == "unavailable":
            return "not an available presence"
        if stanza.element.find(ns.qname(ns.RAYO, "offer")) is None:
            return "no <offer xmlns='urn:xmpp:rayo:1'>"
        token = self.context.tokens.get(self.party)
        if token and token not in stanza.text:
            return f"an offer for another call (it does not carry {self.party}'s token {token})"
        return None

    def fits(self, stanza: Stanza, variables: Variables):
        other = self.other_offer(stanza)
        if other:
            return None, other
        captured: dict[str, str] = {}
        if self.step.template is not None:
            found, mismatch = match_payload(list(self.step.template.elements), stanza.payload(), variables, self.step.strict)
            if mismatch:
                return None, str(mismatch)
            captured.update(found)
        captured.update(sender_capture(self.step.capture, stanza.sender))
        return captured, None

    def identity(self, stanza: Stanza, variables: Variables) -> tuple[dict[str, str], str] | None:
        if self.other_offer(stanza):
            return None
        templates = list(self.step.template.elements) if self.step.template is not None else []
        captured = salvage(templates, stanza.payload(), variables) | sender_capture(self.step.capture, stanza.sender)
        return captured, "; ".join(str(m) for m in differences(templates, stanza.payload(), variables))

    def relevant(self, stanza: Stanza, variables: Variables) -> bool:
        token = self.context.tokens.get(self.party)
        return stanza.kind == "presence" and (token is None or token in stanza.text or "offer" in stanza.text)

    def describe(self, variables: Variables) -> str:
        body = _template_text(self.step.template, variables)
        return f"an offer for {self.party}'s call" + (f" carrying {body}" if body else "")


def _uri_of(header_value: str) -> str:
    """The URI inside a From/To/Contact value: '"x" <sip:a@b>;tag=1' -> 'sip:a@b'."""
    if "<" in header_value and ">" in header_value:
        return header_value[header_value.index("<") + 1 : header_value.index(">")]
    return header_value.split(";")[0].strip()


def _header(event: Any, name: str) -> list[str]:
    compact = {"from": "f", "to": "t", "contact": "m", "call-id": "i", "via": "v"}
    names = {name.lower(), compact.get(name.lower(), name.lower())}
    return [value for key, value in event.headers if key.lower() in names]


class SipMessage(Probe):
    def __init__(self, step: model.SipReceives, context: Context):
        self.step, self.context = step, context
        self.key = ("sip", step.party)

    def fits(self, event: Any, variables: Variables):
        if event.direction != "received":
            return None, "sent by the party, not received"
        if not self._awaited(event):
            return None, f"got {sip_summary(event)}"
        for check in self._checks:
            why = check(event, variables)
            if why:
                return None, why
        return {}, None

    @property
    def _checks(self):
        return (self._request_uri, self._from, self._body, self._headers)

    def _awaited(self, event: Any) -> bool:
        return any(spec.accepts(event.message, event.cseq_method) for spec in self.step.messages)

    def identity(self, event: Any, variables: Variables) -> tuple[dict[str, str], str] | None:
        """A message the party received of an awaited code or method; its URIs, headers and body are details."""
        if event.direction != "received" or not self._awaited(event):
            return None
        return {}, "; ".join(filter(None, (check(event, variables) for check in self._checks)))

    def _request_uri(self, event, variables) -> str | None:
        if self.step.request_uri is None:
            return None
        if match_value(self.step.request_uri, event.request_uri, variables) is None:
            return f"Request-URI is {event.request_uri!r}, expected {self.step.request_uri!r}"
        return None

    def _from(self, event, variables) -> str | None:
        if self.step.from_uri is None:
            return None
        values = _header(event, "From")
        uri = _uri_of(values[0]) if values else ""
        if match_value(self.step.from_uri, uri, variables) is None:
            return f"From is {uri!r}, expected {self.step.from_uri!r}"
        return None

    def _body(self, event, variables) -> str | None:
        if self.step.body is None:
            return None
        body = event.body.strip("\r\n")
        if match_value(self.step.body, body, variables) is None:
            return f"body is {body!r}, expected {self.step.body!r}"
        return None

    def _headers(self, event, variables) -> str | None:
        """Each expected header is present, after the one before it (repeats keep their order)."""
        position = 0
        pairs = list(event.headers)
        for name, expected in self.step.headers:
            for index in range(position, len(pairs)):
                key, value = pairs[index]
                if key.lower() == name.lower() and match_value(expected, value.strip(), variables) is not None:
                    position = index + 1
                    break
            else:
                present = [v for k, v in pairs if k.lower() == name.lower()]
                got = f"its {name} values are {present}" if present else f"it has no {name} header"
                return f"header {name}: {expected!r} not found in order ({got})"
        return None

    def relevant(self, event: Any, variables: Variables) -> bool:
        return event.direction == "received"

    @property
    def stray_key(self) -> StreamKey:
        """Where the messages of the party's SIPp that fit none of its calls go (under the SIPp's name)."""
        return ("sip", "sipp-caller" if self.step.party.startswith("caller") else "sipp-callee")

    def describe(self, variables: Variables) -> str:
        what = " or ".join(spec.text for spec in self.step.messages)
        extra = ", ".join([f"{n}: {v}" for n, v in self.step.headers] + ([f"body {self.step.body!r}"] if self.step.body is not None else []))
        return f"{self.step.party} to receive {what}" + (f" with {extra}" if extra else "")


def probe_for(step: model.Step, context: Context) -> Probe:
    if isinstance(step, model.ExpectFrom):
        return PresenceFrom(step, context)
    if isinstance(step, model.ExpectOffer):
        return Offer(step, context)
    if isinstance(step, model.SipReceives):
        return SipMessage(step, context)
    raise TypeError(f"not an expectation: {step!r}")


# --- Searches ----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """An event taken by its identity: what the step waited for came, with other details."""

    probe: Probe
    event: Any
    why: str
    informative: bool = False  # not a difference: an event that came before the awaited one (`next`)


@dataclass(frozen=True)
class Found:
    variables: dict[str, str]
    positions: dict[StreamKey, int]  # where each stream's next expectation may start
    hits: tuple[tuple[StreamKey, int], ...]
    differences: tuple[Difference, ...] = ()


def _judge(probe: Probe, event: Any, variables: Variables, loose: bool) -> tuple[dict[str, str] | None, tuple[Difference, ...]]:
    """The captures if the event fits the probe; loosely, also if it has the probe's identity, with the difference."""
    captured, why = probe.fits(event, variables)
    if captured is not None or not loose:
        return captured, ()
    taken = probe.identity(event, variables)
    if taken is None:
        return None, ()
    captured, every = taken  # every difference it could name; else (order, strictness) the first one
    return captured, (Difference(probe, event, every or why or ""),)


def _candidates(obs: Observations, probe: Probe, start: Mapping[StreamKey, int], used: set) -> Iterable[int]:
    stream = obs.stream(probe.key)
    for index in range(start.get(probe.key, stream.position), len(stream.events)):
        if (probe.key, index) not in used:
            yield index


def _first_only(probe: Probe) -> bool:
    return bool(getattr(probe.step, "next", False))


def _informative(event: Any) -> bool:
    """An event that ends nothing (no <complete/> or <end/>, not unavailable): one a server may send
    before the awaited one where the XEP does not forbid it (an informative <start-of-input/>, say)."""
    ending = any(isinstance(child.tag, str) and etree.QName(child).localname in ("complete", "end") for child in event.payload())
    return event.type != "unavailable" and not ending


def in_sequence(obs: Observations, probes: list[Probe], variables: Variables, used: frozenset = frozenset(),
                loose: bool = False) -> Found | None:
    """Each probe fits an event after the one the probe before it (on its stream) used."""
    positions = {key: s.position for key, s in obs.streams.items()}

    def step(i: int, variables: dict, positions: dict, hits: tuple, differences: tuple):
        if i == len(probes):
            return Found(variables, positions, hits, differences)
        probe = probes[i]
        before: tuple[Difference, ...] = ()  # `next`: informative events that came first, each a warning
        for index in _candidates(obs, probe, positions, set(used) | set(hits)):
            event = obs.stream(probe.key).events[index]
            captured, difference = _judge(probe, event, variables, loose)
            if captured is None and _first_only(probe) and probe.relevant(event, variables):
                if not _informative(event):
                    break  # `next`: the first presence from the JID is not this one
                before += (Difference(probe, event, "", informative=True),)
                continue
            if captured is None:
                continue
            found = step(i + 1, {**variables, **captured}, {**positions, probe.key: index + 1}, hits + ((probe.key, index),),
                         differences + before + difference)
            if found:
                return found
        return None

    return step(0, dict(variables), positions, (), ())


def in_any_order(obs: Observations, probes: list[Probe], variables: Variables, loose: bool = False) -> Found | None:
    """Every probe fits a distinct event at or after its stream's position. Loosely: the matching with
    the fewest differences, so that an event one probe fits whole is not taken by another's identity."""
    start = {key: s.position for key, s in obs.streams.items()}
    best: list[Found] = []  # loosely: the matching with the fewest differences so far

    def assign(remaining: list[Probe], variables: dict, hits: tuple, differences: tuple):
        if best and len(differences) >= len(best[0].differences):
            return None
        if not remaining:
            positions = dict(start)
            for key, index in hits:
                positions[key] = max(positions.get(key, 0), index + 1)
            found = Found(variables, positions, hits, differences)
            if differences:
                best[:] = [found]
                return None  # a matching with fewer may yet come
            return found
        # Try the probes whose variables are known first: captures feed later ones.
        for n, probe in enumerate(remaining):
            for index in _candidates(obs, probe, start, set(hits)):
                try:
                    captured, difference = _judge(probe, obs.stream(probe.key).events[index], variables, loose)
                except KeyError:
                    break  # needs a capture another probe makes first
                if captured is None:
                    continue
                found = assign(remaining[:n] + remaining[n + 1 :], {**variables, **captured}, hits + ((probe.key, index),),
                               differences + difference)
                if found:
                    return found
        return None

    return assign(list(probes), dict(variables), (), ()) or (best[0] if best else None)


def _strays(obs: Observations, probe: Probe, variables: Variables) -> list[str]:
    """A SIP message that would fit but came under a Call-ID of none of the party's calls: outside its dialogs."""
    key = getattr(probe, "stray_key", None)
    if key is None:
        return []
    for event in obs.stream(key).events:  # the first only: the others are likely its retransmissions
        if probe.fits(event, variables)[0] is not None:
            return [f"{sip_summary(event)} under Call-ID {event.call_id!r}, which is none of {probe.step.party}'s calls (outside its dialogs)"]
    return []


def explain(obs: Observations, probe: Probe, variables: Variables, limit: int = 3) -> str:
    """What came instead: the nearest misses after the position, matches that came too early, and
    SIP messages that would match but came outside the party's calls."""
    stream = obs.stream(probe.key)
    notes: list[str] = []
    summary = stanza_summary if probe.key[0] == "xmpp" else sip_summary
    try:
        for index in range(stream.position, len(stream.events)):
            event = stream.events[index]
            if not probe.relevant(event, variables):
                continue
            _, why = probe.fits(event, variables)
            notes.append(f"{summary(event)} — {why}")
            if len(notes) >= limit:
                break
        early = [
            e
            for i, e in enumerate(stream.events[: stream.position])
            if (probe.key, i) not in obs.consumed and probe.fits(e, variables)[0] is not None
        ]
        strays = _strays(obs, probe, variables)
    except KeyError as err:
        return f"(cannot evaluate: {err})"
    if early:
        notes.append(f"a matching message came earlier, before the previous expectation: {summary(early[-1])} (out of order)")
    notes += strays
    if not notes:
        return "nothing relevant arrived"
    return "; ".join(notes)
