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

    [harness]                        # optional
    address = "10.0.0.3"             # the harness's own address for SIP, RTP and documents
                                     # (default: the local address of the route to the SIP server)

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
    shared-disk = false              # the server reads the harness's files (file: URLs)
    output-documents = ["url", "inline"]
    builtin-grammars = false

See docs/target.md for every key.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterable

from .baseline import KnownFinding, KnownFindingError, parse_known_findings
from .protocol.jid import JID
from .protocol.namespaces import DIALECTS
from .tomlfile import TomlFile, TomlFileError
from .xmpp.client import PRESENCE_MODES, TLS_MODES, Account as Login
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
    "shared-disk": False,  # the server and the harness see the same files: file: URLs work both ways
    # How output cases hand the server a document: by <document url=…>, or inline (a WAV as SSML whose
    # <audio src> names it, a list as a text/uri-list body; mod_rayo takes inline SSML only).
    "output-documents": ("url", "inline"),
    "builtin-grammars": False,  # VoiceXML's builtin:dtmf/digits; the XEP requires only SRGS (R-6.5.4-b)
}
OUTPUT_DOCUMENT_FORMS = ("url", "inline")  # in the order a case prefers them
# A seed server without a statement: the page's one component, and no joins (the page has none).
SEED_DEFAULT_CLAIMS = {**DEFAULT_CLAIMS, "components": ("say",), "input-modes": (), "mixers": False, "mixer-components": ()}
# How each claim reads in a case's `needs`: component:output, input-mode:dtmf, dtmf:info, mixers, ...
CLAIM_PREFIX = {"components": "component", "mixer-components": "mixer-component", "input-modes": "input-mode", "dtmf": "dtmf",
                "output-documents": "output-document"}


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
    known_findings: tuple[KnownFinding, ...] = ()  # findings the baseline accepts in any case
    address: str | None = None  # the harness's own address; None: the route's to the SIP server
    silent_limit: int = 3  # cases in a row without a word from the server before the rest end (breaker.py)

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

    def output_document_form(self) -> str:
        """The form in which cases hand this server an audio file: the first it claims (url when it claims none)."""
        claimed = self.claims.get("output-documents", ())
        return next((form for form in OUTPUT_DOCUMENT_FORMS if form in claimed), "url")

    def unmet(self, needs: Iterable[str]) -> list[str]:
        """The needs of a case this target does not meet: something it does not offer, or, for
        "no <claim>" (a case about servers without it), a claim it makes."""
        offered = self.capabilities()
        return [need for need in needs if (need[3:] in offered if need.startswith("no ") else need not in offered)]

    def harness_address(self) -> str:
        """Where the harness's SIP, RTP and documents live, as the server must reach them: the
        target's [harness] address, or the local address of the route to the server's SIP address
        (a UDP connect sends nothing; it only picks the route)."""
        if self.address:
            return self.address
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(self.sip_server)
                return probe.getsockname()[0]
        except OSError as err:
            host, port = self.sip_server
            raise TargetError(f"no route to the server's SIP address {host}:{port} ({err.strerror or err}): "
                              "set the harness's own address in [harness] address") from None

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
            source=self.harness_address(),
        )

    def inbound(self, user: str | None = None) -> str:
        return self.inbound_uri.replace("{user}", user or self.user)

    def with_options(self, **changes: Any) -> "Target":
        return replace(self, **changes)


# The keys each table may have: any other is a mistake (a misspelt key would be ignored and its
# default used without a word). "accounts.*" is every [accounts.NAME] table.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("name", "xmpp", "sip", "harness", "run", "timeouts", "accounts", "provoke", "capabilities"),
    "xmpp": ("host", "port", "jid", "password", "password_env", "tls", "ca_file", "service", "presence", "max_stanza_size"),
    "sip": ("server", "inbound_uri"),
    "harness": ("address",),
    "run": ("dialect", "baseline", "silent_limit"),
    "timeouts": tuple(f.name for f in fields(Timeouts)),
    "capabilities": tuple(DEFAULT_CLAIMS),
    "accounts.*": ("jid", "password", "password_env"),
}


def load_target(path: str | Path) -> Target:
    """The target file, checked whole: a problem is a TargetError saying file:line and the key."""
    path = Path(path)
    try:
        return _load(TomlFile.read(path, "target file"))
    except TomlFileError as err:
        raise TargetError(str(err)) from None


def _load(file: TomlFile) -> Target:
    data = file.data
    file.check_keys("", data, KNOWN_KEYS[""])
    xmpp = file.table(data, "", "xmpp")
    sip = file.table(data, "", "sip")
    run = file.table(data, "", "run", required=False)
    for table, section in (("xmpp", xmpp), ("sip", sip), ("run", run)):
        file.check_keys(table, section, KNOWN_KEYS[table])
    tls = _choice(file, xmpp, "xmpp", "tls", TLS_MODES)
    presence = _choice(file, xmpp, "xmpp", "presence", PRESENCE_MODES)
    dialect = _choice(file, run, "run", "dialect", DIALECTS)
    jid = _jid(file, xmpp, "xmpp")
    return Target(
        name=file.value(data, "", "name", str, file.path.stem),
        host=file.value(xmpp, "xmpp", "host", str, required=True),
        port=_port(file, xmpp),
        jid=jid,
        password=_password(file, xmpp, "xmpp"),
        service=file.value(xmpp, "xmpp", "service", str, required=True),
        tls=tls,
        ca_file=file.value(xmpp, "xmpp", "ca_file", str),
        presence=presence,
        max_stanza_size=_stanza_size(file, xmpp),
        sip_server=_address(file, sip, "sip", "server"),
        inbound_uri=file.value(sip, "sip", "inbound_uri", str, required=True),
        dialect=dialect,
        timeouts=_timeouts(file, file.table(data, "", "timeouts", required=False)),
        accounts=_accounts(file, file.table(data, "", "accounts", required=False)),
        provoke=_provoke(file, file.table(data, "", "provoke", required=False)),
        claims=_claims(file, data, dialect),
        address=_harness_address(file, file.table(data, "", "harness", required=False)),
        **_baseline(file, run),
        silent_limit=_silent_limit(file, run),
    )


