"""Prosody 0.12 (Debian package) as a throwaway XMPP server on loopback.

It runs in the foreground from a directory of its own, with a generated
config: the c2s port on its host (127.0.0.1 unless told another loopback
address) and the XEP-0114 component port on 127.0.0.1, allocated, never
fixed. It is stopped by its PID; its log stays in the directory.
Measured config and traps: shared/notes/xmpp-server.md.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from ..ports import LOOPBACK, free_port

SERVICES = {b"c2s", b"component"}  # what Prosody must report listening before it is ready

INSTALL_HINT = "apt-get install prosody"


class ProsodyError(RuntimeError):
    pass


class ProsodyNotInstalled(ProsodyError):
    pass


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM; also the trust anchor a client needs, being self-signed
    key: Path


def self_signed_certificate(directory: Path, hostname: str = "localhost", days: int = 2) -> Certificate:
    """A self-signed certificate for `hostname`, written into `directory`."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ProsodyError("the openssl command is needed for a TLS certificate: apt-get install openssl")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{hostname}.crt", directory / f"{hostname}.key"
    command = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(key), "-out", str(cert), "-days", str(days),
        "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise ProsodyError(f"openssl could not make a certificate: {done.stderr.strip()}")
    return Certificate(cert, key)


class Prosody:
    """One Prosody process. `with Prosody(dir) as server:` starts and stops it."""

    def __init__(
        self,
        directory: Path,
        domain: str = "localhost",
        component: str = "rayo.localhost",
        certificate: Certificate | None = None,
        allow_unencrypted_plain_auth: bool = True,
        host: str = LOOPBACK,
    ):
        # Absolute: Prosody runs in it, and looks a relative --config up in /etc/prosody.
        directory = self.directory = directory.resolve()
        self.domain = domain
        self.component = component
        self.host = host  # where clients connect; the component port stays on loopback
        self.component_secret = secrets.token_hex(16)
        self.certificate = certificate  # with one, clients must use STARTTLS; without, plaintext only
        self.allow_unencrypted_plain_auth = allow_unencrypted_plain_auth  # false: only SCRAM on plaintext
        self.config_path = directory / "prosody.cfg.lua"
        self.log_path = directory / "prosody.log"
        self.c2s_port = 0
        self.component_port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log_start = 0
        self._console_closed = False  # Prosody's output ended: it exited
        self._copier: threading.Thread | None = None  # copies its output into the log
        (directory / "data").mkdir(parents=True, exist_ok=True)
        (directory / "certs").mkdir(exist_ok=True)  # Prosody logs an error if it is missing
        self._configure()

    def start(self, timeout: float = 10.0) -> None:
        """Start Prosody and return once its c2s and component ports accept connections."""
        prosody = _command("prosody")
        # If our process dies (SIGKILL), Prosody must not live on: setpriv
        # (util-linux) has the kernel kill it with the thread that started it.
        guard = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
        for _ in range(3):  # another program may take an allocated port first
            self.process = subprocess.Popen(
                [*guard, prosody, "-F", "--config", str(self.config_path)],
                cwd=self.directory, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )
            started, self._console_closed = threading.Event(), False
            self._copier = threading.Thread(target=self._copy_log, args=(self.process.stdout, started), daemon=True)
            self._copier.start()
            self._wait_ready(started, timeout)
            if not self._port_taken():
                return
            self.stop()
            self._configure()
        raise ProsodyError(f"Prosody could not get free ports three times; see {self.log_path}")

    def register(self, user: str, password: str, timeout: float = 10.0) -> str:
        """Create an account (prosodyctl register); returns its bare JID."""
        command = [_command("prosodyctl"), "--config", str(self.config_path), "register", user, self.domain, password]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.directory)
        if done.returncode != 0:
            raise ProsodyError(f"prosodyctl could not register {user}@{self.domain}: {done.stdout.strip()} {done.stderr.strip()}")
        return f"{user}@{self.domain}"

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM by PID; SIGKILL if it has not exited within `timeout`. Returns once its last
        words are in the log."""
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._copier is not None:
            self._copier.join(timeout)  # its output ended with it

    def log(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> "Prosody":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _configure(self) -> None:
        self.c2s_port = free_port(socket.SOCK_STREAM, self.host)
        self.component_port = free_port(socket.SOCK_STREAM)
        while self.component_port == self.c2s_port:
            self.component_port = free_port(socket.SOCK_STREAM)
        self.config_path.write_text(self._config())

    def _config(self) -> str:
        directory = self.directory.resolve()
        tls = self.certificate is not None
        tls_module = ' "tls";' if tls else ""
        lines = [
            "run_as_root = true  -- mod_posix refuses to run as root without it (CI runs as root)",
            f"pidfile = {_lua(directory / 'prosody.pid')}",
            f"data_path = {_lua(directory / 'data')}",
            f"certificates = {_lua(directory / 'certs')}",
            'log = { { levels = { min = "info" }, to = "console" } }',
            f"interfaces = {{ {_lua(self.host)} }}",
            f"c2s_ports = {{ {self.c2s_port} }}",
            f"component_interfaces = {{ {_lua(LOOPBACK)} }}",
            f"component_ports = {{ {self.component_port} }}",
            "c2s_direct_tls_ports = {}; legacy_ssl_ports = {}; s2s_ports = {}; http_ports = {}; https_ports = {}",
            # No "tls" without a certificate: Prosody would offer STARTTLS and fail the handshake.
            f'modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping"; "posix";{tls_module} }}',
            'modules_disabled = { "s2s"; "offline" }',
            'authentication = "internal_hashed"',
            # Nagle's algorithm held each small stanza written after another one
            # until the client's delayed ACK, about 40 ms: an offer took 40 ms
            # through Prosody, against 1 ms from the embedded listener.
            "network_settings = { nagle = false }",
            f"c2s_require_encryption = {'true' if tls else 'false'}",
            f"allow_unencrypted_plain_auth = {'true' if self.allow_unencrypted_plain_auth else 'false'}",
        ]
        if tls:
            lines.append(f"ssl = {{ certificate = {_lua(self.certificate.cert.resolve())}; key = {_lua(self.certificate.key.resolve())} }}")
        lines += [
            f"VirtualHost {_lua(self.domain)}",
            f"Component {_lua(self.component)}",
            f"    component_secret = {_lua(self.component_secret)}",
        ]
        return "\n".join(lines) + "\n"

    def _copy_log(self, output, started: threading.Event) -> None:
        """Prosody's console output into its log file, line by line; `started` is set once both
        services report they are listening (Prosody gives no other readiness signal outside
        systemd, and logs a port it could not bind before that), or when it exits."""
        with self.log_path.open("ab") as log:
            self._log_start = log.tell()  # this run's part of the log
            activated: set[bytes] = set()
            for line in output:
                log.write(line)
                log.flush()
                activated |= {service for service in SERVICES if b"Activated service '" + service + b"'" in line}
                if activated == SERVICES:
                    started.set()
        self._console_closed = True  # it exited
        started.set()

    def _wait_ready(self, started: threading.Event, timeout: float) -> None:
        if not started.wait(timeout):
            self.stop()
            raise ProsodyError(f"Prosody did not open its ports within {timeout:g} s:\n{self.log()[-2000:]}")
        if self._console_closed:
            self.process.wait(timeout)
            raise ProsodyError(f"Prosody exited with status {self.process.returncode} while starting:\n{self.log()[-2000:]}")

    def _this_run(self) -> bytes:
        return self.log_path.read_bytes()[self._log_start :]

    def _port_taken(self) -> bool:
        """Whether Prosody failed to bind a port: it logs that and runs on without it."""
        return b"Failed to open server port" in self._this_run()


def _command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ProsodyNotInstalled(f"{name} was not found on PATH; install Prosody: {INSTALL_HINT}")
    return path


def _lua(value: object) -> str:
    """A Lua string literal."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
