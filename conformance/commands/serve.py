"""rayo-conformance serve: run the reference Rayo server alone and print how to connect."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from ..reference.features import OPTIONAL, UnknownFeature, Without

READY = "ready:"  # the line a parent process waits for; the target file is complete by then


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the reference Rayo server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address for XMPP, SIP, RTP and recordings, a loopback one such as 127.0.0.9 (default 127.0.0.1)")
    parser.add_argument("--xmpp-mode", choices=("embedded", "prosody"), default="embedded",
                        help="embedded: the server's own c2s listener (default); prosody: the Rayo core as an XEP-0114"
                             " component behind a Prosody of its own (apt-get install prosody)")
    parser.add_argument("--xmpp-port", type=int, default=0, help="c2s port, embedded mode (default: any free port)")
    parser.add_argument("--prosody-dir", type=Path, help="prosody mode: run Prosody here and keep its log (default: a temporary directory)")
    parser.add_argument("--sip-port", type=int, default=0, help="SIP UDP port (default: any free port)")
    parser.add_argument("--service", default="rayo.localhost", help="the Rayo service domain")
    parser.add_argument("--user", action="append", dest="users", help="an account name (repeatable; default: harness)")
    parser.add_argument("--password", help="the accounts' password (default: a random one, printed)")
    parser.add_argument("--dialect", choices=("xep0327", "seed"), default="xep0327")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME", help="run with this deliberate deviation (repeatable)")
    parser.add_argument("--without", action="append", default=[], metavar="FEATURE",
                        help="leave out an optional feature, and claim so in the target file (repeatable): "
                             + ", ".join(OPTIONAL))
    parser.add_argument("--variant", action="append", default=[], metavar="NAME",
                        help="take this legal choice the default does not make (repeatable; see --list-variants)")
    parser.add_argument("--list-faults", action="store_true", help="list the fault catalogue and exit")
    parser.add_argument("--list-variants", action="store_true", help="list the catalogue of legal variations and exit")
    parser.add_argument("--target-file", type=Path, help="write a target file for the harness here once ready")
    parser.set_defaults(func=run)


def list_faults() -> int:
    from ..reference.faults import BY_NAME, CATALOGUE

    dialects: dict[str, list[str]] = {}  # a deviation of the shared core has an entry per dialect
    for fault in CATALOGUE:
        dialects.setdefault(fault.name, []).append(fault.dialect)
    width = max(map(len, dialects))
    for name, shown_in in dialects.items():
        print(f"{name:<{width}}  {BY_NAME[name].summary} ({', '.join(shown_in)})")
    return 0


def list_variants() -> int:
    from ..reference.variations import CATALOGUE

    width = max(len(variation.name) for variation in CATALOGUE)
    for variation in CATALOGUE:
        print(f"{variation.name:<{width}}  {variation.summary} ({', '.join(variation.dialects)})")
        print(f"{'':<{width}}    allowed by {variation.allowed_by}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        return list_faults()
    if args.list_variants:
        return list_variants()
    from ..reference.faults import UnknownFault, fault
    from ..reference.variations import UnknownVariation, Variations, variation

    try:
        for name in args.fault:
            fault(name)
        Without(args.without)
        Variations(args.variant, args.dialect)
    except (UnknownFault, UnknownFeature, UnknownVariation) as err:
        print(f"rayo-conformance serve: {err}", file=sys.stderr)
        return 2
    behind_prosody = [name for name in args.variant if args.xmpp_mode == "prosody" and variation(name).embedded_only]
    if behind_prosody:
        print(f"rayo-conformance serve: {', '.join(behind_prosody)} needs --xmpp-mode embedded: Prosody routes only the"
              " service domain to the Rayo core", file=sys.stderr)
        return 2
    if args.xmpp_mode == "prosody" and args.xmpp_port:
        print("rayo-conformance serve: --xmpp-port is for the embedded mode; Prosody's ports are allocated", file=sys.stderr)
        return 2
    return asyncio.run(serve(args))


async def serve(args: argparse.Namespace) -> int:
    from ..reference.prosody import ProsodyError
    from ..reference.server import ReferenceServer, ServerConfig
    from ..reference.xmpp.component import ComponentError

    config = ServerConfig(
        host=args.host,
        xmpp_port=args.xmpp_port,
        sip_port=args.sip_port,
        service=args.service,
        dialect=args.dialect,
        faults=tuple(args.fault),
        without=tuple(args.without),
        variations=tuple(args.variant),
        users=tuple(args.users or ("harness",)),
        xmpp_mode=args.xmpp_mode,
        prosody_dir=args.prosody_dir,
    )
    if args.password:
        config.password = args.password
    server = ReferenceServer(config)
    try:
        await server.start()
    except OSError as err:
        print(f"rayo-conformance serve: cannot listen: {err}", file=sys.stderr)
        return 1
    except (ProsodyError, ComponentError) as err:
        print(f"rayo-conformance serve: Prosody mode did not come up: {err}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(server.describe())
    if args.target_file:
        args.target_file.parent.mkdir(parents=True, exist_ok=True)
        partial = args.target_file.with_suffix(".tmp")
        partial.write_text(server.target_toml(config.users[0]), encoding="utf-8")
        partial.replace(args.target_file)
        print(f"  target file   {args.target_file}")
    print(f"{READY} stop with Ctrl-C", flush=True)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait([stopped, server.failed], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    await server.stop()
    if server.failed.done():  # behind Prosody: the component lost its stream, so nothing reaches the core
        print(f"rayo-conformance serve: stopped: {server.failed.result()}", file=sys.stderr)
        return 1
    return 0
