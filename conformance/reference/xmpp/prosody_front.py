"""The reference server's XMPP side in prosody mode: Prosody in front, the core as its component.

A Prosody of its own (reference/prosody.py: loopback only, allocated ports,
a directory of its own) serves the clients on its c2s port; the accounts are
registered in it, and the Rayo core is its XEP-0114 component for the
service domain. It has the face of C2SServer (start, stop, send, address),
so the server assembles either the same way.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from lxml import etree

from conformance.ports import LOOPBACK

from ..prosody import Prosody
from .component import Component
from .interface import StanzaHandler


class ProsodyFront:
    def __init__(
        self,
        *,
        handler: StanzaHandler,
        accounts: dict[str, str],
        client_domain: str = "localhost",
        service_domain: str = "rayo.localhost",
        directory: Path | None = None,
        on_lost: Callable[[str], None] | None = None,
        host: str = LOOPBACK,
    ):
        self._handler = handler
        self._accounts = dict(accounts)
        self._on_lost = on_lost
        self._temporary = directory is None  # ours to remove at stop
        self.directory = directory or Path(tempfile.mkdtemp(prefix="rayo-prosody-"))
        self.prosody = Prosody(self.directory, domain=client_domain, component=service_domain, host=host)
        self.component: Component | None = None
        self.address: tuple[str, int] = (host, 0)  # Prosody's c2s port once started

    async def start(self) -> None:
        """Start Prosody, register the accounts, connect the component; ProsodyError or
        ComponentError if any of it fails, and then nothing is left running."""
        # Prosody.start and register block briefly (about 0.2 s, bounded). They
        # run in the loop's own thread on purpose: Prosody is killed with the
        # thread that started it, and this one lives as long as the server.
        self.prosody.start()
        try:
            for user, password in self._accounts.items():
                self.prosody.register(user, password)
            self.component = Component(
                handler=self._handler,
                domain=self.prosody.component,
                secret=self.prosody.component_secret,
                port=self.prosody.component_port,
                on_lost=self._on_lost,
            )
            await self.component.connect()
        except BaseException:
            self._stop_prosody()
            raise
        self.address = (self.prosody.host, self.prosody.c2s_port)

    async def stop(self) -> None:
        """Close the component's stream, then stop Prosody by its PID."""
        if self.component is not None:
            await self.component.close()
        self._stop_prosody()

    def send(self, stanza: etree._Element | str) -> None:
        assert self.component is not None, "the core sends only once the server has started"
        self.component.send(stanza)

    def _stop_prosody(self) -> None:
        self.prosody.stop()
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)
