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


# scenarios/requirements/ holds the requirement catalogue: YAML beside the cases, but not a case.
CATALOGUE_DIR = "requirements"


def requirements_dir() -> Path:
    return scenarios_dir() / CATALOGUE_DIR


def is_catalogue_file(path: Path) -> bool:
    """Whether a file under a `scenarios` directory belongs to the requirement catalogue."""
    return path.parent.name == CATALOGUE_DIR and path.parent.parent.name == "scenarios"


def case_files() -> list[Path]:
    """Every shipped scenario case, sorted: the YAML under scenarios/ outside the catalogue."""
    found = [*scenarios_dir().rglob("*.yaml"), *scenarios_dir().rglob("*.yml")]
    return sorted(path for path in found if not is_catalogue_file(path))
