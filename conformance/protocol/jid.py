"""JIDs and the xmpp: URIs Rayo carries them in (RFC 5122)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JID:
    local: str
    domain: str
    resource: str = ""

    @classmethod
    def parse(cls, text: str) -> "JID":
        text = strip_xmpp_uri(text)
        bare, _, resource = text.partition("/")
        local, at, domain = bare.rpartition("@")
        if not at:
            local, domain = "", bare
        if not domain:
            raise ValueError(f"not a JID: {text!r}")
        return cls(local, domain.lower(), resource)

    @property
    def bare(self) -> str:
        return f"{self.local}@{self.domain}" if self.local else self.domain

    def __str__(self) -> str:
        return f"{self.bare}/{self.resource}" if self.resource else self.bare


def strip_xmpp_uri(text: str) -> str:
    """'xmpp:call@rayo.example' -> 'call@rayo.example'; a plain JID is returned as is."""
    return text[len("xmpp:"):] if text.startswith("xmpp:") else text


def bare(text: str) -> str:
    return JID.parse(text).bare
