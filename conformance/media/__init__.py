"""RTP media shared by the reference server and the harness: packets, G.711,
RFC 4733 telephone-events, tones, and a loopback RTP endpoint."""

from .dtmf import DtmfEvent, DtmfReceiver, EventPayload, digit_payloads
from .endpoint import RtpCounters, RtpEndpoint
from .rtp import RtpError, RtpPacket
from .tone import tone_frames

__all__ = [
    "DtmfEvent",
    "DtmfReceiver",
    "EventPayload",
    "RtpCounters",
    "RtpEndpoint",
    "RtpError",
    "RtpPacket",
    "digit_payloads",
    "tone_frames",
]
