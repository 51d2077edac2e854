"""Before any case: can the harness reach the server, and what does it say it is?

One login, disco#info and a software version query (XEP-0092) to the Rayo
service. A server that cannot be reached, refuses the login or never answers
stops the run here, with one clear sentence, within the connect timeout: the
sentence says what happened (TLS refused, a stream error with its condition
and text, malformed XML, the connection closed, no such service). What
the server advertises is compared with the target's capability statement;
every difference is a note in the report.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from lxml import etree

from .protocol import namespaces as ns
from .protocol.stanza import Stanza, build, new_id
from .target import CLAIM_PREFIX, Target
from .transcript import Transcript
from .xmpp import ConnectError, HarnessClient

VERSION = "jabber:iq:version"


class TargetUnreachable(Exception):
    """The run cannot start: the message says why, in a sentence."""


@dataclass(frozen=True)
class ServerInfo:
    software: str  # "name version (os)" from XEP-0092, or "" when it does not say
    features: tuple[str, ...]  # disco#info features of the Rayo service
    notes: tuple[str, ...]  # differences between the capability statement and the features

    def identity(self) -> str:
        return self.software or "the server does not say what it is (no XEP-0092 answer)"


class _Queries:
    """Sends iqs and matches their answers by id; a stream that ends while one waits says why."""

    def __init__(self) -> None:
        self.pending: dict[str, asyncio.Future[Stanza]] = {}
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def receive(self, stanza: Stanza) -> None:
        future = self.pending.pop(stanza.id, None)
        if future is not None and not future.done():
            future.set_result(stanza)

    def end(self, reason: str) -> None:
        if not self.ended.done():
            self.ended.set_result(reason)

    async def ask(self, client: HarnessClient, to: str, namespace: str, timeout: float, element: str = "query") -> Stanza | None:
        """The answer to a get of <element xmlns=namespace/>, or None after the timeout."""
        iq_id = new_id("preflight-")
        answer = self.pending[iq_id] = asyncio.get_running_loop().create_future()
        if not self.ended.done():  # the stream may have ended right after the login
            client.send(build("iq", to=to, type="get", id=iq_id, children=[etree.Element(ns.qname(namespace, element), nsmap={None: namespace})]))
            await asyncio.wait((answer, self.ended), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if answer.done():
            return answer.result()
        if self.ended.done():
            what = "disco#info" if namespace == ns.DISCO_INFO else element
            raise TargetUnreachable(f"the stream ended after the login, while the harness waited for the answer to {what} "
                                    f"sent to {to}: {self.ended.result()}")
        return None


async def preflight(target: Target) -> ServerInfo:
    queries = _Queries()
    account = target.login(f"preflight-{new_id()}", presence="none")
    client = HarnessClient("preflight", account, Transcript(), queries.receive, queries.end)
    try:
        await client.connect(target.timeouts["connect"])
    except ConnectError as err:
        raise TargetUnreachable(f"cannot log in to {target.host}:{target.port} as {account.jid.split('/')[0]}: {err}{_tls_hint(target, str(err))}") from None
    try:
        disco = await queries.ask(client, target.service, ns.DISCO_INFO, target.timeouts["iq"])
        if disco is None:
            raise TargetUnreachable(
                f"the Rayo service {target.service} did not answer disco#info within {target.timeouts['iq']:.0f} s: "
                "is 'service' in the target file right?"
            )
        if disco.type == "error":
            await _check_service_exists(client, queries, target, disco)
        version = await queries.ask(client, target.service, VERSION, target.timeouts["iq"])
    finally:
        await client.close(target.timeouts["iq"])
    features = tuple(f.get("var", "") for f in disco.element.iter(ns.qname(ns.DISCO_INFO, "feature")))
    return ServerInfo(_software(version), features, tuple(compare(target, features)))


async def _check_service_exists(client: HarnessClient, queries: _Queries, target: Target, disco: Stanza) -> None:
    """disco#info got an error: a service that lacks disco#info still answers a ping (XEP-0199); an
    address that reaches nothing (remote-server-not-found, an unconnected component) refuses both."""
    ping = await queries.ask(client, target.service, ns.PING, target.timeouts["iq"], element="ping")
    if ping is not None and ping.type == "result":
        return  # the service is there; its disco#info error is for the cases to judge (R-8-a)
    pinged = f"a ping got {_condition(ping)}" if ping is not None else "a ping got no answer"
    raise TargetUnreachable(
        f"no Rayo service answers at {target.service}: disco#info got {_condition(disco)} and {pinged}; "
        "is 'service' in the target file right?"
    )


def _condition(stanza: Stanza) -> str:
    error = stanza.error()
    text = stanza.element.findtext(f"{{{ns.CLIENT}}}error/{{{ns.STANZAS}}}text")
    condition = error[0] if error and error[0] else "an error"
    return f"{condition} ({text})" if text else condition


def _tls_hint(target: Target, reason: str) -> str:
    """Lab servers often have no TLS (mod_rayo without a certificate) or a self-signed
    certificate: say what to change in the target file."""
    if target.tls == "starttls" and "STARTTLS" in reason:
        return "; for a server without TLS, set tls = \"plain\" in [xmpp]"
    if "certificate verification failed" in reason and not target.ca_file:
        return "; for a certificate no public CA signed, give its CA in [xmpp] ca_file"
    return ""


def _software(version: Stanza | None) -> str:
    if version is None or version.type != "result":
        return ""
    text = {local: version.element.findtext(f".//{{{VERSION}}}{local}") or "" for local in ("name", "version", "os")}
    return " ".join(filter(None, (text["name"], text["version"], f"({text['os']})" if text["os"] else "")))


def compare(target: Target, features: tuple[str, ...]) -> list[str]:
    """Where the capability statement and disco#info disagree (notes, not findings)."""
    notes = []
    if ns.RAYO not in features:
        notes.append(f"disco#info of {target.service} does not list {ns.RAYO}")
    claimed = set(target.claims.get("components", ()))
    if "cpa" in target.claims.get("input-modes", ()):
        claimed.add("cpa")  # XEP-0341 rides on the input component
    for component in sorted(claimed):
        feature = f"urn:xmpp:rayo:{component}:1"
        if feature not in features:
            notes.append(f"the statement claims {component}; disco#info does not list {feature}")
    for feature in features:
        parts = feature.split(":")
        if len(parts) == 5 and feature.startswith("urn:xmpp:rayo:") and parts[4] == "1" and parts[3] not in claimed | _NOT_COMPONENTS:
            notes.append(f"disco#info lists {feature}; the statement does not claim it ({CLAIM_PREFIX['components']}:{parts[3]})")
    return notes


# urn:xmpp:rayo:<x>:1 names that are not components: caps nodes and the component core.
_NOT_COMPONENTS = {"client", "call", "mixer", "ext"}
