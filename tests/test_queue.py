"""The queue server for real: RE Manager (Redis) over the profile, plans with plain
parameters submitted by bluesky-queueserver-api, runs in the served store."""

from __future__ import annotations

import time

import pytest
from served import operando_env

pytest.importorskip("bluesky_queueserver_api")


def wait_idle(RM, timeout: float = 120.0) -> None:
    RM.wait_for_idle(timeout=timeout)


@pytest.fixture
def re_manager(redis_service, served_store, tmp_path):
    from operando.services.queue import start_re_manager

    config = tmp_path / "operando.toml"
    config.write_text(
        f'[store]\ndata = "{served_store.uri}"\n[simulator]\ntime_scale = 100000\n'
        '[session]\noperator = "queue"\n'
    )
    env = operando_env(OPERANDO_CONFIG=str(config), MPLBACKEND="agg")
    manager = start_re_manager(redis_service.uri, tmp_path / "qs", env=env)
    yield manager
    manager.stop_group()


def history(RM) -> list[dict]:
    return RM.history_get()["items"]


def answered(request, timeout: float = 30.0):
    """request() once the RE Manager answers again (it reconnects to a restarted Redis)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return request()
        except Exception:  # noqa: BLE001 - the manager's errors while Redis comes back
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.slow
def test_a_cycle_submitted_to_the_queue_lands_in_the_served_store(
    re_manager, served_store, redis_service
):
    from bluesky_queueserver_api import BPlan
    from bluesky_queueserver_api.zmq import REManagerAPI

    from operando.storage import open_store

    RM = REManagerAPI(zmq_control_addr=re_manager.extra["control"],
                      zmq_info_addr=re_manager.extra["info"], timeout_recv=15.0)  # fmt: skip
    try:
        RM.history_clear()
        RM.queue_clear()
        RM.environment_open()
        wait_idle(RM)
        assert RM.status()["worker_environment_exists"]
        # Refused when submitted: a parameter of the wrong type (the client is told why).
        with pytest.raises(Exception) as refused:
            RM.item_add(BPlan("cycle", cell="A", v_min="low", v_max=4.9, c_rate=2.0))
        print("refused at submission:", str(refused.value)[:200])
        RM.item_add(BPlan("add_cell", "A", "lnmo", 3.85))
        RM.item_add(BPlan("cycle", cell="A", v_min=3.5, v_max=4.9, c_rate=2.0))
        RM.item_add(
            BPlan("charge_measure", cell="A", cutoffs_V=[4.5, 3.5], c_rate=2.0, gas_sample=True)
        )
        RM.item_add(BPlan("rest", cell="A", duration_s=3600.0))
        # Accepted, then refused by the plan's own checks before anything moves.
        RM.item_add(BPlan("cycle", cell="A", v_min=3.5, v_max=100.0, c_rate=2.0))
        RM.queue_start()
        wait_idle(RM)
        items = history(RM)
        names = ["add_cell", "cycle", "charge_measure", "rest", "cycle"]
        assert [i["name"] for i in items] == names
        status = [i["result"]["exit_status"] for i in items]
        assert status[:4] == ["completed"] * 4 and status[4] == "failed"
        assert "100 V lies outside" in items[4]["result"]["msg"]  # the plan's own words
        store = open_store(served_store.uri)
        uids = [u for i in items[1:4] for u in i["result"]["run_uids"]]
        assert len(uids) >= 3
        for uid in uids:
            run = store.run(uid)
            assert run.metadata["stop"]["exit_status"] == "success"
            assert run.metadata["start"]["operator"] == "queue"
        # Redis killed (SIGKILL) and restarted on its directory (append-only file, fsync
        # always) and port: the queue and its history survive.
        RM.item_add(BPlan("rest", cell="A", duration_s=600.0))
        before = (history(RM), RM.queue_get()["items"])
        redis_service.kill()
        from operando.services import start_redis

        restarted = start_redis(port=redis_service.port, directory=redis_service.directory)
        redis_service.process = restarted.process
        after_history = answered(lambda: history(RM))
        after_queue = RM.queue_get()["items"]
        assert [i["item_uid"] for i in after_history] == [i["item_uid"] for i in before[0]]
        assert [i["item_uid"] for i in after_queue] == [i["item_uid"] for i in before[1]]
        print(f"queue: {len(items)} plans run ({status}), runs {uids}; after a Redis restart "
              f"{len(after_history)} history items and {len(after_queue)} queued kept")  # fmt: skip
        RM.environment_close()
        wait_idle(RM, 60)
    finally:
        RM.close()


def newest_unfinished_log(log_dir) -> object | None:
    logs = sorted(log_dir.glob("*/*.jsonl"), key=lambda p: p.stat().st_mtime)
    for path in reversed(logs):
        text = path.read_text()
        if '"name": "stop"' not in text and '"name": "event' in text:
            return path
    return None


@pytest.mark.slow
def test_the_worker_killed_mid_plan_leaves_the_instrument_safe_and_the_run_stored(
    re_manager, served_store
):
    """The RE Manager's worker is killed during a long rest; `operando attach` against the
    served store finds the run in this machine's log, opens the circuit and stores every
    point the instrument recorded."""
    import json
    import os
    import pathlib
    import subprocess
    import sys

    from bluesky_queueserver_api import BPlan
    from bluesky_queueserver_api.zmq import REManagerAPI

    from operando.storage import open_store

    RM = REManagerAPI(zmq_control_addr=re_manager.extra["control"],
                      zmq_info_addr=re_manager.extra["info"], timeout_recv=15.0)  # fmt: skip
    log_dir = pathlib.Path(os.environ["OPERANDO_LOG_DIR"])
    try:
        RM.queue_clear()
        RM.environment_open()
        wait_idle(RM)
        RM.item_add(BPlan("add_cell", "K", "lnro", 3.85))
        RM.item_add(BPlan("rest", cell="K", duration_s=4_000_000.0, record_dt_s=2000.0))
        RM.queue_start()
        deadline = time.monotonic() + 60
        log = None
        while time.monotonic() < deadline:
            log = newest_unfinished_log(log_dir)
            if log is not None and log.read_text().count('"seq_num"') >= 3:
                break
            time.sleep(0.1)
        assert log is not None, "the rest did not start"
        RM.environment_destroy()  # kills the worker process mid-plan
        wait_idle(RM, 60)
        start = json.loads(log.read_text().splitlines()[0])["doc"]
        out = subprocess.run(
            [sys.executable, "-m", "operando.cli", "attach", "--data", served_store.uri,
             "--uid", start["uid"], "--open-circuit"],
            env=operando_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr[-2000:]
        run = open_store(served_store.uri).run(start["uid"])
        stored = int(run["primary"].read().sizes["time"])
        print(f"worker killed mid-plan: {out.stdout.strip()}")
        assert "re-attached" in run.metadata["stop"]["reason"]
        assert f"{stored} primary points stored" in out.stdout
        assert "circuit opened" in out.stdout  # the instrument is left at open circuit
        recorded = int(out.stdout.split("the instrument recorded ")[1].split()[0])
        assert stored == recorded
    finally:
        RM.close()
        pid = None
        try:
            pid = start["beamline"]["simulator_pid"]  # the worker's orphaned simulator
        except (NameError, KeyError, TypeError):
            pass
        if pid:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
