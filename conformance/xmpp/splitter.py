"""Cut one direction of an XMPP stream into its pieces, each with its exact bytes.

pyexpat reports the byte index of every start and end event, so the bytes of
a stanza are taken from the wire between its depth-1 start and end events,
never re-serialized. The stream is restarted after TLS and SASL: a new parser
takes over where the new stream header begins. A stanza longer than the limit
ends the stream: neither the splitter nor expat keeps more of it than that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers import expat

from ..protocol import namespaces as ns

PieceKind = Literal["header", "stanza", "end", "malformed", "oversized"]

# What the harness keeps of a stanza by default. Real offers are a few kilobytes;
# RFC 6120 §13.12 lets a server refuse stanzas over 10,000 bytes, so a real
# deployment keeps well below this.
DEFAULT_MAX_STANZA = 1_048_576
# Of a stanza over the limit, the transcript shows its start only.
OVERSIZED_SHOWN = 4096

# A start tag, attribute by attribute, so that '>' inside a quoted value does
# not end it. Only used on bytes expat has already found well-formed.
START_TAG = re.compile(r"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_START_TAG_BYTES = re.compile(START_TAG.pattern.encode())

_STREAM = f"{ns.STREAM} stream"  # expat's name for the stream root (namespace_separator " ")
# After these the peer's next bytes open a new stream (RFC 6120 §5.4.3.3, §6.4.6).
_RESTART_AFTER = {f"{ns.TLS} proceed", f"{ns.SASL} success"}


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    raw: str  # exactly as on the wire (for "malformed": everything not yet cut, decoded leniently;
    #           for "oversized": the start of it)
    declarations: dict[str | None, str] = field(default_factory=dict)  # the stream header's namespaces
    error: str = ""  # for "malformed": what is wrong


class _Restart(Exception):
    """Raised inside a handler: a new stream begins at `offset` (parser index)."""

    def __init__(self, offset: int):
        self.offset = offset


class _Oversized(Exception):
    """Raised inside a handler: the stanza that just ended is longer than the limit."""


class _Restricted(Exception):
    """XML that is well-formed but not allowed in XMPP (RFC 6120 §11.1)."""


class StreamSplitter:
    """Feed it bytes as they arrive; it returns the pieces completed so far.

    After malformed input it stops parsing: that piece and every later chunk
    come back as "malformed" pieces, so no received byte is lost. Once more
    than `max_stanza` bytes are waiting to complete a stanza, it stops too,
    with one "oversized" piece, and drops what comes later.
    """

    def __init__(self, max_stanza: int = DEFAULT_MAX_STANZA) -> None:
        self.declarations: dict[str | None, str] = {}
        self.failed = ""
        self.max_stanza = max_stanza
        self._oversized = False
        self._out: list[Piece] = []
        self._new_parser()

    def feed(self, data: bytes) -> list[Piece]:
        if self._oversized:
            return []
        if self.failed:
            return [Piece("malformed", data.decode("utf-8", "replace"), self.declarations, "after malformed XML: " + self.failed)]
        self._out = []
        self._buf += data
        while True:
            try:
                self._parser.Parse(data, False)
                if len(self._buf) > self.max_stanza:
                    self._stop_oversized()
                return self._out
            except _Restart as restart:
                data = self._buf[restart.offset - self._base :]
                self._new_parser()
                self._buf = data
            except _Oversized:
                self._stop_oversized()
                return self._out
            except (expat.ExpatError, _Restricted) as err:
                self.failed = _describe(err)
                self._out.append(Piece("malformed", self._buf.decode("utf-8", "replace"), self.declarations, self.failed))
                return self._out

    def _stop_oversized(self) -> None:
        """Drop the stanza and the parser that holds its start: the memory a stanza takes is bounded."""
        self._oversized = True
        self.failed = f"a stanza longer than {self.max_stanza} bytes, the harness's limit"
        shown = self._buf[:OVERSIZED_SHOWN].decode("utf-8", "replace").lstrip()
        self._out.append(Piece("oversized", shown, self.declarations, self.failed))
        self._buf = b""
        self._parser = None

    def _new_parser(self) -> None:
        # XMPP is UTF-8 whatever a declaration says (RFC 6120 §11.6).
        parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
        if hasattr(parser, "SetReparseDeferralEnabled"):
            # Expat >= 2.6 may hold back a complete stanza until more bytes
            # come; a stream must hand over each stanza as soon as it is whole.
            parser.SetReparseDeferralEnabled(False)
        parser.StartNamespaceDeclHandler = self._namespace
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.StartDoctypeDeclHandler = _refuse("a document type declaration")
        parser.CommentHandler = _refuse("a comment")
        parser.ProcessingInstructionHandler = _refuse("a processing instruction")
        self._parser = parser
        self._buf = b""  # bytes fed to this parser and not yet cut into pieces
        self._base = 0  # parser index of _buf[0]
        self._depth = 0
        self._pending: dict[str | None, str] = {}
        self._stanza_start = 0  # parser index of the current stanza's '<'
        self._empty_end = 0  # for a stanza that is one empty element, the index just past it

    def _namespace(self, prefix: str | None, uri: str) -> None:
        if self._depth == 0:
            self._pending[prefix] = uri

    def _start(self, name: str, _attrs: dict[str, str]) -> None:
        index = self._parser.CurrentByteIndex
        if self._depth == 0:
            if name != _STREAM:
                raise _Restricted(f"expected a stream header, got <{_local(name)}>")
            tag = _START_TAG_BYTES.match(self._buf, index - self._base)
            self.declarations = self._pending
            self._cut("header", self._base + tag.end())
        elif self._depth == 1:
            if name == _STREAM:  # the writer restarted its stream
                raise _Restart(index)
            tag = _START_TAG_BYTES.match(self._buf, index - self._base)
            self._stanza_start = index
            self._empty_end = self._base + tag.end() if tag.group(1) else 0
        self._depth += 1

    def _end(self, name: str) -> None:
        self._depth -= 1
        index = self._parser.CurrentByteIndex
        if self._depth == 0:
            self._drop(index)
            self._cut("end", self._base + self._buf.index(b">") + 1)
        elif self._depth == 1:
            end = self._empty_end or self._base + self._buf.index(b">", index - self._base) + 1
            if end - self._stanza_start > self.max_stanza:  # whole within one read: longer all the same
                raise _Oversized()
            self._drop(self._stanza_start)
            self._cut("stanza", end)
            if name in _RESTART_AFTER:
                raise _Restart(end)

    def _text(self, text: str) -> None:
        if self._depth == 1 and text.strip():
            raise _Restricted("text between stanzas, which XMPP does not allow (RFC 6120 §11.7)")

    def _drop(self, index: int) -> None:
        """Forget the bytes before `index` (whitespace between stanzas)."""
        self._buf = self._buf[index - self._base :]
        self._base = index

    def _cut(self, kind: PieceKind, end: int) -> None:
        raw = self._buf[: end - self._base].decode("utf-8")
        self._drop(end)
        self._out.append(Piece(kind, raw, self.declarations))


def _refuse(what: str):
    def handler(*_args: object) -> None:
        raise _Restricted(f"{what}, which XMPP does not allow (RFC 6120 §11.1)")

    return handler


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _describe(err: Exception) -> str:
    if isinstance(err, expat.ExpatError):
        return f"{expat.ErrorString(err.code)} at line {err.lineno}, column {err.offset}"
    return str(err)
