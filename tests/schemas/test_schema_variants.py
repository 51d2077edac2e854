"""Invalid variants: each breaks one rule and is rejected with a finding that names the rule and the path."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.protocol.stanza import parse_stanza
from conformance.protocol.validation import validator

from .data import variants

VARIANTS = variants()


def _id(variant: dict) -> str:
    return f"{variant['dialect']}:{variant['path']}:{variant['rule']}"


def test_there_are_at_least_80_variants_and_no_two_alike():
    assert len(VARIANTS) >= 80
    assert len({(v["dialect"], v["xml"]) for v in VARIANTS}) == len(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_variant_gives_one_finding_naming_its_rule_and_element(variant):
    findings = validator(variant["dialect"]).stanza(parse_stanza(variant["xml"]))
    assert [(f.rule, f.path) for f in findings] == [(variant["rule"], variant["path"])]
    finding = findings[0]
    element = variant["path"].rsplit("/", 1)[-1].split("[")[0]
    assert finding.message.startswith(variant["rule"] + ": ")
    assert f"<{element}>" in finding.message
    assert finding.line == 1 and finding.namespace.startswith("urn:xmpp:")


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_xmlschema_agrees_with_lxml_on_the_variant(variant, lxml_of, xmlschema_of):
    checker = validator(variant["dialect"])
    for payload in parse_stanza(variant["xml"]):
        if etree.QName(payload).namespace in checker.namespaces:
            assert lxml_of(variant["dialect"]).validate(payload) == xmlschema_of(variant["dialect"]).is_valid(payload)
