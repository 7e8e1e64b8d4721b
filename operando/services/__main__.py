"""``python -m operando.services start|stop DIR``: the beamline's services for one machine.

start: PostgreSQL, Redis and NATS JetStream in DIR (each in a sub-directory of its own, on
127.0.0.1, free ports), running after this command exits; their URIs go to
``DIR/services.env`` (owner-only: it holds the PostgreSQL password), their process ids to
``DIR/services.json``. stop: stops those processes, by id; their data stay in DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import sys


def start(directory: pathlib.Path) -> int:
    from ..storage.server import describe_catalog
    from . import start_nats, start_redis
    from .postgres import start_postgres

    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "services.json").exists():
        print(f"services already started in {directory} (stop them first)", file=sys.stderr)
        return 2
    services = [start_postgres(directory), start_redis(directory), start_nats(directory)]
    env = {
        "OPERANDO_CATALOG": services[0].uri,
        "OPERANDO_REDIS": services[1].uri,
        "OPERANDO_NATS": services[2].uri,
    }
    fd = os.open(directory / "services.env", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in env.items())
    (directory / "services.json").write_text(
        json.dumps({s.name: {"pid": s.pid, "port": s.port} for s in services})
    )
    for s in services:
        print(f"{s.name}: {describe_catalog(s.uri)} (pid {s.pid})")
    print(f"URIs (with the PostgreSQL password) in {directory / 'services.env'}")
    return 0


def stop(directory: pathlib.Path) -> int:
    record = directory / "services.json"
    if not record.exists():
        print(f"no services started in {directory}", file=sys.stderr)
        return 2
    for name, info in json.loads(record.read_text()).items():
        try:
            os.kill(info["pid"], signal.SIGTERM)
            print(f"{name}: stopped (pid {info['pid']})")
        except ProcessLookupError:
            print(f"{name}: was not running")
    record.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m operando.services", description=__doc__)
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("directory", type=pathlib.Path)
    args = parser.parse_args(argv)
    return (start if args.action == "start" else stop)(args.directory.resolve())


if __name__ == "__main__":
    sys.exit(main())
