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


# YAML beside the cases that is not a case: the requirement catalogue and the profiles.
CATALOGUE_DIR = "requirements"
PROFILES_DIR = "profiles"


def requirements_dir() -> Path:
    return scenarios_dir() / CATALOGUE_DIR


def profiles_dir() -> Path:
    return scenarios_dir() / PROFILES_DIR


def is_data_file(path: Path) -> bool:
    """Whether a file under a `scenarios` directory is data about the cases, not a case."""
    return path.parent.name in (CATALOGUE_DIR, PROFILES_DIR) and path.parent.parent.name == "scenarios"


def case_files() -> list[Path]:
    """Every shipped scenario case, sorted: the YAML under scenarios/ outside the data directories."""
    found = [*scenarios_dir().rglob("*.yaml"), *scenarios_dir().rglob("*.yml")]
    return sorted(path for path in found if not is_data_file(path))
