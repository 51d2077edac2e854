"""SIP messages as the harness reports them: parsed from the text SIPp logged."""

from __future__ import annotations

from dataclasses import dataclass

_COMPACT = {"i": "call-id", "f": "from", "t": "to", "v": "via", "m": "contact", "l": "content-length", "c": "content-type"}


@dataclass(frozen=True)
class SipEvent:
    t: float  # time.monotonic() when the harness learnt it
    party: str  # "caller", "callee2", ...
    call_id: str
    direction: str  # "received" (the SIPp party got it from the server) | "sent" (it sent it)
    message: str  # "180", "200", "486", "BYE", "INVITE", "ACK", "CANCEL", "INFO", ...
    cseq_method: str  # "INVITE", "BYE", ... (for responses: what they answer)
    request_uri: str = ""  # requests only
    headers: tuple[tuple[str, str], ...] = ()  # in order, names as on the wire, repeats kept
    body: str = ""
    raw: str = ""  # the full message text as SIPp logged it
    logged: float = 0.0  # when SIPp sent or received it (its trace stamp), on time.monotonic()'s scale


@dataclass(frozen=True)
class SipMessage:
    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: str
    raw: str

    @property
    def is_response(self) -> bool:
        return self.start_line.startswith("SIP/2.0 ")

    @property
    def message(self) -> str:
        """The status code of a response, the method of a request."""
        return self.start_line.split(" ")[1 if self.is_response else 0]

    @property
    def request_uri(self) -> str:
        parts = self.start_line.split(" ")
        return "" if self.is_response or len(parts) < 2 else parts[1]

    def header(self, name: str) -> str:
        """The first value of a header, by its full name; compact forms count."""
        wanted = name.lower()
        for key, value in self.headers:
            if _COMPACT.get(key.lower(), key.lower()) == wanted:
                return value
        return ""

    @property
    def call_id(self) -> str:
        return self.header("Call-ID")

    @property
    def cseq_method(self) -> str:
        parts = self.header("CSeq").split()
        return parts[1] if len(parts) > 1 else ""

    @property
    def label(self) -> str:
        """The first line in short: "INVITE", "180 Ringing", "200 OK (BYE)"."""
        if not self.is_response:
            return self.message
        status = self.start_line[len("SIP/2.0 ") :]
        return status if self.cseq_method == "INVITE" else f"{status} ({self.cseq_method})"


def parse_message(raw: str) -> SipMessage:
    head, _, body = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # a folded header continues the one before
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return SipMessage(lines[0], tuple(headers), body, raw)


def user_of(uri: str) -> str:
    """The user part of a SIP URI: 'sip:callee2@127.0.0.1:5080' -> 'callee2'."""
    scheme, _, rest = uri.partition(":")
    return rest.split("@", 1)[0] if "@" in rest else ""
