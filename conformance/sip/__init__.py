"""The SIPp driver: the far ends of the calls, played by SIPp with the harness as its 3PCC twin."""

from .driver import SipDriver
from .errors import PortBusy, SipCommandTimeout, SipError, SippDied
from .events import SipEvent
from .parties import Callee, Caller

__all__ = ["Callee", "Caller", "PortBusy", "SipCommandTimeout", "SipDriver", "SipError", "SipEvent", "SippDied"]
