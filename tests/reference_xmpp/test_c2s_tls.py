"""STARTTLS with the generated loopback certificate."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from conformance.protocol import namespaces as ns
from conformance.reference.xmpp import C2SServer, OpenSSLMissing, make_loopback_certificate

from .c2s_helpers import RawClient, auth, end_session, running_server, slixmpp_client, start_session

STARTTLS = ns.qname(ns.TLS, "starttls")


@pytest.fixture(scope="module")
def certificate():
    return make_loopback_certificate()


def test_slixmpp_negotiates_required_starttls_and_verifies_the_certificate(certificate):
    async def scenario():
        async with running_server(tls=certificate.server_context, require_tls=True) as (server, core):
            client = slixmpp_client("alice@localhost/secure", "alice-pw")
            client.ssl_context = certificate.client_context()
            await start_session(client, server.address)
            tls = client.transport.get_extra_info("ssl_object")
            assert tls is not None and tls.getpeercert()["subjectAltName"] == (
                ("DNS", "localhost"), ("IP Address", "127.0.0.1"),
            )
            reply = await client.make_iq_get(ito="call1@rayo.localhost").send(timeout=5)
            assert reply["type"] == "result"
            assert (await core.next()).get("from") == "alice@localhost/secure"
            await end_session(client)

    asyncio.run(scenario())


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1"])
def test_raw_starttls_then_login(certificate, hostname):
    async def scenario():
        async with running_server(tls=certificate.server_context, require_tls=True) as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            features = await raw.element()
            assert [child.tag for child in features] == [STARTTLS]  # nothing else before TLS
            assert features.find(f"{STARTTLS}/{{{ns.TLS}}}required") is not None
            await raw.starttls(certificate.client_context(), hostname)
            jid = await raw.login()
            assert jid == "alice@localhost/raw"
            reply = await raw.iq("<ping xmlns='urn:xmpp:ping'/>", to="call1@rayo.localhost", kind="get")
            assert reply.get("type") == "result"
            await raw.close()

    asyncio.run(scenario())


def test_a_client_that_does_not_trust_the_certificate_fails(certificate):
    async def scenario():
        async with running_server(tls=certificate.server_context) as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            with pytest.raises(ssl.SSLCertVerificationError):
                await raw.starttls(ssl.create_default_context())  # system trust store only
            await raw.close()

    asyncio.run(scenario())


def test_authentication_before_required_tls_ends_the_stream(certificate):
    async def scenario():
        async with running_server(tls=certificate.server_context, require_tls=True) as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            await raw.send(auth("alice", "alice-pw"))
            assert await raw.stream_error() == "policy-violation"

    asyncio.run(scenario())


def test_optional_tls_is_offered_beside_plain(certificate):
    async def scenario():
        async with running_server(tls=certificate.server_context) as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            features = await raw.element()
            starttls = features.find(STARTTLS)
            assert starttls is not None and len(starttls) == 0  # no <required/>
            assert features.find(ns.qname(ns.SASL, "mechanisms")) is not None
            await raw.send(auth("alice", "alice-pw"))
            assert (await raw.element()).tag == ns.qname(ns.SASL, "success")
            await raw.close()

    asyncio.run(scenario())


def test_starttls_without_a_certificate_fails_and_ends_the_stream():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            await raw.send(f"<starttls xmlns='{ns.TLS}'/>")
            assert (await raw.element()).tag == ns.qname(ns.TLS, "failure")
            await raw.until_closed()
            assert raw.stream_closed
            await raw.close()

    asyncio.run(scenario())


def test_missing_openssl_is_reported_plainly(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(OpenSSLMissing, match="openssl command was not found"):
        make_loopback_certificate()


def test_require_tls_needs_a_context():
    with pytest.raises(ValueError):
        C2SServer(handler=None, accounts={}, require_tls=True)  # type: ignore[arg-type]
