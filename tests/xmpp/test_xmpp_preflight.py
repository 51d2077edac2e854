"""The pre-run check says what happened, at once: a stream error with its condition and text,
malformed XML, the connection closed, STARTTLS refused, no such service; not "did not answer
disco#info" after the full wait. Through preflight() itself and through `rayo-conformance run`."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from conformance.outcome import UNREACHABLE
from conformance.ports import LOOPBACK
from conformance.preflight import TargetUnreachable, preflight
from conformance.target import Target, Timeouts, load_target

from .xmpp_kit import ACCOUNTS, FakeServer

CLI = str(Path(sys.executable).with_name("rayo-conformance"))
STREAM_ERROR = (b"<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                b"<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>going down for maintenance</text>"
                b"</stream:error></stream:stream>")
WAIT = 5.0  # the iq timeout of these targets: every answer below must come well before it


def target(port: int, **changes) -> Target:
    return Target(
        name="fake", host=LOOPBACK, port=port, jid="alice@localhost", password=ACCOUNTS["alice"],
        service="rayo.localhost", sip_server=(LOOPBACK, 5060), inbound_uri="sip:{user}@127.0.0.1:5060",
        tls="plain", timeouts=Timeouts(connect=WAIT, iq=WAIT),
    ).with_options(**changes)


async def check(then: bytes | None = None, **changes) -> tuple[str, float]:
    server = FakeServer(then=then)
    port = await server.start()
    started = time.monotonic()
    with pytest.raises(TargetUnreachable) as caught:
        await preflight(target(port, **changes))
    took = time.monotonic() - started
    await server.close()
    return str(caught.value), took


@pytest.mark.parametrize(
    ("then", "reason"),
    [
        (STREAM_ERROR, "the server sent a stream error: system-shutdown (going down for maintenance)"),
        (b"<iq type='result' id='x'><query></iq>", "malformed XML from the server: "),
        (b"", "the connection was closed"),
        (b"</stream:stream>", "the server closed the stream"),
    ],
    ids=["stream-error", "malformed-xml", "connection-closed", "stream-closed"],
)
def test_what_ends_the_stream_during_the_check_is_said_at_once(then, reason):
    message, took = asyncio.run(check(then))
    assert message.startswith("the stream ended after the login, while the harness waited for the answer to "
                              f"disco#info sent to rayo.localhost: {reason}")
    assert took < WAIT / 2  # not the disco#info timeout


def test_a_server_without_starttls_is_named_with_the_fix():
    message, _ = asyncio.run(check(tls="starttls"))
    assert message.startswith("cannot log in to 127.0.0.1:")
    assert message.endswith(" as alice@localhost: the server does not offer STARTTLS, which the account requires "
                            '(tls = starttls); for a server without TLS, set tls = "plain" in [xmpp]')


def test_an_untrusted_certificate_is_named_with_the_fix(prosody_tls):
    async def main() -> str:
        with pytest.raises(TargetUnreachable) as caught:
            await preflight(target(prosody_tls.c2s_port, tls="starttls"))  # the system's CAs only
        return str(caught.value)

    assert asyncio.run(main()).endswith("TLS certificate verification failed: self-signed certificate; "
                                        "for a certificate no public CA signed, give its CA in [xmpp] ca_file")


def test_no_such_service_is_said_through_the_cli(tmp_path, reference):
    text = reference.target_file.read_text().replace('service = "rayo.localhost"', 'service = "rayo.nowhere"')
    (tmp_path / "t.toml").write_text(text)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "one.yaml").write_text(CASE)
    started = time.monotonic()
    done = asyncio.run(cli_run(tmp_path))
    assert done[0] == UNREACHABLE, done[1]
    assert ("the server under test cannot be used: no Rayo service answers at rayo.nowhere: disco#info got "
            "remote-server-not-found and a ping got remote-server-not-found; is 'service' in the target file right?") in done[1]
    assert time.monotonic() - started < 30


def test_a_stream_error_is_said_through_the_cli(tmp_path):
    async def run() -> tuple[int, str]:
        server = FakeServer(then=STREAM_ERROR)
        port = await server.start()
        text = "\n".join(f"{k} = {v}" for k, v in {
            "host": f'"{LOOPBACK}"', "port": port, "jid": '"alice@localhost"', "password": f'"{ACCOUNTS["alice"]}"',
            "tls": '"plain"', "service": '"rayo.localhost"'}.items())
        (tmp_path / "t.toml").write_text(f'[xmpp]\n{text}\n[sip]\nserver = "{LOOPBACK}:5060"\ninbound_uri = "sip:{{user}}@{LOOPBACK}:5060"\n')
        assert load_target(tmp_path / "t.toml").port == port
        (tmp_path / "scenarios").mkdir()
        (tmp_path / "scenarios" / "one.yaml").write_text(CASE)
        done = await cli_run(tmp_path)
        await server.close()
        return done

    code, output = asyncio.run(run())
    assert code == UNREACHABLE, output
    assert ("the server under test cannot be used: the stream ended after the login, while the harness waited for the "
            "answer to disco#info sent to rayo.localhost: the server sent a stream error: system-shutdown "
            "(going down for maintenance)") in output
    assert "Traceback" not in output


CASE = """\
id: xep0327.test.one
title: one case, never run
section: "6.6.4"
requirements: [R-6.6.4-f]
dialects: [xep0327]
steps:
  - send to nobody@{service}: <hangup xmlns="urn:xmpp:rayo:1"/>
    expect: {error: item-not-found}
"""


async def cli_run(directory: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        CLI, "run", "-t", "t.toml", "--scenarios", "scenarios", "--report", "report", cwd=directory,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, output.decode()
