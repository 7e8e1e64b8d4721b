"""Faults of the services beside acquisition, with nothing lost: the served store's server
killed mid-run and restarted (the writer catches up from the document log)."""

from __future__ import annotations

import threading
import time

import pytest
from served import ServedStore

from operando.sample import sample_for

LNRO = sample_for("lnro", 3.85, 1.54)


def events_in(path) -> int:
    """Events in a document log written so far (Events and EventPages)."""
    from operando.storage.verify import count_logged_events

    try:
        return count_logged_events(path)
    except (FileNotFoundError, StopIteration, KeyError):
        return 0


@pytest.mark.slow
def test_the_store_server_killed_mid_run_and_restarted_loses_nothing(
    postgres, api_key, beamline, tmp_path, monkeypatch
):
    import tiled.client.utils

    import operando.storage
    from operando.plans import ocv_rest
    from operando.session import make_session
    from operando.storage.verify import compare_with_log

    monkeypatch.setattr(operando.storage, "WRITER_BATCH_SIZE", 50)  # writes during the run
    # tiled's client retries for up to 45 s by default, which would hide a short outage: make
    # the writer give up at once, so the run is stored by the catch-up from its log.
    monkeypatch.setattr(tiled.client.utils, "TILED_RETRY_ATTEMPTS", 2)
    monkeypatch.setattr(tiled.client.utils, "TILED_RETRY_TIMEOUT", 1.0)
    monkeypatch.setenv("OPERANDO_API_KEY", api_key)
    monkeypatch.setenv("OPERANDO_LOG_DIR", str(tmp_path / "logs"))
    server = ServedStore(postgres.uri, api_key, tmp_path)
    server.start()
    killed: dict = {}
    try:
        with make_session(server.uri, prefix=beamline.prefix, ca_port=beamline.port,
                          progress=False) as s:  # fmt: skip
            s.assemble_sim_cell(LNRO)

            def kill_then_restart():
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    logs = list(s.store.log_dir.glob("*.jsonl"))
                    if logs and events_in(logs[0]) >= 300:
                        break
                    time.sleep(0.01)
                server.kill()
                killed["at_events"] = events_in(logs[0])
                run_done.wait(120)  # down for the rest of the run
                server.start()

            run_done = threading.Event()
            fault = threading.Thread(target=kill_then_restart, daemon=True)
            fault.start()
            try:
                (uid,) = s.RE(ocv_rest(s.potentiostat, LNRO, 600_000.0, record_dt_s=500.0))
            finally:
                run_done.set()
            recorded = int(s.potentiostat.buffer.count.get())
            fault.join(90)
            # Either tiled's own retries outlasted the outage, or the writer gave the run up
            # and the catch-up re-ingested it from the log: complete either way.
            path = "catch-up from the log" if uid in s.writer.failed_runs else "writer retries"
            assert s.catch_up.wait(120)
            log = s.store.log_dir / f"{uid}.jsonl"
            run = s.store.run(uid)
            stored = int(run["primary"].read().sizes["time"])
            assert stored == recorded
            assert compare_with_log(run, log) == []
            s.potentiostat.open_circuit()
        print(f"server killed at {killed['at_events']} events; instrument recorded {recorded} "
              f"points, {stored} stored ({path})")  # fmt: skip
    finally:
        server.stop()
