"""DTMF grammars as automata over keys: which key sequences match, and which still may.

Two forms are read (R-6.5.4-b):
  * SRGS XML (application/srgs+xml, mode="dtmf"): rules of tokens, <item
    repeat="n", "n-m" or "n-">, <one-of>, <ruleref uri="#rule"/>; <tag>s are
    not interpreted;
  * the VoiceXML builtin digits grammar as a URL:
    builtin:dtmf/digits?length=4, or ?minlength=1;maxlength=4.

A grammar compiles to a nondeterministic automaton (Thompson's
construction). Following a key sequence through it says whether the keys
match, and whether more keys could still make (or extend) a match.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from lxml import etree

from ..errors import CommandError

KEYS = "0123456789*#ABCD"
_REPEAT = re.compile(r"^(\d+)(?:-(\d*))?$")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)
MAX_RULE_DEPTH = 16  # rule references deeper than this are taken as recursion


@dataclass(eq=False)
class _State:
    moves: dict[str, list[_State]] = field(default_factory=dict)
    free: list[_State] = field(default_factory=list)  # epsilon moves


@dataclass(frozen=True)
class Verdict:
    matches: bool  # the keys so far are a complete match
    open: bool  # more keys could still be accepted


class Grammar:
    def __init__(self, start: _State, accept: _State, source: str):
        self.start, self.accept, self.source = start, accept, source

    def judge(self, keys: str) -> Verdict:
        states = _closure({self.start})
        for key in keys:
            states = _closure({target for state in states for target in state.moves.get(key, ())})
        return Verdict(self.accept in states, any(state.moves for state in states))


def _closure(states: set[_State]) -> set[_State]:
    found, todo = set(states), list(states)
    while todo:
        for target in todo.pop().free:
            if target not in found:
                found.add(target)
                todo.append(target)
    return found


def bad_grammar(why: str) -> CommandError:
    return CommandError("bad-request", "modify", f"grammar: {why}")


# --- building -----------------------------------------------------------------------


def _link(a: _State, b: _State) -> None:
    a.free.append(b)


def _keys(start: _State, keys: str) -> _State:
    state = start
    for key in keys:
        nxt = _State()
        state.moves.setdefault(key, []).append(nxt)
        state = nxt
    return state


def _repeat(start: _State, build, low: int, high: int | None) -> _State:
    """`build(start) -> end` low times, then optionally up to high (or for ever)."""
    state = start
    for _ in range(low):
        state = build(state)
    if high is None:
        loop_start = _State()
        _link(state, loop_start)
        loop_end = build(loop_start)
        _link(loop_end, loop_start)
        end = _State()
        _link(loop_start, end)
        return end
    end = _State()
    _link(state, end)
    for _ in range(high - low):
        state = build(state)
        _link(state, end)
    return end


def builtin_digits(url: str) -> Grammar:
    """builtin:dtmf/digits?length=N or ?minlength=A;maxlength=B (VoiceXML 2.0 appendix P)."""
    path, _, query = url.partition("?")
    if path != "builtin:dtmf/digits":
        raise CommandError("feature-not-implemented", "modify", f"the builtin grammars here are builtin:dtmf/digits, not {path}")
    params = dict(urllib.parse.parse_qsl(query.replace(";", "&")))
    try:
        low = int(params.get("length", params.get("minlength", 1)))
        high = int(params.get("length", params.get("maxlength", 0))) or None
    except ValueError:
        raise bad_grammar(f"lengths in {url!r} must be numbers") from None
    if low < 1 or (high is not None and high < low):
        raise bad_grammar(f"lengths in {url!r} make no sense")

    def digit(state: _State) -> _State:
        end = _State()
        for key in "0123456789":
            state.moves.setdefault(key, []).append(end)
        return end

    start = _State()
    return Grammar(start, _repeat(start, digit, low, high), url)


def srgs(text: str) -> Grammar:
    """An SRGS XML grammar in DTMF mode."""
    try:
        root = etree.fromstring(text.strip().encode(), _SAFE_XML)
    except etree.XMLSyntaxError as err:
        raise bad_grammar(f"not well-formed: {err}") from None
    if etree.QName(root).localname != "grammar":
        raise bad_grammar("the document is not an SRGS <grammar>")
    if root.get("mode", "voice") != "dtmf":
        raise CommandError("feature-not-implemented", "modify", "only DTMF grammars (mode=\"dtmf\"): no speech recognizer here")
    rules = {rule.get("id"): rule for rule in root if isinstance(rule.tag, str) and etree.QName(rule).localname == "rule"}
    if not rules:
        raise bad_grammar("it has no rule")
    root_rule = rules.get(root.get("root")) if root.get("root") else next(iter(rules.values()))
    if root_rule is None:
        raise bad_grammar(f"no rule {root.get('root')!r}")
    start = _State()
    return Grammar(start, _Builder(rules).content(root_rule, start, 0), "inline SRGS")


class _Builder:
    def __init__(self, rules: dict[str, etree._Element]):
        self.rules = rules

    def content(self, element: etree._Element, state: _State, depth: int) -> _State:
        """The element's text tokens and children, in order."""
        state = self.tokens(element.text, state)
        for child in element:
            if isinstance(child.tag, str):
                state = self.node(child, state, depth)
            state = self.tokens(child.tail, state)
        return state

    def tokens(self, text: str | None, state: _State) -> _State:
        for token in (text or "").split():
            if any(key not in KEYS for key in token.upper()):
                raise bad_grammar(f"{token!r} is not a DTMF key")
            state = _keys(state, token.upper())
        return state

    def node(self, element: etree._Element, state: _State, depth: int) -> _State:
        name = etree.QName(element).localname
        if name == "item":
            return self.item(element, state, depth)
        if name == "one-of":
            end = _State()
            for item in (c for c in element if isinstance(c.tag, str)):
                branch = _State()
                _link(state, branch)
                _link(self.node(item, branch, depth), end)
            return end
        if name == "ruleref":
            return self.ruleref(element, state, depth)
        if name == "tag":
            return state  # semantic interpretation is not evaluated
        raise bad_grammar(f"<{name}> is not read here")

    def item(self, element: etree._Element, state: _State, depth: int) -> _State:
        found = _REPEAT.match(element.get("repeat", "1"))
        if found is None:
            raise bad_grammar(f"repeat={element.get('repeat')!r}")
        low = int(found.group(1))
        high = low if found.group(2) is None else (int(found.group(2)) if found.group(2) else None)
        if high is not None and high < low:
            raise bad_grammar(f"repeat={element.get('repeat')!r}")
        return _repeat(state, lambda s: self.content(element, s, depth), low, high)

    def ruleref(self, element: etree._Element, state: _State, depth: int) -> _State:
        uri = element.get("uri", "")
        if not uri.startswith("#") or uri[1:] not in self.rules:
            raise bad_grammar(f"ruleref {uri!r}: only references to this grammar's rules")
        if depth >= MAX_RULE_DEPTH:
            raise bad_grammar("rule references nest too deep (recursion?)")
        return self.content(self.rules[uri[1:]], state, depth + 1)
