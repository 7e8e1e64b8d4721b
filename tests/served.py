"""Fixtures for tests against real services: PostgreSQL, a served store, Redis, NATS.

Each service is started once per test session by the project's own code
(:mod:`operando.services`) in a temporary directory on loopback, and stopped at the end.
Where a service's program is not installed the tests that need it are skipped with the
reason, unless ``OPERANDO_REQUIRE_SERVICES=1`` (set by ``.ci/run``): then they fail.

Import the fixtures into a test module: ``from served import postgres, served_store, ...``.
"""

from __future__ import annotations

import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import time

import pytest

from operando.services import ServiceUnavailable, free_port

REQUIRED = os.environ.get("OPERANDO_REQUIRE_SERVICES") == "1"
REPO = pathlib.Path(__file__).resolve().parents[1]


def _start(start, *args, **kwargs):
    try:
        return start(*args, **kwargs)
    except ServiceUnavailable as exc:
        if REQUIRED:
            raise
        pytest.skip(f"service not available here: {exc}")


def operando_env(**extra: str) -> dict[str, str]:
    """The environment of an operando subprocess: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


class ServedStore:
    """``operando serve`` in a subprocess: restartable (fault tests), stopped by its pid."""

    def __init__(self, catalog: str, api_key: str, workdir: pathlib.Path):
        self.catalog = catalog
        self.api_key = api_key
        self.workdir = workdir
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        ready = self.workdir / f"ready-{time.monotonic_ns()}"
        # the catalog's URI (a password) through the environment, not the process list
        argv = [sys.executable, "-m", "operando.cli", "serve",
                "--port", str(self.port), "--arrays", str(self.workdir / "arrays"),
                "--ready-file", str(ready)]  # fmt: skip
        log = open(self.workdir / "serve.log", "a")
        self.process = subprocess.Popen(
            argv, env=operando_env(OPERANDO_API_KEY=self.api_key, OPERANDO_CATALOG=self.catalog),
            stdout=log, stderr=log,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"operando serve exited: {(self.workdir / 'serve.log').read_text()[-2000:]}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError("operando serve did not start in time")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def postgres():
    from operando.services import start_postgres

    service = _start(start_postgres, durable=False)
    yield service
    service.stop()
    shutil.rmtree(service.directory, ignore_errors=True)  # its temporary directory


@pytest.fixture(scope="session")
def api_key():
    return secrets.token_hex(24)


@pytest.fixture(scope="session")
def served_store(postgres, api_key, services_dir):
    """``operando serve`` over the PostgreSQL catalog; clients get the key from the
    environment and keep their document logs under a temporary directory."""
    workdir = services_dir / "served"
    workdir.mkdir()
    server = ServedStore(postgres.uri, api_key, workdir)
    server.start()
    saved = {k: os.environ.get(k) for k in ("OPERANDO_API_KEY", "OPERANDO_LOG_DIR")}
    os.environ["OPERANDO_API_KEY"] = api_key
    os.environ["OPERANDO_LOG_DIR"] = str(workdir / "client-logs")
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def redis_service():
    from operando.services import start_redis

    service = _start(start_redis)
    yield service
    service.stop()
    shutil.rmtree(service.directory, ignore_errors=True)  # its temporary directory


@pytest.fixture(scope="session")
def nats_service():
    from operando.services import start_nats

    if not REQUIRED:
        pytest.importorskip("nats", reason="nats-py is in the 'services' extra")

    service = _start(start_nats)
    yield service
    service.stop()
    shutil.rmtree(service.directory, ignore_errors=True)  # its temporary directory
