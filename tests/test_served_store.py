"""A served store (``operando serve`` over PostgreSQL): API key only, acquisition through
TiledWriter, recover, replay, several clients and readers at once."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import httpx
import pytest
from served import REPO, operando_env

from operando.cli import main
from operando.errors import BadRequest, StorageError
from operando.sample import sample_for

LNRO = sample_for("lnro", 3.85, 1.54)
PROCS = REPO / "tests" / "served_procs"


# --- fast: refusals before anything starts -----------------------------------------------


def test_serve_without_a_key_is_refused_before_anything_starts(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPERANDO_API_KEY", raising=False)
    monkeypatch.setenv("OPERANDO_CONFIG", str(tmp_path / "none.toml"))
    assert main(["serve", "--catalog", str(tmp_path / "store")]) == 2
    assert "no API key" in capsys.readouterr().err
    assert not (tmp_path / "store").exists()


def test_a_short_key_is_refused_and_never_echoed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPERANDO_API_KEY", "secret-1")
    assert main(["serve", "--catalog", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err
    assert "16 or more letters and digits" in err and "secret-1" not in err


def test_a_key_in_a_world_readable_configuration_file_is_refused(tmp_path, monkeypatch):
    from operando.storage.credentials import api_key as configured_key

    config = tmp_path / "operando.toml"
    config.write_text('[store]\napi_key = "abcdefabcdefabcdef12"\n')
    config.chmod(0o644)
    monkeypatch.delenv("OPERANDO_API_KEY", raising=False)
    monkeypatch.setenv("OPERANDO_CONFIG", str(config))
    with pytest.raises(BadRequest, match="chmod 600"):
        configured_key()
    config.chmod(0o600)
    assert configured_key() == "abcdefabcdefabcdef12"


def test_a_served_stores_client_logs_locally_per_server(monkeypatch, tmp_path):
    from operando.storage.credentials import log_dir_for

    monkeypatch.setenv("OPERANDO_LOG_DIR", str(tmp_path))
    assert log_dir_for("http://10.0.0.5:8000/api/v1") == tmp_path / "10.0.0.5_8000"


@pytest.mark.slow
def test_the_embedded_store_and_its_logs_are_owner_only(tmp_path):
    from operando.storage import DocumentLog, open_store

    open_store(tmp_path / "data")
    log = DocumentLog(tmp_path / "data" / "document-log")
    log("start", {"uid": "abc", "time": 0.0})
    log("stop", {"uid": "s", "run_start": "abc", "time": 1.0})
    for path in (tmp_path / "data", tmp_path / "data" / "document-log"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (
        tmp_path / "data" / "catalog.db",
        tmp_path / "data" / "document-log" / "abc.jsonl",
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# --- slow: against a served PostgreSQL store ---------------------------------------------


@pytest.mark.slow
def test_anonymous_and_wrong_key_requests_are_refused(served_store):
    url = f"{served_store.uri}/api/v1/metadata/"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Apikey " + "0" * 32}).status_code == 401
    assert httpx.post(f"{served_store.uri}/api/v1/metadata/", json={}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Apikey {served_store.api_key}"}).is_success
    from operando.storage import open_store

    with pytest.raises(StorageError, match="refused the API key") as info:
        open_store(served_store.uri, api_key="f" * 32)
    assert "f" * 32 not in str(info.value)
    log = (served_store.workdir / "serve.log").read_text()
    assert served_store.api_key not in log


@pytest.mark.slow
def test_acquire_replay_and_recover_against_the_served_store(
    served_store, beamline, capsys, tmp_path
):
    from operando.plans import ocv_rest
    from operando.session import make_session
    from operando.storage.verify import compare_with_log

    with make_session(served_store.uri, prefix=beamline.prefix, ca_port=beamline.port,
                      progress=False) as s:  # fmt: skip
        s.assemble_sim_cell(LNRO)
        (uid,) = s.RE(ocv_rest(s.potentiostat, LNRO, 3600.0, record_dt_s=60.0))
        log = s.store.log_dir / f"{uid}.jsonl"
        assert compare_with_log(s.store.run(uid[:8]), log) == []  # partial uid, json-seq
        s.potentiostat.open_circuit()
        # The run is lost from the server (deleted): recover puts it back from the local log.
        s.store.client.delete_contents(uid, recursive=True, external_only=False)
        assert uid not in s.store.client
    assert main(["recover", "--data", served_store.uri, str(log)]) == 0
    assert "ok" in capsys.readouterr().out
    # every log of this client's directory for this server (the default)
    assert main(["recover", "--data", served_store.uri]) == 0
    assert main(["replay", uid, "--data", served_store.uri]) == 0
    assert main(["report", uid[:8], "--data", served_store.uri, "--out", str(tmp_path)]) == 0
    from operando.storage import open_store

    assert compare_with_log(open_store(served_store.uri).run(uid), log) == []


@pytest.mark.slow
def test_a_file_already_in_the_served_catalog_is_not_imported_twice(served_store, capsys):
    pytest.importorskip("galvani")
    from test_import import check_a_file_is_imported_once

    check_a_file_is_imported_once(capsys, served_store.uri)


@pytest.mark.slow
def test_two_acquisition_clients_and_three_readers_20_runs(served_store, tmp_path):
    """Two clients (each its own simulated beamline) acquire 10 short runs each while three
    readers read every finished run; every run is complete and equal to its local log."""
    from operando.storage import open_store
    from operando.storage.verify import compare_with_log, count_logged_events

    env = operando_env()
    stop = tmp_path / "stop"
    clients = [
        subprocess.Popen(
            [
                sys.executable,
                str(PROCS / "client.py"),
                served_store.uri,
                "10",
                str(tmp_path / f"client{i}.json"),
            ],
            env=env,
        )  # fmt: skip
        for i in range(2)
    ]
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                str(PROCS / "reader.py"),
                served_store.uri,
                str(stop),
                str(tmp_path / f"reader{i}.json"),
            ],
            env=env,
        )  # fmt: skip
        for i in range(3)
    ]
    try:
        for c in clients:
            assert c.wait(240) == 0
    finally:
        stop.touch()
        for p in clients + readers:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
    results = [json.loads((tmp_path / f"client{i}.json").read_text()) for i in range(2)]
    uids = [u for r in results for u in r["uids"]]
    assert len(set(uids)) == 20 and not any(r["failed"] for r in results)
    store = open_store(served_store.uri)
    events = 0
    for r in results:
        for uid in r["uids"]:
            run = store.run(uid)
            assert run.metadata["stop"]["exit_status"] == "success"
            log = f"{r['log_dir']}/{uid}.jsonl"
            assert compare_with_log(run, log) == [], uid
            events += count_logged_events(log)
    reads = [json.loads((tmp_path / f"reader{i}.json").read_text()) for i in range(3)]
    for r in reads:
        assert r["errors"] == [] and set(uids) <= set(r["seen"])
    passes = [r["reads"] for r in reads]
    timing = [(round(r["ready_s"]), round(r["runs_s"])) for r in results]
    print(f"20 runs, {events} events, equal to their logs; readers' reads {passes}; "
          f"clients (start-up s, 10 runs s): {timing}")  # fmt: skip
