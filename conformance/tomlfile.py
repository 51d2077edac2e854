"""A TOML file read to be checked: every problem points at its line.

tomllib gives the data but not where each key was written; a target file's
user needs `target.toml:7: [xmpp] unknown key 'hots'; did you mean 'host'?`,
not a traceback. The lines come from a plain scan of the text for table
headers and `key =` lines, which is all a hand-written configuration file uses;
a key found nowhere (a dotted or inline-table key) is reported with its
table's line, or the file alone.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table", list: "a list"}


class TomlFileError(Exception):
    """A problem in the file; the message starts with file:line (or the file alone)."""


class TomlFile:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines: dict[tuple[str, str | None], int] = {}  # (table, key or None for its header) -> line
        table = ""
        for number, line in enumerate(text.splitlines(), 1):
            if header := _TABLE.match(line):
                table = _unquote(header.group(1))
                self.lines.setdefault((table, None), number)
            elif key := _KEY.match(line):
                self.lines.setdefault((table, _unquote(key.group(1))), number)
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            message = str(err)
            position = _TOML_POSITION.search(message)
            if position is None:
                raise TomlFileError(f"{path}: not valid TOML: {message}") from None
            column = position.group(2)
            raise TomlFileError(f"{path}:{position.group(1)}: not valid TOML: {message[: position.start()]} (column {column})") from None

    @classmethod
    def read(cls, path: Path, what: str) -> "TomlFile":
        try:
            return cls(path, path.read_text(encoding="utf-8"))
        except OSError as err:
            raise TomlFileError(f"cannot read the {what} {path}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise TomlFileError(f"{path}: not UTF-8 text") from None

    def error(self, table: str, key: str | None, message: str) -> TomlFileError:
        """`file:line: [table] key: message`, at the key's line (or its own table's header), else its table's."""
        own_table = f"{table}.{key}" if table else key
        line = self.lines.get((table, key)) or self.lines.get((own_table, None)) or self.lines.get((table, None))
        place = f"{self.path}:{line}" if line else str(self.path)
        subject = " ".join(filter(None, (f"[{table}]" if table else "", key)))
        return TomlFileError(f"{place}: {subject}: {message}" if subject else f"{place}: {message}")

    def check_keys(self, table: str, section: dict, known: Iterable[str]) -> None:
        """Every key of the section is known; a misspelt one gets its likely meaning."""
        known = list(known)
        for key in section:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                suggestion = f"did you mean {hint[0]!r}?" if hint else f"known: {', '.join(known)}"
                what = "table" if isinstance(section[key], dict) else "key"
                raise self.error(table, key, f"unknown {what}; {suggestion}")

    def table(self, parent: dict, table: str, name: str, required: bool = True) -> dict:
        """The table `name` of `parent` (whose own name is `table`), or {} when it may be left out."""
        where = f"{table}.{name}" if table else name
        if name not in parent:
            if required:
                raise TomlFileError(f"{self.path}: missing table [{where}]")
            return {}
        value = parent[name]
        if not isinstance(value, dict):
            raise self.error(table, name, f"must be a table ([{where}]), not {value!r}")
        return value

    def value(self, section: dict, table: str, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        """The key's value, of the given type(s); the default when it is left out and not required."""
        if key not in section:
            if required:
                raise self.error(table, None, f"missing key {key!r}")
            return default
        value = section[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML's true is a Python int too; a port of `true` is a mistake, not 1.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.error(table, key, f"must be {' or '.join(_KINDS.get(k, k.__name__) for k in kinds)}, not {value!r}")
        return value


def _unquote(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))
