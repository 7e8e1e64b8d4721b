"""Local services a beamline runs beside acquisition: PostgreSQL (the served store's catalog),
Redis (the queue server's queue and history) and NATS JetStream (the durable document broker).

Each is started from its Debian package's binary (``postgres``/``initdb``, ``redis-server``,
``nats-server``) in a directory of its own, listening on loopback only, on a free port unless
one is given, and stopped by process id. The tests' fixtures and ``.ci/run`` use these, and so
can a small lab without system services (``python -m operando.services start DIR``).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field

from ..errors import OperandoError


class ServiceUnavailable(OperandoError):
    """A service's program is not installed here or it would not start."""


LOOPBACK = "127.0.0.1"


@dataclass
class Service:
    """A running service process."""

    name: str
    process: subprocess.Popen
    port: int
    directory: pathlib.Path
    uri: str  # how clients reach it (secrets included for PostgreSQL: never print it)
    log: pathlib.Path
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop this process (SIGTERM, then SIGKILL after timeout s); its data stays."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def stop_group(self, timeout: float = 15.0) -> None:
        """Stop the process and the children it started (its own process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.5)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # what of the group is still there
        except ProcessLookupError:
            pass
        self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL (fault injection): no shutdown of any kind."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on host right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float, process=None, what: str = "") -> None:
    """Until something accepts TCP connections on host:port (or the process exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with status {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceUnavailable(f"{what} did not listen on {host}:{port} within {timeout} s")


def find_program(name: str) -> str:
    """The path of a service program, searching sbin and PostgreSQL's own bin too."""
    extra = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]
    pg = pathlib.Path("/usr/lib/postgresql")
    if pg.is_dir():
        extra += [str(p / "bin") for p in sorted(pg.iterdir(), reverse=True)]
    path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", "")] + extra))
    if path is None:
        package = name if name in ("redis-server", "nats-server") else "postgresql"
        raise ServiceUnavailable(f"{name} is not installed (Debian: apt-get install {package})")
    return path


def private_dir(parent: str | os.PathLike | None, name: str) -> pathlib.Path:
    """A new directory readable by its owner only."""
    import tempfile

    if parent is not None:
        pathlib.Path(parent).mkdir(parents=True, exist_ok=True)
    return pathlib.Path(tempfile.mkdtemp(prefix=f"operando-{name}-", dir=parent))


def spawn(argv: list[str], log: pathlib.Path, **kwargs) -> subprocess.Popen:
    """Start a service in its own process group, output to its log file (owner-only)."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=fd, stderr=subprocess.STDOUT,
            start_new_session=True, **kwargs,
        )  # fmt: skip
    finally:
        os.close(fd)


def start_redis(parent=None, port: int | None = None, directory=None) -> Service:
    """redis-server on loopback with an append-only file: its data survive a restart.

    ``directory``: an existing Redis directory to restart on (its AOF is loaded).
    """
    program = find_program("redis-server")
    d = pathlib.Path(directory) if directory else private_dir(parent, "redis")
    port = port or free_port()
    log = d / "redis.log"
    argv = [
        program, "--bind", LOOPBACK, "--port", str(port), "--dir", str(d),
        "--protected-mode", "yes", "--save", "", "--appendonly", "yes",
        "--appendfsync", "always", "--daemonize", "no",
    ]  # fmt: skip
    process = spawn(argv, log)
    wait_for_port(LOOPBACK, port, 15, process, "redis-server")
    return Service("redis", process, port, d, f"{LOOPBACK}:{port}", log)


def start_nats(parent=None, port: int | None = None, directory=None) -> Service:
    """nats-server with JetStream (file storage in its directory) on loopback."""
    program = find_program("nats-server")
    d = pathlib.Path(directory) if directory else private_dir(parent, "nats")
    port = port or free_port()
    log = d / "nats.log"
    argv = [program, "-a", LOOPBACK, "-p", str(port), "-js", "-sd", str(d / "jetstream")]
    process = spawn(argv, log)
    wait_for_port(LOOPBACK, port, 15, process, "nats-server")
    return Service("nats", process, port, d, f"nats://{LOOPBACK}:{port}", log)


from .postgres import start_postgres  # noqa: E402,F401 - re-exported
