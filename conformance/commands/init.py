"""rayo-conformance init: write a commented target file to fill in for your server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEMPLATE = '''\
# A target file for rayo-conformance: where the server under test is and what it claims.
# Every key is described in docs/target.md. Run: rayo-conformance run -t {name}
name = "my-rayo-server"

[xmpp]
host = "127.0.0.1"                # the XMPP server's address (c2s)
port = 5222
jid = "harness@example.net"       # the harness's account; each case logs in with its own resource
password_env = "RAYO_PASSWORD"    # the environment variable holding the password
# password = "..."                # or the password itself (never written to logs or reports)
tls = "starttls"                  # "starttls": required and verified; "plain": PLAIN over plain TCP
# ca_file = "my-ca.pem"           # trust anchor for a certificate no public CA signed
service = "rayo.example.net"      # the Rayo service domain: where <dial/> goes
presence = "directed-chat"        # sent after login: "directed-chat" (XEP-0327 6.1), "broadcast" or "none"

[sip]
server = "127.0.0.1:5060"         # the server's SIP address: SIPp callers send their INVITEs here
inbound_uri = "sip:{{user}}@127.0.0.1:5060"  # reaches Rayo; {{user}} is the local part of the jid

[run]
dialect = "xep0327"               # or "seed", the draft before XEP-0327
# baseline = "known-failures.toml"  # known failures: reported, not failing the run (ignored by --certify)

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


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("init", help="write a commented target file", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=Path("target.toml"), help="where (default: target.toml)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.file.exists() and not args.force:
        print(f"rayo-conformance init: {args.file} exists; use --force to replace it", file=sys.stderr)
        return 1
    args.file.write_text(TEMPLATE.format(name=args.file.name), encoding="utf-8")
    print(f"Wrote {args.file}: fill in your server's addresses and account, then run: rayo-conformance run -t {args.file}")
    return 0
