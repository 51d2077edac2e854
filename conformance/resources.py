"""Where the shipped schemas and scenarios are, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them inside the package; a checkout (or an editable
    # install) has them at the top of the tree, next to the package.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the shipped {name}/ directory near {_PACKAGE}")


def schemas_dir() -> Path:
    return _find("schemas")


def scenarios_dir() -> Path:
    return _find("scenarios")
