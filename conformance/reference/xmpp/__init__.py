"""The reference server's embedded XMPP c2s listener and its seam to the Rayo core."""

from .c2s import C2SServer
from .interface import StanzaHandler, StanzaSender
from .tls import LoopbackCertificate, OpenSSLMissing, make_loopback_certificate

__all__ = [
    "C2SServer",
    "LoopbackCertificate",
    "OpenSSLMissing",
    "StanzaHandler",
    "StanzaSender",
    "make_loopback_certificate",
]
