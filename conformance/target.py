"""The server under test, as described by a target file (TOML).

    [xmpp]
    host = "127.0.0.1"
    port = 5222
    jid = "harness@localhost"
    password_env = "RAYO_PASSWORD"   # or: password = "..."
    tls = "starttls"                 # or "plain": PLAIN over an unencrypted stream
    service = "rayo.localhost"       # the Rayo service domain (where dial goes)
    max_stanza_size = 1048576        # bytes; a longer stanza from the server ends its stream

    [sip]
    server = "127.0.0.1:5060"        # where SIPp sends its INVITEs and responses
    inbound_uri = "sip:{user}@127.0.0.1:5060"   # reaches Rayo; {user} is the jid's local part

    [run]
    dialect = "xep0327"

    [timeouts]                       # seconds; scale multiplies them all
    scale = 1.0

    [accounts.other]                 # optional: more accounts some cases need
    jid = "other@localhost"          # (other: a second security zone; unregistered:
    password_env = "RAYO_OTHER"      # an account the server does not let use Rayo)

    [provoke]                        # optional: dial targets that provoke errors
    not-authorized = "sip:premium@10.0.0.5"

    [capabilities]                   # what the server claims; cases needing more are not applicable
    components = ["output", "input", "prompt", "record"]
    input-modes = ["dtmf"]
    dtmf = ["info", "rfc4733"]
    mixers = true
    outbound-calls = true
    speaker-detection = true
    mixer-components = ["output", "input"]
    multiple-joins = true
    messages-to-sip = true

See docs/target.md for every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterable

from .protocol.jid import JID
from .protocol.namespaces import DIALECTS
from .xmpp.client import Account as Login
from .xmpp.splitter import DEFAULT_MAX_STANZA


# What a server claims when its target file says nothing: the core of XEP-0327.
DEFAULT_CLAIMS = {
    "components": ("output", "input", "prompt", "record"),
    "input-modes": ("dtmf",),
    "dtmf": ("info", "rfc4733"),
    "mixers": True,
    "outbound-calls": True,
    "speaker-detection": False,  # started/stopped-speaking from mixers: optional (R-6.4-l)
    "mixer-components": ("output", "input"),  # components started on a mixer (a SHOULD: R-6.4-k)
    "multiple-joins": True,  # a call joined to several calls or mixers at once (mod_rayo allows one: R-6.3.4-f)
    "messages-to-sip": False,  # a normal message to a call goes to the caller as SIP MESSAGE: a MAY (R-6.8.1-a)
}
# A seed server without a statement: the page's one component, and no joins (the page has none).
SEED_DEFAULT_CLAIMS = {**DEFAULT_CLAIMS, "components": ("say",), "input-modes": (), "mixers": False, "mixer-components": ()}
# How each claim reads in a case's `needs`: component:output, input-mode:dtmf, dtmf:info, mixers, ...
CLAIM_PREFIX = {"components": "component", "mixer-components": "mixer-component", "input-modes": "input-mode", "dtmf": "dtmf"}


# RFC 6120 §13.12: no deployed server may refuse a stanza under 10,000 bytes. Above
# 10,000,000 the XML parser's own limit on a text node would speak instead of this one.
STANZA_SIZES = range(10_000, 10_000_001)


class TargetError(Exception):
    """The target file is missing, unreadable or wrong; the message says which key."""


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0  # TCP connect through session start
    iq: float = 5.0  # a command's iq result or error
    event: float = 5.0  # an XMPP event (presence) the case expects
    sip: float = 5.0  # a SIP message the case expects (call setup, responses)
    quiet: float = 0.3  # the default quiet window where only time can prove silence
    scale: float = 1.0  # multiplies every timeout: slow servers, loaded machines

    def __getitem__(self, kind: str) -> float:
        return getattr(self, kind) * self.scale


@dataclass(frozen=True)
class Account:
    jid: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int
    jid: str
    password: str = field(repr=False)
    service: str
    sip_server: tuple[str, int]
    inbound_uri: str
    tls: str = "starttls"
    ca_file: str | None = None
    presence: str = "directed-chat"
    max_stanza_size: int = DEFAULT_MAX_STANZA
    dialect: str = "xep0327"
    timeouts: Timeouts = Timeouts()
    accounts: dict[str, Account] = field(default_factory=dict)  # besides the main one
    provoke: dict[str, str] = field(default_factory=dict)  # situation -> dial target that provokes it
    claims: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))  # the capability statement
    baseline: dict[str, str] = field(default_factory=dict)  # case id -> why it is a known failure

    @property
    def user(self) -> str:
        return JID.parse(self.jid).local

    def capabilities(self) -> set[str]:
        """What cases may need: account:<name>, provoke:<situation>, and the claims
        (component:output, input-mode:dtmf, dtmf:info, mixers, outbound-calls)."""
        offered = {f"account:{name}" for name in self.accounts} | {f"provoke:{name}" for name in self.provoke}
        for key, value in self.claims.items():
            if key in CLAIM_PREFIX:
                offered |= {f"{CLAIM_PREFIX[key]}:{item}" for item in value}
            elif value:
                offered.add(key)
        return offered

    def unmet(self, needs: Iterable[str]) -> list[str]:
        """The needs of a case this target does not meet: something it does not offer, or, for
        "no <claim>" (a case about servers without it), a claim it makes."""
        offered = self.capabilities()
        return [need for need in needs if (need[3:] in offered if need.startswith("no ") else need not in offered)]

    def account(self, name: str) -> Account:
        return Account(self.jid, self.password) if name == "main" else self.accounts[name]

    def login(self, resource: str, account: str = "main", presence: str | None = None) -> Login:
        """How the harness logs in to this server as one of its accounts, with this resource."""
        chosen = self.account(account)
        return Login(
            jid=f"{chosen.jid.split('/')[0]}/{resource}",
            password=chosen.password,
            host=self.host,
            port=self.port,
            tls=self.tls,
            ca_file=self.ca_file,
            service=self.service,
            presence=presence or self.presence,
            max_stanza_size=self.max_stanza_size,
        )

    def inbound(self, user: str | None = None) -> str:
        return self.inbound_uri.replace("{user}", user or self.user)

    def with_options(self, **changes: Any) -> "Target":
        return replace(self, **changes)


def _require(section: dict, key: str, where: str, kind: type) -> Any:
    if key not in section:
        raise TargetError(f"{where}: missing key {key!r}")
    value = section[key]
    if not isinstance(value, kind):
        raise TargetError(f"{where}: {key!r} must be a {kind.__name__}, not {value!r}")
    return value


def _address(text: str, where: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise TargetError(f"{where}: {text!r} is not host:port")
    return host, int(port)


def _stanza_size(xmpp: dict, where: str) -> int:
    size = xmpp.get("max_stanza_size", DEFAULT_MAX_STANZA)
    if not isinstance(size, int) or isinstance(size, bool) or size not in STANZA_SIZES:
        raise TargetError(f"{where}: max_stanza_size must be a number of bytes from {STANZA_SIZES.start} "
                          f"to {STANZA_SIZES.stop - 1}, not {size!r}")
    return size


def _password(xmpp: dict, where: str) -> str:
    if "password" in xmpp:
        return str(xmpp["password"])
    name = xmpp.get("password_env")
    if not name:
        raise TargetError(f"{where}: give 'password' or 'password_env' (the name of an environment variable)")
    if name not in os.environ:
        raise TargetError(f"{where}: the environment variable {name} (password_env) is not set")
    return os.environ[name]


def _timeouts(section: dict, file: str) -> Timeouts:
    known = {f.name for f in fields(Timeouts)}
    unknown = set(section) - known
    if unknown:
        raise TargetError(f"{file}: [timeouts] has unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    for key, value in section.items():
        if not isinstance(value, (int, float)) or value <= 0:
            raise TargetError(f"{file}: [timeouts] {key} must be a positive number of seconds")
    return Timeouts(**{k: float(v) for k, v in section.items()})


def load_target(path: str | Path) -> Target:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TargetError(f"cannot read the target file {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise TargetError(f"{path}: not valid TOML: {err}") from None
    file = str(path)
    xmpp = _require(data, "xmpp", file, dict)
    sip = _require(data, "sip", file, dict)
    run = data.get("run", {})
    where = f"{file} [xmpp]"
    tls = xmpp.get("tls", "starttls")
    if tls not in ("starttls", "plain"):
        raise TargetError(f"{where}: tls must be 'starttls' or 'plain', not {tls!r}")
    dialect = run.get("dialect", "xep0327")
    if dialect not in DIALECTS:
        raise TargetError(f"{file} [run]: dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    jid = _require(xmpp, "jid", where, str)
    try:
        JID.parse(jid)
    except ValueError:
        raise TargetError(f"{where}: jid {jid!r} is not a JID") from None
    return Target(
        name=str(data.get("name", path.stem)),
        host=_require(xmpp, "host", where, str),
        port=_require(xmpp, "port", where, int),
        jid=jid,
        password=_password(xmpp, where),
        service=_require(xmpp, "service", where, str),
        tls=tls,
        ca_file=xmpp.get("ca_file"),
        presence=xmpp.get("presence", "directed-chat"),
        max_stanza_size=_stanza_size(xmpp, where),
        sip_server=_address(_require(sip, "server", f"{file} [sip]", str), f"{file} [sip]"),
        inbound_uri=_require(sip, "inbound_uri", f"{file} [sip]", str),
        dialect=dialect,
        timeouts=_timeouts(data.get("timeouts", {}), file),
        accounts=_accounts(data.get("accounts", {}), file),
        provoke=_provoke(data.get("provoke", {}), file),
        claims=_claims(data.get("capabilities"), file, dialect),
        baseline=_baseline(run.get("baseline"), path),
    )


def _claims(section: dict | None, file: str, dialect: str) -> dict[str, Any]:
    if section is None:
        return dict(SEED_DEFAULT_CLAIMS if dialect == "seed" else DEFAULT_CLAIMS)
    unknown = set(section) - set(DEFAULT_CLAIMS)
    if unknown:
        raise TargetError(f"{file} [capabilities]: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_CLAIMS)}")
    claims: dict[str, Any] = {}
    for key, default in DEFAULT_CLAIMS.items():
        value = section.get(key, type(default)() if isinstance(default, tuple) else False)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TargetError(f"{file} [capabilities]: {key} must be a list of names")
            value = tuple(value)
        elif not isinstance(value, bool):
            raise TargetError(f"{file} [capabilities]: {key} must be true or false")
        claims[key] = value
    return claims


def _baseline(name: str | None, target_file: Path) -> dict[str, str]:
    """Known failures, from the file [run] baseline names (relative to the target file)."""
    if name is None:
        return {}
    path = target_file.parent / name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TargetError(f"{target_file} [run]: cannot read the baseline {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise TargetError(f"{path}: not valid TOML: {err}") from None
    known = data.get("known-failures", {})
    if not isinstance(known, dict) or not all(isinstance(v, str) for v in known.values()):
        raise TargetError(f'{path}: [known-failures] maps case ids to the reason, e.g. "xep0327.inbound.reject-busy" = "ticket 12"')
    return dict(known)


def _accounts(section: dict, file: str) -> dict[str, Account]:
    accounts = {}
    for name, entry in section.items():
        where = f"{file} [accounts.{name}]"
        if not isinstance(entry, dict):
            raise TargetError(f"{where}: must be a table with jid and password (or password_env)")
        accounts[name] = Account(_require(entry, "jid", where, str), _password(entry, where))
    return accounts


def _provoke(section: dict, file: str) -> dict[str, str]:
    for name, value in section.items():
        if not isinstance(value, str):
            raise TargetError(f"{file} [provoke]: {name} must be a dial target (a string), not {value!r}")
    return dict(section)
