"""Fixtures for tests in several directories: the reference server, for target files to point at."""

from __future__ import annotations

import pytest

from conformance.reference.process import ReferenceProcess


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    process = ReferenceProcess(workdir=tmp_path_factory.mktemp("reference"))
    process.start()
    yield process
    process.stop()
