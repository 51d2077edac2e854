"""Logging in: features, SASL PLAIN, resource binding and the legacy session."""

from __future__ import annotations

import asyncio

import pytest

from conformance.protocol import namespaces as ns

from .c2s_helpers import (
    RawClient,
    auth,
    end_session,
    running_server,
    slixmpp_client,
    stanza_error,
    start_session,
)

SASL_FAILURE = ns.qname(ns.SASL, "failure")


def test_slixmpp_logs_in_binds_and_starts_the_session():
    async def scenario():
        async with running_server() as (server, core):
            client = slixmpp_client("alice@localhost/desk", "alice-pw")
            await start_session(client, server.address)
            assert str(client.boundjid) == "alice@localhost/desk"
            result = await client.make_iq_get(ito="call1@rayo.localhost").send(timeout=5)
            assert result["type"] == "result"
            assert (await core.next()).get("from") == "alice@localhost/desk"
            await end_session(client)

    asyncio.run(scenario())


def test_features_offer_plain_then_bind_and_a_mandatory_session():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            features = await raw.element()
            assert [m.text for m in features.iter(ns.qname(ns.SASL, "mechanism"))] == ["PLAIN"]
            assert features.find(ns.qname(ns.TLS, "starttls")) is None
            await raw.send(auth("alice", "alice-pw"))
            assert (await raw.element()).tag == ns.qname(ns.SASL, "success")
            raw.restart()
            await raw.open_stream()
            features = await raw.element()
            assert features.find(ns.qname(ns.BIND, "bind")) is not None
            session = features.find(ns.qname(ns.SESSION, "session"))
            assert session is not None and len(session) == 0  # no <optional/>: mandatory, as mod_rayo
            await raw.close()

    asyncio.run(scenario())


def test_generated_resource_when_none_is_requested():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.authenticate()
            raw.restart()
            await raw.open_stream()
            await raw.element()
            bound = await raw.iq(f"<bind xmlns='{ns.BIND}'/>")
            jid = bound.findtext(f"{{{ns.BIND}}}bind/{{{ns.BIND}}}jid")
            assert jid.startswith("alice@localhost/") and len(jid) > len("alice@localhost/")
            await raw.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "user, password, condition",
    [("alice", "wrong", "not-authorized"), ("mallory", "alice-pw", "not-authorized")],
)
def test_wrong_credentials_are_not_authorized(user, password, condition):
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            failure = await raw.authenticate(user, password)
            assert failure.tag == SASL_FAILURE
            assert failure[0].tag == ns.qname(ns.SASL, condition)
            # a retry with the right password still works (RFC 6120 6.4.5)
            await raw.send(auth("alice", "alice-pw"))
            assert (await raw.element()).tag == ns.qname(ns.SASL, "success")
            await raw.close()

    asyncio.run(scenario())


def test_slixmpp_with_a_wrong_password_gets_no_session():
    async def scenario():
        async with running_server() as (server, _):
            client = slixmpp_client("alice@localhost/desk", "wrong")
            with pytest.raises(ConnectionError, match="login failed"):
                await start_session(client, server.address)
            client.abort()

    asyncio.run(scenario())


def test_third_failed_attempt_ends_the_stream():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            assert (await raw.authenticate("alice", "x")).tag == SASL_FAILURE
            for _ in range(2):
                await raw.send(auth("alice", "y"))
                assert (await raw.element()).tag == SASL_FAILURE
            assert await raw.stream_error() == "policy-violation"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "auth, condition",
    [
        (f"<auth xmlns='{ns.SASL}' mechanism='SCRAM-SHA-1'>biwsbj1hbGljZSxyPTEyMw==</auth>", "invalid-mechanism"),
        (f"<auth xmlns='{ns.SASL}' mechanism='PLAIN'>not base64!</auth>", "incorrect-encoding"),
        (f"<auth xmlns='{ns.SASL}' mechanism='PLAIN'/>", "malformed-request"),
        (auth("alice", "alice-pw", authzid="bob@localhost"), "invalid-authzid"),
    ],
)
def test_unusable_auth_requests_fail_with_their_condition(auth, condition):
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            await raw.send(auth)
            failure = await raw.element()
            assert failure.tag == SASL_FAILURE and failure[0].tag == ns.qname(ns.SASL, condition)
            await raw.close()

    asyncio.run(scenario())


