"""The embedded c2s listener: the reference server's XMPP face, like mod_rayo's."""

from __future__ import annotations

import asyncio
import ssl

from lxml import etree

from conformance.ports import LOOPBACK

from .interface import StanzaHandler
from .routing import Router
from .session import Session, Settings


class C2SServer:
    """Accepts XMPP clients and routes between them and the Rayo core.

    Implements StanzaSender: the core calls send() for stanzas to clients.
    """

    def __init__(
        self,
        *,
        handler: StanzaHandler,
        accounts: dict[str, str],
        client_domain: str = "localhost",
        service_domain: str = "rayo.localhost",
        host: str = LOOPBACK,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        require_tls: bool = False,
        session_required: bool = True,
    ):
        if require_tls and tls is None:
            raise ValueError("require_tls needs a TLS context")
        client_domain, service_domain = client_domain.lower(), service_domain.lower()
        if client_domain == service_domain:
            raise ValueError("the client domain and the Rayo service domain must differ")
        self._settings = Settings(dict(accounts), client_domain, tls, require_tls, session_required)
        self._router = Router(client_domain, service_domain, handler)
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._sessions: dict[asyncio.Task[None], Session] = {}
        self.address: tuple[str, int] = (host, port)  # the bound port once started

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self._host, self._port)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = (host, port)

    async def stop(self) -> None:
        """Stop listening and close every stream cleanly."""
        if self._server is None:
            return
        self._server.close()
        for session in list(self._sessions.values()):
            session.close()
        # Bounded: each session ends when its peer closes, or at its abort timer.
        if self._sessions:
            await asyncio.wait(list(self._sessions))
        await self._server.wait_closed()
        self._server = None

    def send(self, stanza: etree._Element | str) -> None:
        self._router.from_core(stanza)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(reader, writer, self._settings, self._router)
        task = asyncio.current_task()
        assert task is not None  # start_server runs each connection in its own task
        self._sessions[task] = session
        try:
            await session.run()
        finally:
            del self._sessions[task]
