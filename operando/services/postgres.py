"""A private PostgreSQL cluster on loopback for the served store's catalog and tables.

``initdb`` makes a cluster owned by the user that runs it (as root: the ``postgres`` system
user, which PostgreSQL requires), with password (SCRAM) authentication for a role
``operando`` whose password is random and kept in the cluster directory, readable by its
owner only. The server listens on 127.0.0.1 only and has no Unix socket.
"""

from __future__ import annotations

import os
import pathlib
import secrets

from . import LOOPBACK, Service, ServiceUnavailable, find_program, free_port, spawn

DATABASE = "operando"
ROLE = "operando"


def _as_postgres_user() -> tuple[dict, int | None, int | None]:
    """Popen arguments that drop root to the ``postgres`` user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}, None, None
    import pwd

    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceUnavailable(
            "PostgreSQL cannot run as root and there is no 'postgres' user"
        ) from None
    return {"user": user.pw_uid, "group": user.pw_gid}, user.pw_uid, user.pw_gid


def start_postgres(
    parent=None, port: int | None = None, directory=None, durable: bool = True
) -> Service:
    """Start (initialising if new) a PostgreSQL cluster; ``uri`` is the database's URI.

    parent : where to make the cluster's directory (default: the system's temporary one).
    directory : an existing cluster directory to restart.
    durable : False turns fsync off (tests only: a machine crash could corrupt the cluster).
    """
    from . import private_dir

    initdb, postgres = find_program("initdb"), find_program("postgres")
    drop, uid, gid = _as_postgres_user()
    new = directory is None
    d = pathlib.Path(directory) if directory else private_dir(parent, "postgres")
    cluster, secret = d / "cluster", d / "password"
    if uid is not None:
        os.chown(d, uid, gid)
    if new:
        secret.write_text(secrets.token_urlsafe(24))
        os.chmod(secret, 0o600)
        if uid is not None:
            os.chown(secret, uid, gid)
        import subprocess

        out = subprocess.run(
            [initdb, "-D", str(cluster), "-U", ROLE, "--auth=scram-sha-256",
             f"--pwfile={secret}", "-E", "UTF8", "--no-instructions"],
            capture_output=True, text=True, **drop,
        )  # fmt: skip
        if out.returncode:
            raise ServiceUnavailable(f"initdb failed: {out.stderr.strip()[-300:]}")
    port = port or free_port()
    log = d / "postgres.log"
    argv = [
        postgres, "-D", str(cluster), "-p", str(port), "-c", f"listen_addresses={LOOPBACK}",
        "-c", "unix_socket_directories=", "-c", f"fsync={'on' if durable else 'off'}",
        "-c", "max_connections=200",
    ]  # fmt: skip
    if uid is not None and not log.exists():
        log.touch(0o600)
        os.chown(log, uid, gid)
    process = spawn(argv, log, **drop)
    password = secret.read_text().strip()
    base = f"postgresql://{ROLE}:{password}@{LOOPBACK}:{port}"
    _wait_and_create(base, process)
    return Service("postgres", process, port, d, f"{base}/{DATABASE}", log, {"cluster": cluster})


def _wait_and_create(base: str, process, timeout: float = 30.0) -> None:
    """Wait until the server accepts the role's login; create the database if missing."""
    import asyncio
    import time

    import asyncpg

    async def attempt() -> None:
        conn = await asyncpg.connect(f"{base}/postgres", timeout=2)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", DATABASE)
            if not exists:
                await conn.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            await conn.close()

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceUnavailable(f"postgres exited with status {process.returncode}")
        try:
            asyncio.run(attempt())
            return
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            last = exc
            time.sleep(0.1)
    raise ServiceUnavailable(f"postgres did not accept connections in {timeout} s ({last})")
