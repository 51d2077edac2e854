"""A throwaway certificate for STARTTLS on loopback.

Made with the openssl command, in a temporary directory that is gone when
the function returns: the key lives only inside the returned SSLContext.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class OpenSSLMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class LoopbackCertificate:
    cert_pem: str  # the trust anchor a client needs
    server_context: ssl.SSLContext

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate and nothing else."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=self.cert_pem)
        context.verify_flags |= ssl.VERIFY_X509_STRICT  # as Python 3.13 clients check by default
        return context


def make_loopback_certificate(days: int = 2) -> LoopbackCertificate:
    """A self-signed certificate for localhost and 127.0.0.1 (blocks for ~0.1 s)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise OpenSSLMissing(
            "the openssl command was not found on PATH; it is needed to make the self-signed "
            "certificate for STARTTLS (Debian: apt-get install openssl)"
        )
    with tempfile.TemporaryDirectory(prefix="rayo-tls-") as directory:
        cert, key = Path(directory, "cert.pem"), Path(directory, "key.pem")
        command = [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", str(days), "-subj", "/CN=localhost",
            # A self-signed certificate is its own CA: strict verifiers want
            # these extensions spelled out.
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"openssl could not make a certificate: {done.stderr.strip()}")
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(cert, key)
        return LoopbackCertificate(cert.read_text(), server_context)
