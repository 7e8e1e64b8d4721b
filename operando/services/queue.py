"""bluesky-queueserver's RE Manager over the operando profile, on loopback.

    start_re_manager(redis_addr="127.0.0.1:6379", workdir=DIR)

The worker loads ``profile/startup`` (operando.shell.start: the session, its plans and the
plain-parameter queue plans of :mod:`operando.queue_plans`), configured by
``$OPERANDO_CONFIG``. Queue and history live in Redis; the list of plans and devices the
worker found is written to ``workdir``.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys

from . import LOOPBACK, Service, ServiceUnavailable, free_port, spawn, wait_for_port

PROFILE = pathlib.Path(__file__).resolve().parents[2] / "profile"


def start_re_manager(
    redis_addr: str,
    workdir: str | os.PathLike,
    *,
    startup_dir: str | os.PathLike = PROFILE / "startup",
    permissions: str | os.PathLike = PROFILE / "user_group_permissions.yaml",
    env: dict[str, str] | None = None,
) -> Service:
    """Start ``start-re-manager``; ``extra`` holds its 0MQ control and info addresses."""
    program = shutil.which("start-re-manager", path=os.path.dirname(sys.executable))
    program = program or shutil.which("start-re-manager")
    if program is None:
        raise ServiceUnavailable("start-re-manager is not installed (pip: bluesky-queueserver)")
    work = pathlib.Path(workdir)
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    control, info = free_port(), free_port()
    argv = [
        program, "--startup-dir", str(startup_dir),
        "--existing-plans-devices", str(work / "existing_plans_and_devices.yaml"),
        "--update-existing-plans-devices", "ENVIRONMENT_OPEN",
        "--user-group-permissions", str(permissions),
        "--redis-addr", redis_addr,
        "--zmq-control-addr", f"tcp://{LOOPBACK}:{control}",
        "--zmq-info-addr", f"tcp://{LOOPBACK}:{info}",
        "--zmq-publish-console", "ON",
    ]  # fmt: skip
    log = work / "re-manager.log"
    process = spawn(argv, log, env=env)
    wait_for_port(LOOPBACK, control, 60, process, "start-re-manager")
    return Service(
        "re-manager", process, control, work, f"tcp://{LOOPBACK}:{control}", log,
        {"control": f"tcp://{LOOPBACK}:{control}", "info": f"tcp://{LOOPBACK}:{info}"},
    )  # fmt: skip
