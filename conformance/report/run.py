"""What the report says about the run as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from .. import __version__


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RunInfo:
    """The run's identity. Holds nothing secret: no passwords, no tokens."""

    target: str  # the target as the user named it, e.g. its XMPP address or file name
    server: str = ""  # the server's identity as it reported it (disco, XEP-0092)
    dialect: str = "xep0327"
    strict: bool = False  # under --strict a warn counts as a failure
    certify: bool = False  # a certification run: strict, and no baseline of known failures
    claims: tuple[str, ...] = ()  # the capability statement, as cases name it (component:output, ...)
    notes: tuple[str, ...] = ()  # where the statement and the server's disco#info disagree
    harness_version: str = __version__
    started: datetime = field(default_factory=_now)  # wall clock, when the run began