def _choice(file: TomlFile, section: dict, table: str, key: str, allowed: Iterable[str]) -> str:
    """One of the allowed values; the first is the default."""
    allowed = tuple(allowed)
    value = file.value(section, table, key, str, allowed[0])
    if value not in allowed:
        raise file.error(table, key, f"must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}")
    return value


def _jid(file: TomlFile, section: dict, table: str) -> str:
    jid = file.value(section, table, "jid", str, required=True)
    try:
        JID.parse(jid)
    except ValueError:
        raise file.error(table, "jid", f"{jid!r} is not a JID") from None
    return jid


def _port(file: TomlFile, xmpp: dict) -> int:
    port = file.value(xmpp, "xmpp", "port", int, required=True)
    if not 0 < port < 65536:
        raise file.error("xmpp", "port", f"{port} is not a TCP port")
    return port


def _stanza_size(file: TomlFile, xmpp: dict) -> int:
    size = xmpp.get("max_stanza_size", DEFAULT_MAX_STANZA)
    if not isinstance(size, int) or isinstance(size, bool) or size not in STANZA_SIZES:
        raise file.error("xmpp", "max_stanza_size", f"must be a number of bytes from {STANZA_SIZES.start} to {STANZA_SIZES.stop - 1}, not {size!r}")
    return size


def _address(file: TomlFile, section: dict, table: str, key: str) -> tuple[str, int]:
    text = file.value(section, table, key, str, required=True)
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise file.error(table, key, f"{text!r} is not host:port")
    return host, int(port)


def _password(file: TomlFile, section: dict, table: str) -> str:
    if "password" in section:
        return file.value(section, table, "password", str)
    name = file.value(section, table, "password_env", str)
    if not name:
        raise file.error(table, None, "give 'password' or 'password_env' (the name of an environment variable)")
    if name not in os.environ:
        raise file.error(table, "password_env", f"the environment variable {name} is not set")
    return os.environ[name]


def _timeouts(file: TomlFile, section: dict) -> Timeouts:
    file.check_keys("timeouts", section, KNOWN_KEYS["timeouts"])
    for key, value in section.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise file.error("timeouts", key, f"must be a positive number of seconds, not {value!r}")
    return Timeouts(**{k: float(v) for k, v in section.items()})


def _harness_address(file: TomlFile, section: dict) -> str | None:
    file.check_keys("harness", section, KNOWN_KEYS["harness"])
    address = file.value(section, "harness", "address", str)
    if address is not None:
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            raise file.error("harness", "address", f"{address!r} is not an IPv4 address (SIPp binds one)") from None
    return address


def _claims(file: TomlFile, data: dict, dialect: str) -> dict[str, Any]:
    if "capabilities" not in data:
        return dict(SEED_DEFAULT_CLAIMS if dialect == "seed" else DEFAULT_CLAIMS)
    section = file.table(data, "", "capabilities")
    file.check_keys("capabilities", section, KNOWN_KEYS["capabilities"])
    claims: dict[str, Any] = {}
    for key, default in DEFAULT_CLAIMS.items():
        if isinstance(default, tuple):
            value = file.value(section, "capabilities", key, list, [])
            if not all(isinstance(v, str) for v in value):
                raise file.error("capabilities", key, "must be a list of names")
            if key == "output-documents" and set(value) - set(OUTPUT_DOCUMENT_FORMS):
                raise file.error("capabilities", key, f"takes only the forms {', '.join(OUTPUT_DOCUMENT_FORMS)}")
            claims[key] = tuple(value)
        else:
            claims[key] = file.value(section, "capabilities", key, bool, False)
    return claims


def _silent_limit(file: TomlFile, run: dict) -> int:
    limit = file.value(run, "run", "silent_limit", int, Target.silent_limit)
    if limit < 0:
        raise file.error("run", "silent_limit", f"must be a number of cases (0: never stop early), not {limit}")
    return limit


def _baseline(file: TomlFile, run: dict) -> dict[str, Any]:
    """Known failures and known findings, from the file [run] baseline names (relative to the target file)."""
    name = file.value(run, "run", "baseline", str)
    if name is None:
        return {}
    baseline = TomlFile.read(file.path.parent / name, "baseline")
    known = baseline.value(baseline.data, "", "known-failures", dict, {})
    if not all(isinstance(v, str) for v in known.values()):
        raise baseline.error("known-failures", None, 'maps case ids to the reason, e.g. "xep0327.inbound.reject-busy" = "ticket 12"')
    try:
        findings = parse_known_findings(baseline.value(baseline.data, "", "known-findings", dict, {}))
    except KnownFindingError as err:
        raise baseline.error("known-findings", err.requirement, err.problem) from None
    return {"baseline": dict(known), "known_findings": findings}


def _accounts(file: TomlFile, section: dict) -> dict[str, Account]:
    accounts = {}
    for name in section:
        table = f"accounts.{name}"
        entry = file.table(section, "accounts", name)
        file.check_keys(table, entry, KNOWN_KEYS["accounts.*"])
        accounts[name] = Account(_jid(file, entry, table), _password(file, entry, table))
    return accounts


def _provoke(file: TomlFile, section: dict) -> dict[str, str]:
    return {name: file.value(section, "provoke", name, str) for name in section}
