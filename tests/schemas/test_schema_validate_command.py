"""rayo-conformance validate FILE... [--dialect]: file:line: path: message per finding, non-zero on any."""

from __future__ import annotations

from conformance.cli import main

from .data import CORPUS


def _run(capsys, *argv: str) -> tuple[int, list[str]]:
    status = main(["validate", *argv])
    return status, capsys.readouterr().out.splitlines()


def test_valid_files_print_nothing_and_exit_zero(capsys):
    status, lines = _run(capsys, str(CORPUS / "xep0327/ex001.xml"), str(CORPUS / "xep0341/ex03.xml"))
    assert (status, lines) == (0, [])


def test_each_finding_is_printed_as_file_line_path_message(capsys, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<presence>\n  <end xmlns='urn:xmpp:rayo:1'>\n    <hungup/><busy/>\n  </end>\n</presence>\n"
                   "<iq type='set'><join xmlns='urn:xmpp:rayo:1' direction='both' mixer-name='m'/></iq>\n")
    status, lines = _run(capsys, str(bad))
    assert status == 1
    assert lines == [
        f"{bad}:3: /presence/end: one end reason: <busy> is not expected in <end>; expected header. "
        "end holds exactly one end reason (hungup, hangup-command, timeout, busy, rejected or error), then optional headers.",
        f"{bad}:6: /iq/join: enumeration: <join> attribute direction='both': "
        "The value 'both' is not an element of the set {'duplex', 'send', 'recv'}.",
    ]


def test_the_dialect_option_chooses_the_schemas(capsys):
    seed_offer = str(CORPUS / "seed/ex13.xml")  # the dial result <ref id=.../> in the seed's form
    assert _run(capsys, "--dialect", "seed", str(CORPUS / "seed/ex25.xml"))[0] == 0
    assert _run(capsys, "--dialect", "xep0327", str(CORPUS / "seed/ex25.xml"))[0] == 1
    assert _run(capsys, "--dialect", "seed", seed_offer)[0] == 0


def test_a_file_that_is_not_well_formed_is_a_finding_at_its_line(capsys):
    status, lines = _run(capsys, "--dialect", "seed", str(CORPUS / "seed/ex22.xml"))
    assert status == 1
    assert lines[0].startswith(f"{CORPUS / 'seed/ex22.xml'}:5: /: well-formed: ")


def test_bare_payloads_and_an_xml_declaration_are_accepted(capsys, tmp_path):
    payloads = tmp_path / "payloads.xml"
    payloads.write_text("<?xml version='1.0'?>\n<ref xmlns='urn:xmpp:rayo:1'/>\n<c xmlns='http://jabber.org/protocol/caps'/>\n")
    status, lines = _run(capsys, str(payloads))
    assert (status, lines) == (1, [f"{payloads}:2: /ref: required attribute uri: <ref> lacks attribute uri."])


def test_an_unreadable_file_exits_two_and_says_so(capsys, tmp_path):
    status = main(["validate", str(tmp_path / "missing.xml"), str(CORPUS / "xep0327/ex001.xml")])
    assert status == 2
    assert "missing.xml: cannot read" in capsys.readouterr().err
