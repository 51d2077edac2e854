"""The data of the schema tests: the corpus, its known-wrong list and the invalid variants."""

from __future__ import annotations

import tomllib
from pathlib import Path


HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
# Corpus directory -> the dialect its examples validate under.
CORPUS_DIALECTS = {"xep0327": "xep0327", "xep0341": "xep0327", "xep0342": "xep0327", "seed": "seed"}


def corpus_files() -> list[Path]:
    return sorted(path for directory in CORPUS_DIALECTS for path in (CORPUS / directory).rglob("*.xml"))


def corpus_dialect(path: Path) -> str:
    return CORPUS_DIALECTS[path.relative_to(CORPUS).parts[0]]


def known_wrong() -> dict[str, dict]:
    entries = tomllib.loads((CORPUS / "wrong.toml").read_text(encoding="utf-8"))["wrong"]
    return {entry["file"]: entry for entry in entries}


def variants() -> list[dict]:
    entries = tomllib.loads((HERE / "variants.toml").read_text(encoding="utf-8"))["variant"]
    return [{"dialect": "xep0327", **entry} for entry in entries]
