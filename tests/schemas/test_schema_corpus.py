"""The examples of XEP-0327, XEP-0341, XEP-0342 and the seed page validate, save the known-wrong ones."""

from __future__ import annotations

import re

import pytest

from conformance.protocol.stanza import MalformedXML, parse_fragment
from conformance.protocol.validation import validator

from .data import CORPUS, corpus_dialect, corpus_files, known_wrong

FILES = corpus_files()


def _findings(path) -> list[tuple[int | None, str, str]]:
    """(line, path, rule) of every finding in a corpus file; a parse error is one 'well-formed' finding."""
    try:
        elements = parse_fragment(path.read_text(encoding="utf-8"))
    except MalformedXML as err:
        return [(err.line, "/", "well-formed")]
    checker = validator(corpus_dialect(path))
    return [(f.line, f.path, f.rule) for element in elements for f in checker.stanza(element)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_example_gives_exactly_its_known_findings(path):
    entry = known_wrong().get(str(path.relative_to(CORPUS)))
    expected = [(f["line"], f["path"], f["rule"]) for f in entry["findings"]] if entry else []
    assert _findings(path) == expected


def test_known_wrong_examples_exist_and_say_why():
    for name, entry in known_wrong().items():
        assert (CORPUS / name).is_file(), name
        assert len(entry["reason"]) > 40 and entry["findings"], name


@pytest.mark.parametrize("directory, count", [("xep0327", 94), ("xep0341", 5), ("xep0342", 6), ("seed", 26)])
def test_corpus_holds_every_example_of_its_source(directory, count):
    numbers = sorted(int(p.stem[2:]) for p in (CORPUS / directory).glob("ex*.xml"))
    assert numbers == list(range(1, count + 1))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_example_states_its_provenance_on_its_first_line(path):
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert re.match(r"<!-- .*(example \d+ \(section .+\): |seed example \d+ as intended).* -->$", first)


def test_engines_agree_on_every_rayo_payload_of_the_corpus(lxml_of, xmlschema_of):
    compared = 0
    for path in FILES:
        dialect = corpus_dialect(path)
        try:
            elements = parse_fragment(path.read_text(encoding="utf-8"))
        except MalformedXML:
            continue
        checker = validator(dialect)
        for stanza in elements:
            for payload in stanza:
                if isinstance(payload.tag, str) and payload.tag.split("}")[0][1:] in checker.namespaces:
                    assert lxml_of(dialect).validate(payload) == xmlschema_of(dialect).is_valid(payload), path
                    compared += 1
    assert compared > 100
