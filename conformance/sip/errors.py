"""What the SIP driver raises. Messages are written for a test report, as they are."""

from __future__ import annotations


class SipError(Exception):
    """A SIP party could not do what the case asked."""


class SippDied(SipError):
    """A SIPp process ended while the case still needed it."""


class SipCommandTimeout(SipError):
    """SIPp did not report the end of a command in time."""


class PortBusy(SipError):
    """SIPp could not bind one of its ports: try again with others (not a server fault)."""
