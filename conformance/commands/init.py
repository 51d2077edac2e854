"""rayo-conformance init: write a commented target file to fill in for your server.

The server's address, port, TLS mode and Rayo service domain come from the
options; on a terminal, init asks for each one not given (Enter keeps the
default shown). Everything else is written with a comment to fill in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..xmpp.client import TLS_MODES

TEMPLATE = '''\
# A target file for rayo-conformance: where the server under test is and what it claims.
# Every key is described in docs/target.md. Run: rayo-conformance run -t {name}
name = "my-rayo-server"

[xmpp]
host = {host}  # the XMPP server's address (c2s)
port = {port}
jid = "harness@example.net"       # the harness's account; each case logs in with its own resource
password_env = "RAYO_PASSWORD"    # the environment variable holding the password
# password = "..."                # or the password itself (never written to logs or reports)
# "starttls": required and verified; "plain": PLAIN over plain TCP, for a lab server without TLS
# (FreeSWITCH mod_rayo offers no STARTTLS until it is given a certificate)
tls = {tls}
# ca_file = "my-ca.pem"           # trust anchor for a certificate no public CA signed
service = {service}  # the Rayo service domain: where <dial/> goes
presence = "directed-chat"        # sent after login: "directed-chat" (XEP-0327 6.1), "broadcast" or "none"

[sip]
# The server's SIP address (SIPp callers send their INVITEs here), and a Request-URI that reaches
# Rayo ({{user}} is the local part of the jid)
server = {sip_server}
inbound_uri = {inbound_uri}

# Optional: this machine's address as the server reaches it (SIP, RTP, the documents' HTTP server);
# default: the local address of the route to [sip] server. Give it behind a NAT or with several.
# [harness]
# address = "10.0.0.3"

[run]
dialect = "xep0327"               # or "seed", the draft before XEP-0327
# baseline = "known-failures.toml"  # known failures: reported, not failing the run (ignored by --certify)
# silent_limit = 3                # cases in a row without a word from the server before the rest end

[capabilities]                    # what the server claims; cases needing more are not applicable
components = ["output", "input", "prompt", "record"]
input-modes = ["dtmf"]            # add "voice" with a recognizer, "cpa" for XEP-0341
dtmf = ["info", "rfc4733"]        # how the server takes DTMF from a caller
mixers = true
outbound-calls = true
speaker-detection = false         # mixers report started/stopped-speaking (optional in XEP-0327)
mixer-components = ["output", "input"]  # the components a mixer hosts (a SHOULD in XEP-0327)
multiple-joins = true             # several joins per call at once; false if a second gets conflict (mod_rayo)
messages-to-sip = false           # a normal message to a call reaches the caller as SIP MESSAGE (optional)
shared-disk = false               # the server writes where the harness reads: file: recording URIs work
output-documents = ["url", "inline"]  # how output cases hand over documents: <document url>, or inline
                                  # (a WAV as SSML <audio src>, a list as text/uri-list); mod_rayo: ["inline"]
builtin-grammars = false          # builtin:dtmf/digits input grammars (the XEP requires SRGS only)

[timeouts]                        # seconds
connect = 10
iq = 5
event = 5
sip = 5
quiet = 0.3
scale = 1.0                       # multiplies them all

# Optional: more accounts some cases need, and one per parallel worker (gw0, gw1, ...).
# [accounts.other]                # another bare JID: a second security zone
# jid = "other@example.net"
# password_env = "RAYO_OTHER_PASSWORD"
# [accounts.unregistered]         # an XMPP account the Rayo service does not know
# jid = "stranger@example.net"
# password_env = "RAYO_STRANGER_PASSWORD"

# Optional: dial targets that make the server refuse a dial on purpose.
# [provoke]
# not-authorized = "sip:premium@10.0.0.5"
# resource-constraint = "sip:congested@10.0.0.5"
'''


# What init asks, in order: (option, question, default). The TLS question carries the hint a
# lab server needs: mod_rayo offers no STARTTLS without a certificate.
QUESTIONS = (
    ("host", "XMPP server address (c2s)", "127.0.0.1"),
    ("port", "XMPP port", 5222),
    ("tls", "TLS: starttls (required, certificate verified) or plain (a lab server without TLS)", "starttls"),
    ("service", "Rayo service domain (where <dial/> goes)", "rayo.example.net"),
)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("init", help="write a commented target file", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=Path("target.toml"), help="where (default: target.toml)")
    parser.add_argument("--host", help="the XMPP server's address (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, help="its c2s port (default: 5222)")
    parser.add_argument("--tls", choices=TLS_MODES,
                        help="starttls: required and verified (default); plain: no TLS, for a lab server without it")
    parser.add_argument("--service", help="the Rayo service domain (default: rayo.example.net)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.file.exists() and not args.force:
        print(f"rayo-conformance init: {args.file} exists; use --force to replace it", file=sys.stderr)
        return 1
    answers = {}
    for option, question, default in QUESTIONS:
        given = getattr(args, option)
        answers[option] = given if given is not None else ask(option, question, default) if sys.stdin.isatty() else default
    args.file.write_text(render(args.file.name, **answers), encoding="utf-8")
    print(f"Wrote {args.file}: fill in your server's account and capabilities, then run: rayo-conformance run -t {args.file}")
    if answers["tls"] == "plain":
        print("tls = plain: the password crosses the network in clear; use it on a lab network only.")
    return 0


def ask(option: str, question: str, default):
    """One answer from the terminal; Enter keeps the default, a wrong one is asked again."""
    while True:
        answer = input(f"{question} [{default}]: ").strip()
        if not answer:
            return default
        try:
            if option == "port":
                return _port(answer)
            if option == "tls" and answer not in TLS_MODES:
                raise ValueError(f"say {' or '.join(TLS_MODES)}")
            return answer
        except (ValueError, argparse.ArgumentTypeError) as err:
            print(f"  {err}")


def render(name: str, host: str, port: int, tls: str, service: str) -> str:
    sip = f"{host}:5060"
    return TEMPLATE.format(
        name=name,
        host=json.dumps(host),  # a JSON string is a TOML basic string: quotes in an answer stay quoted
        port=port,
        tls=json.dumps(tls),
        service=json.dumps(service),
        sip_server=json.dumps(sip),
        inbound_uri=json.dumps(f"sip:{{user}}@{sip}"),
    )


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port")
    return int(text)
