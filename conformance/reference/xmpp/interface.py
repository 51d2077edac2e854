"""The seam between the Rayo core and whatever carries its stanzas.

The core sees stanzas in and out, addressed by JIDs, and nothing else: it
cannot tell whether it runs behind the embedded c2s listener or as an
XEP-0114 component behind a real XMPP server.
"""

from __future__ import annotations

from typing import Protocol

from lxml import etree


class StanzaHandler(Protocol):
    def receive(self, stanza: etree._Element) -> None:
        """A stanza for the service domain, `from` stamped, in jabber:client."""


class StanzaSender(Protocol):
    def send(self, stanza: etree._Element | str) -> None:
        """Send to a client JID; a str is raw text written as is (for deliberate faults)."""
