"""The structured header values a UA reads: name-addr (From, To, Contact,
Route), SIP URIs and Via entries. IPv4 addresses and host names only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .message import SipParseError

_URI = re.compile(r"(?P<scheme>sips?):(?:(?P<user>[^@;?]*)@)?(?P<host>[^:;?]+)(?::(?P<port>\d+))?(?P<rest>.*)")
_VIA = re.compile(r"SIP\s*/\s*2\.0\s*/\s*(?P<transport>[A-Za-z]+)\s+(?P<host>[^:;\s]+)(?::(?P<port>\d+))?(?P<params>.*)")


def parse_params(text: str) -> dict[str, str | None]:
    """`;a=1;b` -> {"a": "1", "b": None}. Names are lower-cased."""
    params: dict[str, str | None] = {}
    for item in text.split(";"):
        name, equals, value = item.strip().partition("=")
        if name:
            params[name.lower()] = value.strip() if equals else None
    return params


def format_params(params: dict[str, str | None]) -> str:
    return "".join(f";{name}" if value is None else f";{name}={value}" for name, value in params.items())


@dataclass
class SipUri:
    scheme: str
    user: str | None
    host: str
    port: int | None
    rest: str = ""  # ;uri-params?headers, kept verbatim

    @classmethod
    def parse(cls, text: str) -> SipUri:
        match = _URI.fullmatch(text.strip())
        if not match:
            raise SipParseError(f"not a SIP URI: {text!r}")
        port = match.group("port")
        return cls(match.group("scheme"), match.group("user"), match.group("host"), int(port) if port else None, match.group("rest"))

    @property
    def hostport(self) -> tuple[str, int]:
        """Where to send a request for this URI (no DNS: we only meet IP addresses)."""
        return self.host, self.port or 5060

    @property
    def loose_routing(self) -> bool:
        return "lr" in parse_params(self.rest.split("?")[0])


@dataclass
class NameAddr:
    """`"Display" <uri>;params` or `uri;params` (then the params are the header's)."""

    uri: str
    display: str = ""
    params: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        text = text.strip()
        if "<" in text:
            display, _, rest = text.partition("<")
            uri, closed, params = rest.partition(">")
            if not closed:
                raise SipParseError(f"unclosed <: {text!r}")
            return cls(uri.strip(), display.strip().strip('"'), parse_params(params))
        uri, _, params = text.partition(";")
        return cls(uri.strip(), "", parse_params(params))

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")

    def with_tag(self, tag: str) -> NameAddr:
        return NameAddr(self.uri, self.display, {**self.params, "tag": tag})

    def __str__(self) -> str:
        display = f'"{self.display}" ' if self.display else ""
        return f"{display}<{self.uri}>{format_params(self.params)}"


@dataclass
class Via:
    transport: str
    host: str
    port: int | None
    params: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Via:
        match = _VIA.fullmatch(text.strip())
        if not match:
            raise SipParseError(f"bad Via: {text!r}")
        port = match.group("port")
        return cls(match.group("transport").upper(), match.group("host"), int(port) if port else None, parse_params(match.group("params")))

    @property
    def branch(self) -> str:
        return self.params.get("branch") or ""

    @property
    def sent_by(self) -> str:
        return f"{self.host}:{self.port or 5060}"

    def __str__(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"SIP/2.0/{self.transport} {self.host}{port}{format_params(self.params)}"


def tag_of(value: str | None) -> str | None:
    """The tag parameter of a From/To value."""
    return NameAddr.parse(value).tag if value else None
