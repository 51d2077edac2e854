"""Prosody servers for the XMPP client tests: one plain, one requiring STARTTLS.

Each runs from its own temp directory (pytest keeps the last runs, logs included)
and is stopped by its PID when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.reference.prosody import Prosody, self_signed_certificate

from .xmpp_kit import ACCOUNTS


def _started(server: Prosody) -> Prosody:
    server.start()
    for user, password in ACCOUNTS.items():
        server.register(user, password)
    return server


@pytest.fixture(scope="session")
def prosody(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prosody]:
    server = _started(Prosody(tmp_path_factory.mktemp("prosody-plain")))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prosody_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prosody]:
    directory = tmp_path_factory.mktemp("prosody-tls")
    server = _started(Prosody(directory, certificate=self_signed_certificate(directory / "tls")))
    yield server
    server.stop()
