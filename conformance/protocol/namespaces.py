"""XML namespaces, per dialect.

`xep0327` is XEP-0327 v0.8.1 plus XEP-0341 (CPA) and XEP-0342 (fax); `seed` is
the earlier Rayo draft (shared/spec/seed-rayo-wiki.txt).
"""

from __future__ import annotations

CLIENT = "jabber:client"
STREAM = "http://etherx.jabber.org/streams"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
TLS = "urn:ietf:params:xml:ns:xmpp-tls"
BIND = "urn:ietf:params:xml:ns:xmpp-bind"
SESSION = "urn:ietf:params:xml:ns:xmpp-session"
COMPONENT = "jabber:component:accept"
CAPS = "http://jabber.org/protocol/caps"
DISCO_INFO = "http://jabber.org/protocol/disco#info"
DELAY = "urn:xmpp:delay"
PING = "urn:xmpp:ping"
ROSTER = "jabber:iq:roster"

RAYO = "urn:xmpp:rayo:1"
RAYO_CLIENT = "urn:xmpp:rayo:client:1"
RAYO_CALL = "urn:xmpp:rayo:call:1"
RAYO_MIXER = "urn:xmpp:rayo:mixer:1"
EXT = "urn:xmpp:rayo:ext:1"
EXT_COMPLETE = "urn:xmpp:rayo:ext:complete:1"
OUTPUT = "urn:xmpp:rayo:output:1"
OUTPUT_COMPLETE = "urn:xmpp:rayo:output:complete:1"
INPUT = "urn:xmpp:rayo:input:1"
INPUT_COMPLETE = "urn:xmpp:rayo:input:complete:1"
PROMPT = "urn:xmpp:rayo:prompt:1"
RECORD = "urn:xmpp:rayo:record:1"
RECORD_COMPLETE = "urn:xmpp:rayo:record:complete:1"
CPA = "urn:xmpp:rayo:cpa:1"
FAX = "urn:xmpp:rayo:fax:1"
FAX_COMPLETE = "urn:xmpp:rayo:fax:complete:1"

TROPO_SAY = "urn:xmpp:tropo:say:1"
TROPO_SAY_COMPLETE = "urn:xmpp:tropo:say:complete:1"

DIALECTS = ("xep0327", "seed")

# Namespaces whose payloads are Rayo's (validated against the schemas), per dialect.
RAYO_NAMESPACES: dict[str, frozenset[str]] = {
    "xep0327": frozenset(
        {
            RAYO, EXT, EXT_COMPLETE, OUTPUT, OUTPUT_COMPLETE, INPUT, INPUT_COMPLETE,
            PROMPT, RECORD, RECORD_COMPLETE, CPA, FAX, FAX_COMPLETE,
        }
    ),
    "seed": frozenset({RAYO, EXT, EXT_COMPLETE, TROPO_SAY, TROPO_SAY_COMPLETE}),
}


def qname(namespace: str, local: str) -> str:
    """Clark notation, as lxml spells element names: {namespace}local."""
    return f"{{{namespace}}}{local}"
