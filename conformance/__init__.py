"""rayo-conformance: the conformance test harness for Rayo (XEP-0327) servers."""

__version__ = "0.1.0"
