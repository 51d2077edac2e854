"""Fixtures of the schema tests."""

from __future__ import annotations

import pytest
import xmlschema

from conformance.protocol.schemaset import catalogue, driver


@pytest.fixture(scope="session")
def xmlschema_of():
    """The same XSDs compiled by xmlschema, per dialect: the second engine of the agreement tests."""
    compiled: dict[str, xmlschema.XMLSchema10] = {}

    def get(dialect: str) -> xmlschema.XMLSchema10:
        if dialect not in compiled:
            compiled[dialect] = xmlschema.XMLSchema10(driver(catalogue()[dialect]))
        return compiled[dialect]

    return get
