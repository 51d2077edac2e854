"""The harness's XMPP client (slixmpp for the login, every stanza kept raw)."""

from .client import Account, ConnectError, HarnessClient, NotConnected

__all__ = ["Account", "ConnectError", "HarnessClient", "NotConnected"]
