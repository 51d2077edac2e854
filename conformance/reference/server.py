"""The reference Rayo server assembled: SIP endpoint, Rayo core, XMPP listener.

The XMPP side has two modes: "embedded", its own c2s listener (as mod_rayo
has), and "prosody", the core as an XEP-0114 component behind a Prosody of
its own. The core is the same in both and cannot tell them apart.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from .core.dialects import dialect
from .core.rayo import RayoCore
from .faults import Faults
from .features import Without
from .sip.ua import SipEndpoint
from .variations import Variations
from .xmpp.c2s import C2SServer
from .xmpp.prosody_front import ProsodyFront

XMPP_MODES = ("embedded", "prosody")


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    xmpp_port: int = 0
    sip_port: int = 0
    client_domain: str = "localhost"
    service: str = "rayo.localhost"
    users: tuple[str, ...] = ("harness",)
    # Accounts some cases need: another security zone, and an XMPP account the
    # Rayo service does not know (it gets registration-required).
    other_user: str = "harness-other"
    unregistered_user: str = "stranger"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    faults: tuple[str, ...] = ()
    without: tuple[str, ...] = ()  # optional features left out (features.py), so the claims say so
    variations: tuple[str, ...] = ()  # legal choices other than the default (variations.py)
    dialect: str = "xep0327"
    xmpp_mode: str = "embedded"  # one of XMPP_MODES
    prosody_dir: Path | None = None  # prosody mode: Prosody's directory (default: a temporary one, removed at stop)


class ReferenceServer:
    def __init__(self, config: ServerConfig):
        self.config = config
        self.sip = SipEndpoint(config.host, config.sip_port, user_agent="rayo-conformance reference")  # RFC 3261 timers: T1 0.5 s
        self.core: RayoCore | None = None
        self.xmpp: C2SServer | ProsodyFront | None = None
        # Done, with the reason, if the server can no longer serve XMPP (the
        # component lost its stream); never in embedded mode.
        self.failed: asyncio.Future[str] | None = None

    async def start(self) -> None:
        config = self.config
        if config.xmpp_mode not in XMPP_MODES:
            raise ValueError(f"xmpp_mode must be one of {', '.join(XMPP_MODES)}, not {config.xmpp_mode!r}")
        self.failed = asyncio.get_running_loop().create_future()
        await self.sip.start()
        # The core and the listener need each other: the core sends through the
        # listener, the listener hands stanzas to the core.
        self.core = RayoCore(
            service=config.service,
            sip=self.sip,
            send=lambda s: self.xmpp.send(s),
            faults=Faults(config.faults),
            without=Without(config.without),
            registered=frozenset(config.users + (config.other_user,)),
            dialect=config.dialect,
            variations=Variations(config.variations, config.dialect),
        )
        self.xmpp = self._xmpp()
        await self.xmpp.start()

    def _xmpp(self) -> C2SServer | ProsodyFront:
        config = self.config
        accounts = {user: config.password for user in config.users + (config.other_user, config.unregistered_user)}
        if config.xmpp_mode == "prosody":
            return ProsodyFront(
                handler=self.core,
                accounts=accounts,
                client_domain=config.client_domain,
                service_domain=config.service,
                directory=config.prosody_dir,
                on_lost=self.failed.set_result,
                host=config.host,
            )
        return C2SServer(
            handler=self.core,
            accounts=accounts,
            client_domain=config.client_domain,
            service_domain=config.service,
            host=config.host,
            port=config.xmpp_port,
        )

    async def stop(self) -> None:
        if self.xmpp is not None:
            await self.xmpp.stop()
        await self.sip.stop()
        if self.core is not None:
            self.core.components.close()

    def target_toml(self, user: str = "harness") -> str:
        """A target file that points the harness at this server."""
        xmpp_host, xmpp_port = self.xmpp.address
        sip_host, sip_port = self.sip.address
        faults = ", ".join(self.config.faults) or "none"
        via = ", via Prosody" if self.config.xmpp_mode == "prosody" else ""
        without = "".join(f", without {name}" for name in self.config.without)
        variants = "".join(f", variant {name}" for name in self.config.variations)
        return (
            f'name = "reference ({self.config.dialect}{via}{without}{variants}, faults: {faults})"\n\n'
            "[xmpp]\n"
            f'host = "{xmpp_host}"\n'
            f"port = {xmpp_port}\n"
            f'jid = "{user}@{self.config.client_domain}"\n'
            f'password = "{self.config.password}"\n'
            'tls = "plain"\n'
            f'service = "{self.config.service}"\n\n'
            "[sip]\n"
            f'server = "{sip_host}:{sip_port}"\n'
            f'inbound_uri = "sip:{{user}}@{sip_host}:{sip_port}"\n\n'
            "[run]\n"
            f'dialect = "{self.config.dialect}"\n\n'
            + self._extra_accounts()
            + self.capabilities_toml()
            + "[provoke]  # dial targets the reference server refuses on purpose (docs/reference.md)\n"
            f'not-authorized = "sip:unauthorized@{sip_host}:{sip_port}"\n'
            f'resource-constraint = "sip:congested@{sip_host}:{sip_port}"\n'
        )

    def capabilities_toml(self) -> str:
        """The capability statement: what this server implements, in the target file's terms."""
        components = '["output", "input", "prompt", "record"]'
        if self.config.dialect == "seed":
            components = '["say"]  # the seed page\'s one component'
        return (
            "[capabilities]\n"
            f"components = {components}\n"
            'input-modes = ["dtmf", "cpa"]  # and "any", taken as dtmf: no speech recognizer; cpa: XEP-0341\n'
            'dtmf = ["info", "rfc4733"]\n'
            "mixers = true\n"
            "speaker-detection = true\n"
            'mixer-components = ["output", "input", "prompt"]  # record and cpa are refused on a mixer\n'
            f"outbound-calls = {self._claims('outbound-calls')}\n"
            f"multiple-joins = {self._claims('multiple-joins')}\n"
            f"messages-to-sip = {self._claims('messages-to-sip')}  # a normal message to an answered call goes to the far end as SIP MESSAGE\n"
            f"output-documents = {self._document_forms()}  # url: file: and http: of this host\n"
            f"builtin-grammars = {self._claims('builtin-grammars')}  # builtin:dtmf/digits\n\n"
        )

    def _claims(self, feature: str) -> str:
        return "false" if feature in self.config.without else "true"

    def _document_forms(self) -> str:
        return '["inline"]' if "output-document:url" in self.config.without else '["url", "inline"]'

    def _extra_accounts(self) -> str:
        text = ""
        for name, user in (("other", self.config.other_user), ("unregistered", self.config.unregistered_user)):
            text += f'[accounts.{name}]\njid = "{user}@{self.config.client_domain}"\npassword = "{self.config.password}"\n\n'
        return text

    def describe(self) -> str:
        xmpp_host, xmpp_port = self.xmpp.address
        sip_host, sip_port = self.sip.address
        all_users = self.config.users + (self.config.other_user, self.config.unregistered_user)
        users = ", ".join(f"{u}@{self.config.client_domain}" for u in all_users)
        xmpp = "PLAIN over plain TCP, then bind and session"
        if isinstance(self.xmpp, ProsodyFront):
            xmpp = (f"Prosody (pid {self.xmpp.prosody.process.pid}, in {self.xmpp.directory}), PLAIN over plain TCP;"
                    f" the Rayo core is its XEP-0114 component")
        lines = [
            f"rayo-conformance reference server ({self.config.dialect})",
            f"  XMPP (c2s)    {xmpp_host}:{xmpp_port}   {xmpp}",
            f"  accounts      {users}   password {self.config.password}",
            f"  Rayo service  {self.config.service}   (send <dial/> here; calls are {dialect(self.config.dialect).event_sender('<id>@' + self.config.service)})",
            f"  SIP (UDP)     {sip_host}:{sip_port}   an INVITE to sip:<user>@{sip_host}:{sip_port} is offered to <user>'s available resources",
        ]
        if self.config.without:
            lines.append(f"  without       {', '.join(self.config.without)}")
        if self.config.faults:
            lines.append(f"  faults        {', '.join(self.config.faults)}")
        if self.config.variations:
            lines.append(f"  variants      {', '.join(self.config.variations)}")
        return "\n".join(lines)
