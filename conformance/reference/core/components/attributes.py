"""Reading a component command's attributes: each value checked before the command is
acknowledged (R-6.5-g), a malformed one refused with bad-request (R-6.5.1-c)."""

from __future__ import annotations

from lxml import etree

from ..errors import CommandError


def bad(name: str, value: str, wanted: str) -> CommandError:
    return CommandError("bad-request", "modify", f"{name}={value!r}: {wanted}")


def boolean(element: etree._Element, name: str, default: bool = False) -> bool:
    value = element.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise bad(name, value, "true or false")
    return value == "true"


def integer(element: etree._Element, name: str, default: int, *, least: int, required: bool = False) -> int:
    """An integer of at least `least` (-1 for a timeout, 0 for a duration or count)."""
    value = element.get(name)
    if value is None and required:
        raise CommandError("bad-request", "modify", f"{name} is required")
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad(name, value, "an integer") from None
    if number < least:
        raise bad(name, value, f"{least} or more")
    return number


def fraction(element: etree._Element, name: str, default: float) -> float:
    value = element.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise bad(name, value, "a decimal from 0 to 1") from None
    if not 0 <= number <= 1:
        raise bad(name, value, "a decimal from 0 to 1")
    return number


def choice(element: etree._Element, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = element.get(name, default)
    if value not in allowed:
        raise bad(name, value, " or ".join(allowed))
    return value
