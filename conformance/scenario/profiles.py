"""Profiles: named sets of cases a server can be run and certified against.

A profile file in scenarios/profiles/ names its dialect and the case ids it
includes and excludes, as shell-style patterns (xep0327.joins.*).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import yaml

from ..resources import profiles_dir


class ProfileError(Exception):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    dialect: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def includes(self, case_id: str) -> bool:
        matched = any(fnmatch.fnmatchcase(case_id, p) for p in self.include)
        return matched and not any(fnmatch.fnmatchcase(case_id, p) for p in self.exclude)


def profiles() -> dict[str, Profile]:
    found = {}
    for path in sorted(profiles_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["name"]] = Profile(
            data["name"], data.get("description", ""), data["dialect"],
            tuple(data["include"]), tuple(data.get("exclude", ())),
        )
    return found


def load_profile(name: str) -> Profile:
    known = profiles()
    if name not in known:
        raise ProfileError(f"unknown profile {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
