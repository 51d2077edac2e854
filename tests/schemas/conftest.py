"""Fixtures of the schema tests."""

from __future__ import annotations

import functools

import pytest
import xmlschema

from conformance.protocol.schemaset import catalogue, compile_dialect, driver


@pytest.fixture(scope="session")
def lxml_of():
    """The lxml schema the validator uses, per dialect: the first engine of the agreement tests."""
    return functools.cache(lambda dialect: compile_dialect(dialect).schema)


@pytest.fixture(scope="session")
def xmlschema_of():
    """The same XSDs compiled by xmlschema, per dialect: the second engine of the agreement tests."""
    return functools.cache(lambda dialect: xmlschema.XMLSchema10(driver(catalogue()[dialect])))
