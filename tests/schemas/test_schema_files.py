"""The XSD files: XSD 1.0 that compiles under both lxml and xmlschema, and a catalogue that matches them."""

from __future__ import annotations

import pytest
import xmlschema
from lxml import etree

from conformance.protocol.namespaces import DIALECTS, RAYO_NAMESPACES
from conformance.protocol.schemaset import catalogue, compile_dialect
from conformance.resources import schemas_dir

XSD_FILES = sorted(schemas_dir().rglob("*.xsd"))


def test_there_is_one_xsd_per_namespace_of_each_dialect():
    assert len(XSD_FILES) == sum(len(RAYO_NAMESPACES[dialect]) for dialect in DIALECTS)


@pytest.mark.parametrize("path", XSD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_xsd_compiles_under_lxml(path):
    etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("path", XSD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_xsd_compiles_under_xmlschema_as_xsd_1_0(path):
    xmlschema.XMLSchema10(str(path))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_catalogue_maps_exactly_the_rayo_namespaces_of_the_dialect(dialect):
    assert set(catalogue()[dialect]) == RAYO_NAMESPACES[dialect]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_catalogued_file_declares_its_namespace_and_stays_in_its_dialect(dialect):
    for namespace, path in catalogue()[dialect].items():
        assert etree.parse(str(path)).getroot().get("targetNamespace") == namespace
        assert path.parent.name == dialect, "a dialect validates only against its own files"


def test_every_xsd_file_is_catalogued():
    catalogued = {path.resolve() for files in catalogue().values() for path in files.values()}
    assert {path.resolve() for path in XSD_FILES} == catalogued


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_identity_constraint_and_content_rule_is_named(dialect):
    rules = compile_dialect(dialect).rules
    assert set(rules.constraint_fields) == set(rules.constraints)
    assert rules.element(None, "{urn:xmpp:rayo:1}end").name == "one end reason"
