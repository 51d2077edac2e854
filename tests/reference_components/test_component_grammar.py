"""DTMF grammars: which key sequences match, and which may still."""

from __future__ import annotations

import pytest

from conformance.reference.core.components.grammar import builtin_digits, srgs
from conformance.reference.core.errors import CommandError

PIN = """<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" mode="dtmf" root="pin">
  <rule id="digit"><one-of><item>1</item><item>2</item><item>3</item></one-of></rule>
  <rule id="pin"><item repeat="2-3"><ruleref uri="#digit"/></item><item repeat="0-1">#</item><tag>out="pin"</tag></rule>
</grammar>"""


@pytest.mark.parametrize("keys, matches, open_", [
    ("", False, True), ("1", False, True), ("12", True, True), ("123", True, True),
    ("123#", True, False), ("1234", False, False), ("4", False, False),
])
def test_an_srgs_grammar_with_repeats_rulerefs_and_an_optional_item(keys, matches, open_):
    verdict = srgs(PIN).judge(keys)
    assert (verdict.matches, verdict.open) == (matches, open_)


def test_an_unbounded_repeat_stays_open():
    grammar = srgs('<grammar mode="dtmf"><rule id="r"><item repeat="1-">*</item></rule></grammar>')
    assert grammar.judge("*****").matches and grammar.judge("*****").open


def test_the_builtin_digits_grammar_takes_its_lengths():
    assert builtin_digits("builtin:dtmf/digits?length=2").judge("12") .matches
    assert not builtin_digits("builtin:dtmf/digits?length=2").judge("12").open
    fits = builtin_digits("builtin:dtmf/digits?minlength=1;maxlength=3")
    assert fits.judge("1").matches and fits.judge("1").open and not fits.judge("1234").matches
    assert not fits.judge("#").matches and not fits.judge("#").open


@pytest.mark.parametrize("text, condition", [
    ('<grammar mode="voice"><rule id="r">yes</rule></grammar>', "feature-not-implemented"),
    ('<grammar mode="dtmf"><rule id="r">1 X</rule></grammar>', "bad-request"),
    ('<grammar mode="dtmf"><rule id="r"><ruleref uri="http://x/g"/></rule></grammar>', "bad-request"),
    ('<grammar mode="dtmf"><rule id="r"><ruleref uri="#r"/></rule></grammar>', "bad-request"),
    ('<grammar mode="dtmf"><rule id="r"><item repeat="3-1">1</item></rule></grammar>', "bad-request"),
    ('<grammar mode="dtmf"><rule id="r">1', "bad-request"),
])
def test_what_is_refused_and_how(text, condition):
    with pytest.raises(CommandError) as refused:
        srgs(text)
    assert refused.value.condition == condition
