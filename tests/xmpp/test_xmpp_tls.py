"""STARTTLS against Prosody with a self-signed certificate, verified against it as the CA."""

from __future__ import annotations

import asyncio

from conformance.reference.prosody import Prosody

from .test_xmpp_login import _failed_login
from .xmpp_kit import ACCOUNTS, TIMEOUT, Harness


def test_starttls_verified_against_the_given_ca(prosody_tls: Prosody) -> None:
    async def main() -> Harness:
        harness = Harness(prosody_tls.c2s_port, "tls", tls="starttls", ca_file=str(prosody_tls.certificate.cert))
        await harness.client.connect(TIMEOUT)
        await harness.client.close(TIMEOUT)
        return harness

    harness = asyncio.run(main())
    assert harness.client.full_jid == "alice@localhost/tls"
    labels = [(r.direction, r.label) for r in harness.transcript.records]
    tls_at = labels.index(("sent", "starttls"))
    assert labels[tls_at + 1 : tls_at + 4] == [("received", "proceed"), ("sent", "stream header"), ("received", "stream header")]
    sasl = [r for r in harness.transcript.records if r.label.split()[0] in ("auth", "challenge", "response", "success")]
    assert [r.label for r in sasl] == ["auth SCRAM-SHA-1", "challenge", "response", "success"]
    for record in sasl:  # every SCRAM message has its content replaced
        assert ">[redacted]</" in record.text
    assert all(ACCOUNTS["alice"] not in r.text for r in harness.transcript.records)


def test_an_untrusted_certificate_fails_verification(prosody_tls: Prosody) -> None:
    message, elapsed, harness = _failed_login(prosody_tls.c2s_port, TIMEOUT, tls="starttls")  # system CAs only
    assert message == "TLS certificate verification failed: self-signed certificate"
    assert elapsed < 1.0
    assert "auth" not in [r.label.split()[0] for r in harness.records("sent")]


def test_a_plain_account_does_not_talk_to_a_server_requiring_tls(prosody_tls: Prosody) -> None:
    message, elapsed, harness = _failed_login(prosody_tls.c2s_port, TIMEOUT, tls="plain")
    assert message == "the server requires STARTTLS, but the account says tls = plain"
    assert elapsed < 1.0
    assert "auth PLAIN" not in [r.label for r in harness.records("sent")]  # the password never went out
