"""Logging in to a real Prosody: what is recorded, what is sent, and how a failed login is told."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import time

import pytest
from lxml import etree

from conformance.ports import LOOPBACK, free_port
from conformance.protocol import namespaces as ns
from conformance.protocol.stanza import parse_stanza
from conformance.reference.prosody import Prosody
from conformance.xmpp import ConnectError

from .xmpp_kit import ACCOUNTS, TIMEOUT, Harness, Relay, component, disconnect


def test_login_records_every_byte_of_the_server_and_hides_the_password(
    prosody: Prosody, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="slixmpp")  # slixmpp's own debug log must not have it either

    async def main() -> tuple[Harness, Relay]:
        relay = Relay(prosody.c2s_port)
        harness = Harness(await relay.start(), "record")
        await harness.client.connect(TIMEOUT)
        assert harness.client.full_jid == "alice@localhost/record"
        await harness.client.close(TIMEOUT)
        await relay.close()
        return harness, relay

    harness, relay = asyncio.run(main())
    received = harness.records("received")
    # Everything the server sent, stanza by stanza, exactly; nothing else.
    assert "".join(r.text for r in received) == relay.from_server.decode()
    labels = [r.label for r in received]
    assert labels[:4] == ["stream header", "features mechanisms", "success", "stream header"]
    assert labels[4].startswith("features ")  # Prosody lists them in no fixed order
    assert labels[5:] == ["iq result bind", "iq result", "stream end"]
    sent = harness.records("sent")
    assert [r.label for r in sent] == [
        "stream header", "auth PLAIN", "stream header", "iq set bind", "iq set session", "stream end",
    ]
    bind, session = (parse_stanza(r.text) for r in sent[3:5])
    assert bind.find(f"{{{ns.BIND}}}bind/{{{ns.BIND}}}resource").text == "record"
    assert session.find(ns.qname(ns.SESSION, "session")) is not None  # sent although Prosody marks it optional
    assert received[5].text.endswith("<jid>alice@localhost/record</jid></bind></iq>")
    assert sent[1].text == "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">[redacted]</auth>"
    secret = base64.b64encode(f"\0alice\0{ACCOUNTS['alice']}".encode()).decode()
    assert secret in relay.from_client.decode()  # it did go to the server...
    for record in harness.transcript.records:  # ...and is nowhere in the evidence
        assert secret not in record.text and ACCOUNTS["alice"] not in record.text + record.label
    assert secret not in caplog.text and ACCOUNTS["alice"] not in caplog.text
    assert ACCOUNTS["alice"] not in repr(harness.client.account)
    times = [r.t for r in harness.transcript.records]
    assert times == sorted(times)


@pytest.mark.parametrize("mode", ["directed-chat", "broadcast", "none"])
def test_initial_presence_as_the_account_says(prosody: Prosody, mode: str) -> None:
    async def main() -> tuple[Harness, list[etree._Element]]:
        rayo, presences = await component(prosody.component_port, prosody.component, prosody.component_secret)
        harness = Harness(prosody.c2s_port, f"presence-{mode}", presence=mode, service=prosody.component)
        await harness.client.connect(TIMEOUT)
        # A ping to the component and its answer: whatever presence the login
        # sent to the component has reached it by then (one ordered route).
        harness.client.send(f"<iq type='get' id='barrier' to='{prosody.component}'><ping xmlns='urn:xmpp:ping'/></iq>")
        await asyncio.wait_for(_reply(harness, "barrier"), TIMEOUT)
        at_component = [presences.get_nowait().xml for _ in range(presences.qsize())]
        await harness.client.close(TIMEOUT)
        await disconnect(rayo)
        return harness, at_component

    harness, at_component = asyncio.run(main())
    sent_presences = [r.text for r in harness.records("sent") if r.label.startswith("presence")]
    if mode == "directed-chat":
        assert sent_presences == ['<presence xmlns="jabber:client" to="rayo.localhost"><show>chat</show></presence>']
        assert [(p.get("from"), p.findtext("{jabber:component:accept}show")) for p in at_component] == [
            ("alice@localhost/presence-directed-chat", "chat")
        ]
    elif mode == "broadcast":
        assert sent_presences == ['<presence xmlns="jabber:client"/>']
        assert at_component == []  # no subscription: a broadcast reaches no component
    else:
        assert sent_presences == [] and at_component == []


async def _reply(harness: Harness, iq_id: str) -> None:
    while (await harness.arrived.get()).id != iq_id:
        pass


def _failed_login(port: int, timeout: float, **account: object) -> tuple[str, float, Harness]:
    async def main() -> tuple[str, float, Harness]:
        harness = Harness(port, "fails", **account)
        started = time.monotonic()
        with pytest.raises(ConnectError) as failure:
            await harness.client.connect(timeout)
        elapsed = time.monotonic() - started
        await harness.client.close(TIMEOUT)
        assert not harness.closed.done(), "a failed login is told by ConnectError, not on_closed"
        return str(failure.value), elapsed, harness

    return asyncio.run(main())


def test_wrong_password(prosody: Prosody) -> None:
    message, elapsed, harness = _failed_login(prosody.c2s_port, TIMEOUT, password="not-the-password")
    assert message.startswith("authentication failed: not-authorized")
    assert elapsed < 1.0
    assert harness.records("received")[-1].label == "failure not-authorized"


def test_refused_port() -> None:
    port = free_port(socket.SOCK_STREAM)  # nothing listens there
    message, elapsed, _ = _failed_login(port, TIMEOUT)
    assert message == f"cannot connect to {LOOPBACK}:{port}: Connection refused"
    assert elapsed < 1.0


def test_a_server_that_never_answers_times_out_with_the_stage() -> None:
    async def main() -> tuple[str, float, Harness]:
        accepted: list[asyncio.StreamWriter] = []
        server = await asyncio.start_server(lambda _reader, writer: accepted.append(writer), LOOPBACK, 0)
        harness = Harness(server.sockets[0].getsockname()[1], "silent")
        started = time.monotonic()
        try:
            with pytest.raises(ConnectError) as failure:
                await harness.client.connect(0.5)
            return str(failure.value), time.monotonic() - started, harness
        finally:
            for writer in accepted:
                writer.close()
            server.close()

    message, elapsed, harness = asyncio.run(main())
    assert message == "login timed out after 0.5 s waiting for the server's stream header"
    assert 0.5 <= elapsed < 1.0
    assert [r.label for r in harness.transcript.records] == ["stream header"]


def test_no_acceptable_sasl_mechanism_is_told_at_once(tmp_path) -> None:
    # Prosody refusing PLAIN on plaintext offers only SCRAM there, which the
    # harness does not use without TLS: slixmpp alone would wait forever.
    with Prosody(tmp_path, allow_unencrypted_plain_auth=False) as server:
        server.register("alice", ACCOUNTS["alice"])
        message, elapsed, _ = _failed_login(server.c2s_port, TIMEOUT)
    assert message == "no acceptable SASL mechanism: the server offers SCRAM-SHA-1; the harness uses PLAIN with tls = plain"
    assert elapsed < 1.0


def test_an_account_requiring_tls_refuses_a_server_without_starttls(prosody: Prosody) -> None:
    message, elapsed, harness = _failed_login(prosody.c2s_port, TIMEOUT, tls="starttls")
    assert message == "the server does not offer STARTTLS, which the account requires (tls = starttls)"
    assert elapsed < 1.0
    assert "auth" not in [r.label.split()[0] for r in harness.records("sent")]


def test_a_stream_closed_by_the_server_during_login(prosody: Prosody) -> None:
    message, elapsed, harness = _failed_login(prosody.c2s_port, TIMEOUT, domain="nowhere.example")
    assert message == "the server sent a stream error: host-unknown (This server does not serve nowhere.example)"
    assert elapsed < 1.0
    assert [r.label for r in harness.records("received")][-2:] == ["error host-unknown", "stream end"]
