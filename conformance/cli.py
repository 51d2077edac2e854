"""rayo-conformance: the command line.

Each subcommand lives in its own module under conformance/commands/ and exposes
`add_parser(subparsers)`, which registers it and sets `func` to run it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Module names under conformance.commands, in the order --help lists them.
COMMANDS: list[str] = ["init", "run", "serve", "validate", "list"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rayo-conformance",
        description="Conformance test harness for Rayo (XEP-0327) servers.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"conformance.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
