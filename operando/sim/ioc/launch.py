"""Start the simulated beamline IOC in its own process and wait until it answers.

Used by the command line (``operando run`` without ``--prefix``), the test fixtures and the
benchmarks. The IOC listens on loopback only, on its own Channel Access port, so several can
run on one host without sharing UDP 5064; :meth:`SimulatedBeamline.client_env` is the
environment a Channel Access client needs to find it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (also free for UDP, checked)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port


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
