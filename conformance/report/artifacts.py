"""Artifacts (SIPp traces and the like) brought under the report directory.

A report is opened from file:// and often moved as a whole (a CI artifact), so
every link in it must be relative to the report directory: files outside it are
copied in, files already inside are linked where they are.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .markup import unique_name


@dataclass(frozen=True)
class PlacedArtifact:
    name: str  # what the report calls it
    source: str  # the path the runner gave
    path: str | None  # POSIX path relative to the report directory; None if it was missing


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def place_artifacts(paths: list[Path], out_dir: Path, case_name: str) -> list[PlacedArtifact]:
    """Copy each artifact to artifacts/<case_name>/ unless it is under `out_dir` already."""
    placed: list[PlacedArtifact] = []
    taken: set[str] = set()
    for source in paths:
        name = unique_name(source.name or "artifact", taken)
        if not source.exists():
            placed.append(PlacedArtifact(name, str(source), None))
            continue
        if _inside(source, out_dir):
            target = source.resolve()
        else:
            target = out_dir / "artifacts" / case_name / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
        relative = target.resolve().relative_to(out_dir.resolve()).as_posix()
        placed.append(PlacedArtifact(name, str(source), relative))
    return placed
