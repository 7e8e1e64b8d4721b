"""Start the simulated beamline IOC in its own process and wait until it answers.

Used by the command line (``operando run`` without ``--prefix``), the test fixtures and the
benchmarks. The IOC listens on loopback only, on its own Channel Access port, so several can
run on one host without sharing UDP 5064; :meth:`SimulatedBeamline.client_env` is the
environment a Channel Access client needs to find it.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
import sys
import time

# Channel Access ports are taken outside the kernel's ephemeral range. caproto's clients and
# servers both set SO_REUSEADDR and SO_REUSEPORT on their UDP sockets, so the kernel may give
# a client socket an ephemeral port a server already holds (measured: 21 of 3000 fresh
# sockets landed on one of 199 such ports). Datagrams to that port then reach the server, not
# the client, and the client's searches go unanswered: in CI one sync-client read in ~1,200,
# and a whole pytest worker whose shared client could then connect no new PV.
CA_PORT_FLOOR = 10000  # below: ports that system services are usually configured on
EPHEMERAL_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range"


def ephemeral_port_range() -> tuple[int, int]:
    """The ports the kernel gives sockets that bind port 0: Linux's setting, else the widest
    of the usual defaults (Linux 32768-60999; macOS, BSD and Windows 49152-65535)."""
    try:
        with open(EPHEMERAL_RANGE_FILE) as f:
            low, high = f.read().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 65535


def free_port() -> int:
    """A port on loopback outside the ephemeral range that nothing uses now, for TCP and
    UDP (checked): a Channel Access server's port, drawn at random so that processes
    starting servers at the same time rarely draw the same one."""
    low, high = ephemeral_port_range()
    ranges = [r for r in ((CA_PORT_FLOOR, low - 1), (high + 1, 65535)) if r[0] <= r[1]]
    if not ranges:  # an ephemeral range from CA_PORT_FLOOR up: what lies below it
        ranges = [(1024, min(CA_PORT_FLOOR, low) - 1)]
    sizes = [last - first + 1 for first, last in ranges]  # weights: uniform over all ports
    pick = random.SystemRandom()
    for _ in range(1000):
        ((first, last),) = pick.choices(ranges, weights=sizes)
        port = pick.randint(first, last)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                tcp.bind(("127.0.0.1", port))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no free port for a Channel Access server on loopback in {ranges}")


def beacon_env(interface: str) -> dict[str, str]:
    """Channel Access beacons only where the server serves: loopback stays on loopback.

    (caproto otherwise broadcasts them to 255.255.255.255 on every interface.)
    """
    if interface.startswith("127."):
        return {
            "EPICS_CAS_BEACON_ADDR_LIST": interface,
            "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
        }
    return {}


def ca_client_env(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    """Environment variables that point a Channel Access client at one server only."""
    return {
        "EPICS_CA_ADDR_LIST": f"{host}:{port}",
        "EPICS_CA_AUTO_ADDR_LIST": "NO",
    }


class SimulatedBeamline:
    """The simulated IOC as a subprocess; a context manager.

    Parameters
    ----------
    prefix : PV prefix of the beamline (random if None), e.g. ``"SIM1:"``.
    port : Channel Access server port (a free one if None).
    time_scale : instrument seconds per wall-clock second.
    interface : address to serve on (loopback by default).
    """

    def __init__(
        self,
        prefix: str | None = None,
        port: int | None = None,
        time_scale: float = 1.0,
        interface: str = "127.0.0.1",
    ):
        self.prefix = prefix or f"OPSIM{secrets.token_hex(3).upper()}:"
        self.port = port or free_port()
        self.time_scale = time_scale
        self.interface = interface
        self.process: subprocess.Popen | None = None

    def client_env(self) -> dict[str, str]:
        return ca_client_env(
            self.port, "127.0.0.1" if self.interface == "0.0.0.0" else self.interface
        )

    def start(self, timeout: float = 30.0, *, wait: bool = True) -> SimulatedBeamline:
        """Launch the IOC process; with wait, return once it answers (else call
        ``wait_ready`` later: the caller can do other work while the IOC starts)."""
        cmd = [
            sys.executable, "-m", "operando.sim",
            "--prefix", self.prefix,
            "--port", str(self.port),
            "--time-scale", repr(self.time_scale),
            "--interface", self.interface,
            "--exit-with-parent",
        ]  # fmt: skip
        # stderr to a file, not a pipe: the IOC may outlive a killed client (see
        # operando.sim.__main__._exit_with_parent) and must not die writing to a closed pipe.
        import tempfile

        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env={**os.environ, **beacon_env(self.interface)},
        )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Return once the IOC answers; stop it and raise if it exits or stays silent."""
        from caproto.sync.client import read

        env = self.client_env()
        deadline = time.monotonic() + timeout
        pv = f"{self.prefix}PSTAT:Time"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._stderr.seek(0)
                err = self._stderr.read().decode(errors="replace")
                raise RuntimeError(f"the simulated IOC exited at start:\n{err[-2000:]}")
            try:
                saved = {k: os.environ.get(k) for k in env}
                os.environ.update(env)
                try:
                    read(pv, timeout=0.5, repeater=False)
                finally:
                    for k, v in saved.items():
                        if v is None:
                            os.environ.pop(k, None)
                        else:
                            os.environ[k] = v
                return
            except (TimeoutError, OSError, Exception):
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the simulated IOC did not answer on {pv} within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> SimulatedBeamline:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
