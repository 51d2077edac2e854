"""SIP messages (RFC 3261 section 7): parse and serialize, keeping the wire form.

Headers stay a list of (name, value) in wire order, with names spelled as
received, so the Rayo core can report every header of an INVITE, repeats
included, and the server can send exactly what it is told to, deliberately
odd messages included. Lookups are case-insensitive and understand the
compact forms (`i` for Call-ID, `v` for Via, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SIP_VERSION = "SIP/2.0"

# Compact header forms (RFC 3261 section 7.3.3 and later RFCs), by long name.
_COMPACT = {
    "i": "call-id",
    "m": "contact",
    "e": "content-encoding",
    "l": "content-length",
    "c": "content-type",
    "f": "from",
    "s": "subject",
    "k": "supported",
    "t": "to",
    "v": "via",
    "o": "event",
    "r": "refer-to",
    "b": "referred-by",
    "u": "allow-events",
    "x": "session-expires",
}

REASONS = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    600: "Busy Everywhere",
    603: "Decline",
    604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}

_STATUS_LINE = re.compile(r"SIP/2\.0 (\d{3}) ?(.*)")
_REQUEST_LINE = re.compile(r"([A-Za-z]+) (\S+) SIP/2\.0")


class SipParseError(ValueError):
    """Bytes that are not a SIP message."""


def canonical(name: str) -> str:
    """The lower-case long form of a header name, for comparisons."""
    lowered = name.strip().lower()
    return _COMPACT.get(lowered, lowered)


def reason_for(code: int) -> str:
    return REASONS.get(code, {1: "Progress", 2: "OK", 3: "Redirect", 4: "Rejected"}.get(code // 100, "Failure"))


def split_list(value: str) -> list[str]:
    """Split a comma-separated header value, ignoring commas in quotes or <...>."""
    parts, current, quoted, angled = [], [], False, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        elif char == "," and not quoted and not angled:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


@dataclass
class SipMessage:
    """A request (method, uri) or a response (status, reason), headers, body."""

    method: str = ""
    uri: str = ""
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def request(cls, method: str, uri: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> SipMessage:
        return cls(method=method, uri=uri, headers=list(headers), body=body)

    @classmethod
    def response(cls, status: int, reason: str | None = None, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> SipMessage:
        return cls(status=status, reason=reason or reason_for(status), headers=list(headers), body=body)

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    # -- headers -----------------------------------------------------------

    def get(self, name: str) -> str | None:
        """The first value of a header, or None."""
        wanted = canonical(name)
        return next((value for key, value in self.headers if canonical(key) == wanted), None)

    def get_all(self, name: str) -> list[str]:
        """Every value of a header: each line, each comma-separated entry, in order.

        Only for headers defined as comma-separated lists (Via, Route, ...);
        use `lines` for the rest.
        """
        return [part for value in self.lines(name) for part in split_list(value)]

    def lines(self, name: str) -> list[str]:
        """The value of every line of a header, as received."""
        wanted = canonical(name)
        return [value for key, value in self.headers if canonical(key) == wanted]

    def add(self, name: str, value: str) -> None:
        self.headers.append((name, value))

    def set(self, name: str, value: str) -> None:
        """Replace the first line of a header (appending one if absent) and drop the others."""
        wanted = canonical(name)
        kept: list[tuple[str, str]] = []
        placed = False
        for key, old in self.headers:
            if canonical(key) != wanted:
                kept.append((key, old))
            elif not placed:
                kept.append((key, value))
                placed = True
        if not placed:
            kept.append((name, value))
        self.headers = kept

    def remove(self, name: str) -> None:
        wanted = canonical(name)
        self.headers = [(key, value) for key, value in self.headers if canonical(key) != wanted]

    def replace_top_via(self, value: str) -> None:
        """Rewrite the first Via entry, keeping any others on the same line."""
        for index, (key, line) in enumerate(self.headers):
            if canonical(key) == "via":
                rest = split_list(line)[1:]
                self.headers[index] = (key, ", ".join([value, *rest]))
                return
        raise SipParseError("no Via header")

    # -- common fields -------------------------------------------------------

    @property
    def call_id(self) -> str:
        return self._required("Call-ID")

    @property
    def cseq(self) -> tuple[int, str]:
        """(sequence number, method) from CSeq."""
        parts = self._required("CSeq").split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise SipParseError(f"bad CSeq: {parts}")
        return int(parts[0]), parts[1].upper()

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased; "" when absent."""
        value = self.get("Content-Type") or ""
        return value.split(";")[0].strip().lower()

    def _required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise SipParseError(f"missing {name}")
        return value.strip()

    # -- wire form -----------------------------------------------------------

    def start_line(self) -> str:
        if self.is_request:
            return f"{self.method} {self.uri} {SIP_VERSION}"
        return f"{SIP_VERSION} {self.status} {self.reason}"

    def to_bytes(self) -> bytes:
        """The message as sent: Content-Length always states the body's length."""
        self.set("Content-Length", str(len(self.body)))
        lines = [self.start_line(), *(f"{name}: {value}" for name, value in self.headers)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body

    def __str__(self) -> str:
        return self.to_bytes().decode("utf-8", "replace")


def parse(data: bytes) -> SipMessage:
    """Parse one datagram. Raises SipParseError."""
    data = data.lstrip(b"\r\n")  # RFC 3261 7.5: ignore empty lines before the start line
    head, separator, rest = data.partition(b"\r\n\r\n")
    if not separator:
        head, separator, rest = data.partition(b"\n\n")  # tolerate bare LF senders
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SipParseError("header section is not UTF-8") from error
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines[0]:
        raise SipParseError("empty message")
    message = _parse_start_line(lines[0])
    message.headers = _parse_headers(lines[1:])
    message.body = _body(message, rest)
    return message


def _parse_start_line(line: str) -> SipMessage:
    if line.startswith(SIP_VERSION + " "):
        match = _STATUS_LINE.fullmatch(line)
        if not match:
            raise SipParseError(f"bad status line: {line!r}")
        return SipMessage(status=int(match.group(1)), reason=match.group(2))
    match = _REQUEST_LINE.fullmatch(line)
    if not match:
        raise SipParseError(f"bad request line: {line!r}")
    return SipMessage(method=match.group(1).upper(), uri=match.group(2))


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t"):  # folded continuation of the previous header
            if not headers:
                raise SipParseError("continuation line before any header")
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise SipParseError(f"bad header line: {line!r}")
        headers.append((name.strip(), value.strip()))
    return headers


def _body(message: SipMessage, rest: bytes) -> bytes:
    length = message.get("Content-Length")
    if length is None:
        return rest  # over UDP the datagram ends the body
    if not length.strip().isdigit():
        raise SipParseError(f"bad Content-Length: {length!r}")
    size = int(length)
    if size > len(rest):
        raise SipParseError("body shorter than Content-Length")
    return rest[:size]
