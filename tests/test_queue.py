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


@pytest.mark.slow
def test_a_cycle_submitted_to_the_queue_lands_in_the_served_store(
    re_manager, served_store, redis_service
):
    from bluesky_queueserver_api import BPlan
    from bluesky_queueserver_api.zmq import REManagerAPI

    from operando.storage import open_store

    RM = REManagerAPI(zmq_control_addr=re_manager.extra["control"],
                      zmq_info_addr=re_manager.extra["info"])  # fmt: skip
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
        RM.item_add(BPlan("rest", cell="A", duration_s=3600.0))
        # Accepted, then refused by the plan's own checks before anything moves.
        RM.item_add(BPlan("cycle", cell="A", v_min=3.5, v_max=100.0, c_rate=2.0))
        RM.queue_start()
        wait_idle(RM)
        items = history(RM)
        assert [i["name"] for i in items] == ["add_cell", "cycle", "rest", "cycle"]
        status = [i["result"]["exit_status"] for i in items]
        assert status[:3] == ["completed"] * 3 and status[3] == "failed"
        assert "100 V lies outside" in items[3]["result"]["msg"]  # the plan's own words
        store = open_store(served_store.uri)
        uids = [u for i in items[1:3] for u in i["result"]["run_uids"]]
        assert len(uids) == 2
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
        time.sleep(1.0)
        after_history = history(RM)
        after_queue = RM.queue_get()["items"]
        assert [i["item_uid"] for i in after_history] == [i["item_uid"] for i in before[0]]
        assert [i["item_uid"] for i in after_queue] == [i["item_uid"] for i in before[1]]
        print(f"queue: {len(items)} plans run ({status}), runs {uids}; after a Redis restart "
              f"{len(after_history)} history items and {len(after_queue)} queued kept")  # fmt: skip
        RM.environment_close()
        wait_idle(RM, 60)
    finally:
        RM.close()
