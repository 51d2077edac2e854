"""What schema validation costs per stanza: run with .venv/bin/python bench/validation.py.

Prints the median microseconds per stanza of Validator.stanza() for a typical
offer and a typical output command, beside the same payloads validated by
xmlschema alone (the engine the hot path does not use), an invalid stanza
(the path that reads the error log into findings), and the one-off cost of
compiling each dialect's schemas.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

import xmlschema

from conformance.protocol.schemaset import catalogue, compile_dialect, driver
from conformance.protocol.stanza import parse_stanza
from conformance.protocol.validation import validator

OFFER = """<presence from='9f00061@call.shakespeare.lit' to='juliet@capulet.lit/balcony'>
  <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='urn:xmpp:rayo:call:1'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
  <offer xmlns='urn:xmpp:rayo:1' to='sip:+18003211212@shakespeare.lit' from='sip:+13058881212@capulet.lit'>
    <header name='Via' value='SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK776asdhds'/>
    <header name='Call-ID' value='a84b4c76e66710@pc33.capulet.lit'/>
    <header name='X-Skill' value='agent'/>
    <header name='X-Customer-Id' value='8877'/>
  </offer>
  <delay xmlns='urn:xmpp:delay' stamp='2024-05-01T12:00:00Z'/>
</presence>"""

OUTPUT = """<iq from='juliet@capulet.lit/balcony' to='9f00061@call.shakespeare.lit' type='set' id='h7ed2'>
  <output xmlns='urn:xmpp:rayo:output:1' voice='allison' max-time='30000' repeat-times='1'>
    <document content-type='application/ssml+xml'><![CDATA[
      <speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">
        <p><s>You have 4 new messages.</s><s>The first is from Stephanie Williams.</s></p>
      </speak>
    ]]></document>
  </output>
</iq>"""

INVALID = """<presence type='unavailable'>
  <end xmlns='urn:xmpp:rayo:1'><hungup/><busy/></end>
</presence>"""


def median_us(call: Callable[[], object], batch: int = 200, samples: int = 50) -> float:
    """Median over samples of the mean time of one call in a batch, in microseconds."""
    call()  # warm up
    means = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(batch):
            call()
        means.append((time.perf_counter() - start) / batch * 1e6)
    return statistics.median(means)


def main() -> None:
    for dialect in ("xep0327", "seed"):
        start = time.perf_counter()
        compile_dialect(dialect)
        print(f"compile {dialect} schemas (once per process): {(time.perf_counter() - start) * 1e3:.1f} ms")

    checker = validator("xep0327")
    second_engine = xmlschema.XMLSchema10(driver(catalogue()["xep0327"]))
    offer, output, invalid = parse_stanza(OFFER), parse_stanza(OUTPUT), parse_stanza(INVALID)
    assert checker.stanza(offer) == [] and checker.stanza(output) == [] and checker.stanza(invalid) != []

    rows = [
        ("offer presence, Validator.stanza (lxml)", lambda: checker.stanza(offer)),
        ("output iq, Validator.stanza (lxml)", lambda: checker.stanza(output)),
        ("offer payload, xmlschema alone", lambda: second_engine.is_valid(offer.find("{urn:xmpp:rayo:1}offer"))),
        ("output payload, xmlschema alone", lambda: second_engine.is_valid(output[0])),
        ("invalid end (two reasons), Validator.stanza with findings", lambda: checker.stanza(invalid)),
    ]
    print(f"{'median per stanza':>12}  case")
    for label, call in rows:
        print(f"{median_us(call):9.1f} µs  {label}")


if __name__ == "__main__":
    main()