def test_authzid_naming_the_same_account_is_accepted():
    async def scenario():
        async with running_server() as (server, _):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            await raw.send(auth("alice", "alice-pw", authzid="alice@localhost"))
            assert (await raw.element()).tag == ns.qname(ns.SASL, "success")
            await raw.close()

    asyncio.run(scenario())


def test_stanzas_before_authentication_end_the_stream():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.open_stream()
            await raw.element()
            await raw.send("<iq type='get' id='x' to='call1@rayo.localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
            assert await raw.stream_error() == "not-authorized"
            assert core.received.empty()

    asyncio.run(scenario())


def test_nothing_is_routed_before_the_session_iq():
    async def scenario():
        async with running_server() as (server, core):
            raw = await RawClient.connect(server.address)
            jid = await raw.login(session=False)
            await raw.send("<presence to='rayo.localhost'/>")
            early = await raw.iq("<ping xmlns='urn:xmpp:ping'/>", to="call1@rayo.localhost", kind="get", id="early")
            assert early.get("id") == "early" and stanza_error(early) == "service-unavailable"
            started = await raw.iq(f"<session xmlns='{ns.SESSION}'/>", id="s")
            assert started.get("type") == "result"
            late = await raw.iq("<ping xmlns='urn:xmpp:ping'/>", to="call1@rayo.localhost", kind="get", id="late")
            assert late.get("type") == "result"
            # The first stanza the core ever saw is the iq sent after the session
            # started: neither the early presence nor the early iq reached it.
            first = await core.next()
            assert (first.get("id"), first.get("from")) == ("late", jid)
            assert core.received.empty()
            await raw.close()

    asyncio.run(scenario())


def test_session_optional_routes_right_after_bind():
    async def scenario():
        async with running_server(session_required=False) as (server, core):
            raw = await RawClient.connect(server.address)
            await raw.authenticate()
            raw.restart()
            await raw.open_stream()
            features = await raw.element()
            session = features.find(ns.qname(ns.SESSION, "session"))
            assert session is not None and session.find(ns.qname(ns.SESSION, "optional")) is not None
            await raw.iq(f"<bind xmlns='{ns.BIND}'><resource>r</resource></bind>")
            reply = await raw.iq("<ping xmlns='urn:xmpp:ping'/>", to="call1@rayo.localhost", kind="get")
            assert reply.get("type") == "result"
            assert (await core.next()).get("from") == "alice@localhost/r"
            await raw.close()
            # slixmpp skips the optional session and is routed all the same
            client = slixmpp_client("bob@localhost/s", "bob-pw")
            await start_session(client, server.address)
            assert (await client.make_iq_get(ito="rayo.localhost").send(timeout=5))["type"] == "result"
            await end_session(client)

    asyncio.run(scenario())


def test_binding_a_full_jid_in_use_is_a_conflict():
    async def scenario():
        async with running_server() as (server, core):
            first = await RawClient.connect(server.address)
            await first.login(resource="same")
            second = await RawClient.connect(server.address)
            await second.authenticate()
            second.restart()
            await second.open_stream()
            await second.element()
            refused = await second.iq(f"<bind xmlns='{ns.BIND}'><resource>same</resource></bind>")
            assert stanza_error(refused) == "conflict"
            # the first session keeps its JID and is still routed to
            reply = await first.iq("<ping xmlns='urn:xmpp:ping'/>", to="call1@rayo.localhost", kind="get")
            assert reply.get("type") == "result"
            # another resource for the same account binds fine
            other = await second.iq(f"<bind xmlns='{ns.BIND}'><resource>other</resource></bind>", id="b2")
            assert other.get("type") == "result"
            await first.close()
            await second.close()

    asyncio.run(scenario())
