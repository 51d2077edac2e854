#!/usr/bin/env python3
"""Lists every requirement id of the XEP-0327 digest's §4 with the level the digest gives it.

    tools/digest_requirements.py ../shared/spec/xep0327-digest.md > tests/requirements/digest-requirements.tsv

The digest is project material kept beside the checkout, not shipped with it; the tests
compare the requirement catalogue with this snapshot of it, so a clone needs no ../shared.
Run it again, and review the difference, whenever the digest changes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# The digest's level words, as the catalogue spells them. Requirements the digest derives from
# an example only carry no keyword: the catalogue calls them statements.
LEVELS = {"MUST": "MUST", "MUST NOT": "MUST NOT", "REQUIRED": "REQUIRED", "SHOULD": "SHOULD", "MAY": "MAY",
          "must(lc)": "must", "should(lc)": "should", "stmt": "statement"}


def requirements(text: str) -> dict[str, str]:
    """Every R- id of the digest's §4 -> its level; combined ids ("R-7.14-a / R-7.15-a", ...) split."""
    section = text[text.index("## 4. Normative requirements"):text.index("## 5. ")]
    found: dict[str, str] = {}
    heading_level = "statement"
    for line in section.splitlines():
        if line.startswith("#"):  # "### §6.3.1 Join errors (all MUST, S)": the level of its bare bullets
            heading = re.search(r"\(all ([A-Za-z ]+(?:\(lc\))?)", line)
            heading_level = LEVELS.get(heading[1].strip(), "statement") if heading else "statement"
        # each bold id is followed by its parenthesis, which starts with the level: "**R-11-b** (should(lc))"
        for name, note in re.findall(r"\*\*(R-[^*]+)\*\*(?: \(((?:[^()]|\(lc\))*)\))?", line):
            level = LEVELS.get(note.split(",")[0].strip(), "statement") if note else heading_level
            found |= dict.fromkeys(split_combined(name), level)
    return found


def split_combined(name: str) -> set[str]:
    first, *others = [part.strip() for part in name.split(" / ")]
    number, letter = re.fullmatch(r"R-([0-9.…/]+)-([a-z])", first).groups()
    ids = set(_expand(number, letter))
    for other in others:  # "R-7.15-a", or ".4-a": the last number of the first id replaced
        found = re.fullmatch(r"(?:R-([0-9.]+)|\.([0-9]+))-([a-z])", other)
        full = found[1] or number.rsplit(".", 1)[0] + "." + found[2]
        ids.add(f"R-{full}-{found[3]}")
    return ids


def _expand(number: str, letter: str) -> list[str]:
    """7.19.3.2…7 -> 7.19.3.2 .. 7.19.3.7; 7.19.6.5/6/7 -> 7.19.6.5, .6, .7; others as they are."""
    stem, _, last = number.rpartition(".")
    if "…" in last:
        low, high = map(int, last.split("…"))
        return [f"R-{stem}.{n}-{letter}" for n in range(low, high + 1)]
    return [f"R-{stem + '.' if stem else ''}{n}-{letter}" for n in last.split("/")]


def main(path: str) -> None:
    for name, level in sorted(requirements(Path(path).read_text(encoding="utf-8")).items()):
        print(f"{name}\t{level}")


if __name__ == "__main__":
    main(sys.argv[1])
