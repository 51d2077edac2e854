"""rayo-conformance validate: check files of stanzas against the schemas of a dialect.

A file holds one stanza, or several with no wrapper (as the XEP's examples
are written), or bare Rayo payloads. Each finding is printed as
file:line: path: message; the exit status is 1 if there was any finding,
2 if a file could not be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Iterator

from lxml import etree

from ..protocol.namespaces import DIALECTS
from ..protocol.stanza import MalformedXML, parse_fragment
from ..protocol.validation import SchemaFinding, Validator, validator

_STANZAS = frozenset({"iq", "presence", "message"})
# An XML declaration cannot stand inside the fragment's wrapper; blanking it keeps the line numbers.
_DECLARATION = re.compile(r"^\ufeff?<\?xml[^>]*\?>")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate files of stanzas against the Rayo schemas",
        description="Validate files of XMPP stanzas (or bare Rayo payloads) against the schemas of a dialect. "
        "Prints each finding as file:line: path: message; exits 1 on any finding.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--dialect", choices=DIALECTS, default="xep0327", help="default: %(default)s")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    checker = validator(args.dialect)
    findings = unreadable = 0
    for path in args.files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: cannot read: {err}", file=sys.stderr)
            unreadable += 1
            continue
        for line, where, message in check_text(text, checker):
            print(f"{path}:{line}: {where}: {message}")
            findings += 1
    print(f"validate ({args.dialect}): {len(args.files)} file(s), {findings} finding(s)", file=sys.stderr)
    return 2 if unreadable else (1 if findings else 0)


def check_text(text: str, checker: Validator) -> Iterator[tuple[int, str, str]]:
    """(line, path, message) for each finding in the stanzas or payloads of text."""
    text = _DECLARATION.sub(lambda m: " " * len(m.group()), text, count=1)
    try:
        elements = parse_fragment(text)
    except MalformedXML as err:
        yield err.line or 1, "/", f"well-formed: the text is not well-formed XML: {err}"
        return
    for element in elements:
        for finding in _validate(element, checker):
            yield finding.line or element.sourceline or 1, finding.path, finding.message


def _validate(element: etree._Element, checker: Validator) -> list[SchemaFinding]:
    if etree.QName(element).localname in _STANZAS:
        return checker.stanza(element)
    return checker.payload(element)
