"""Through real processes: non-finite puts refused with LastError; kill -9 then attach."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest
from cli_here import operando_here
from sync_ca import CA_TIMEOUT_S, again_if_search_unanswered, read_again_if_unanswered

pytestmark = pytest.mark.slow


def _numeric_setpoints(prefix: str) -> dict[str, tuple[str, bool]]:
    """Every writable numeric PV of the simulated beamline: name -> (LastError PV, array)."""
    from caproto import ChannelType

    from operando.sim.ioc.beamline import build_pvdb
    from operando.sim.models.world import World

    pvdb = build_pvdb(prefix, World(time_scale=1.0))
    found = {}
    for name, prop in pvdb.items():
        if prop.pvspec.read_only or prop.data_type not in (ChannelType.DOUBLE, ChannelType.FLOAT):
            continue
        if _one_of_many_scaler_presets(name):
            continue
        group = name[len(prefix) :].split(":")[0]
        last_error = f"{prefix}{group}:LastError"
        if name.startswith(f"{prefix}SIM:MS:"):
            last_error = f"{prefix}SIM:MS:LastError"
        found[name] = (last_error, prop.max_length > 1)
    return found


def _one_of_many_scaler_presets(name: str) -> bool:
    """A scaler's presets PR2..PR31: one putter serves PR1..PR32, so the first and last
    stand for the 32 (each PV costs nine Channel Access connections below)."""
    field = name.rpartition(".")[2]
    return field.startswith("PR") and field[2:].isdigit() and 1 < int(field[2:]) < 32


def test_nan_and_inf_puts_to_every_numeric_setpoint_are_refused_with_a_reason(beamline):
    from caproto.sync.client import ErrorResponseReceived, write

    read = read_again_if_unanswered
    pvs = _numeric_setpoints(beamline.prefix)
    pvs[f"{beamline.prefix}PSTAT:Buf:Start"] = (f"{beamline.prefix}PSTAT:LastError", False)
    pvs[f"{beamline.prefix}DEMS:Buf:Start"] = (f"{beamline.prefix}DEMS:LastError", False)
    # Fields of the motor records (every writable float field refuses; a few are swept).
    for motor in ("SXR:Mono", "HXR:Mono", "HXR:Holder"):
        station = motor.split(":")[0]
        for field in ("VELO", "HLM", "LLM", "ACCL", "OFF"):
            pvs[f"{beamline.prefix}{motor}.{field}"] = (f"{beamline.prefix}{station}:LastError",
                                                        False)  # fmt: skip
    assert {f"{beamline.prefix}HXR:Mono", f"{beamline.prefix}SXR:Holder"} <= set(pvs)
    assert len(pvs) >= 15
    refused = {}
    for pv, (last_error, is_array) in sorted(pvs.items()):
        before = read(pv).data.tolist()
        for bad in (math.nan, math.inf, -math.inf):
            if pv.endswith("Buf:Start"):
                bad = 10**9 if bad == math.inf else -(10**9)  # an int PV: out of range
            value = [bad] * len(before) if is_array else bad
            with pytest.raises(ErrorResponseReceived):  # refused: ECA_PUTFAIL
                again_if_search_unanswered(write, pv, value, notify=True)
            reason = bytes(read(last_error).data).rstrip(b"\0").decode()
            after = read(pv).data.tolist()
            assert after == before or (
                all(math.isnan(a) for a in after) and all(math.isnan(b) for b in before)
            ), f"{pv} accepted {bad}"
            assert str(bad) in reason, f"{pv} {bad}: LastError says {reason!r}"
            refused[pv] = reason
    print(f"{len(refused)} numeric setpoint PVs refused NaN/inf; e.g.", list(refused.items())[:3])


def _kill_then_attach(
    tmp_path, capsys, argv: list[str], logged_marker: str
) -> tuple[dict, dict, str]:
    """Start `operando <argv> --data DIR` in a process, SIGKILL it once its document log
    holds logged_marker, let the instrument record on, then `operando attach
    --open-circuit`. Returns (start document, the instrument's PV values, attach's output)."""
    from caproto.sync.client import read

    data = tmp_path / "data"
    client = subprocess.Popen(
        [sys.executable, "-m", "operando.cli", *argv, "--data", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    log = None
    while time.monotonic() < deadline:
        logs = list((data / "document-log").glob("*.jsonl")) if data.exists() else []
        if logs and logged_marker in logs[0].read_text():
            log = logs[0]
            break
        time.sleep(0.2)
    assert log is not None, f"the run never logged {logged_marker}"
    client.send_signal(signal.SIGKILL)
    client.wait()
    start = json.loads(log.read_text().splitlines()[0])["doc"]
    beamline = start["beamline"]

    def read_pvs(*names: str) -> dict:
        env = {"EPICS_CA_ADDR_LIST": f"127.0.0.1:{beamline['ca_port']}",
               "EPICS_CA_AUTO_ADDR_LIST": "NO"}  # fmt: skip
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            prefix = beamline["prefix"]
            return {n: read(f"{prefix}{n}", timeout=CA_TIMEOUT_S).data[0] for n in names}
        finally:
            os.environ.clear()
            os.environ.update(saved)

    try:
        # The instrument keeps recording without its client: attach once it holds more
        # points than when the client died (no fixed wait).
        at_kill = int(read_pvs("PSTAT:Buf:Count")["PSTAT:Buf:Count"])
        deadline = time.monotonic() + 60
        while int(read_pvs("PSTAT:Buf:Count")["PSTAT:Buf:Count"]) <= at_kill:
            assert time.monotonic() < deadline, "the instrument stopped recording"
            time.sleep(0.05)
        # attach in this process: another one than the killed client's (a process of its
        # own would only repeat the imports, about 4 s)
        code, out, err = operando_here(capsys, "attach", "--data", str(data), "--open-circuit")
        assert code == 0, out + err
        print(out.strip())
        pvs = read_pvs("PSTAT:Buf:Count", "PSTAT:Status", "DEMS:Buf:Count", "DEMS:Acquiring")
    finally:
        os.kill(beamline["simulator_pid"], signal.SIGTERM)
    return start, pvs, out


def _stored(data, uid: str, stream: str) -> int:
    from operando.storage import open_store

    return len(open_store(data).run(uid)[stream].read()["clock"])


def test_kill_9_mid_charge_then_attach_stores_every_point_and_opens_the_circuit(tmp_path, capsys):
    argv = ["run", "cycle", "--material", "lnmo", "--mass-mg", "3.85", "--c-rate", "0.02",
            "--v-min", "2", "--v-max", "4.8", "--time-scale", "2000"]  # fmt: skip
    start, pvs, out = _kill_then_attach(tmp_path, capsys, argv, '"event_page"')
    count = int(pvs["PSTAT:Buf:Count"])
    assert pvs["PSTAT:Status"] not in (1, b"Running", "Running")  # the circuit is open
    stored = _stored(tmp_path / "data", start["uid"], "primary")
    logged_before = int(out.split("had logged ")[1].split()[0])
    assert stored == count > logged_before
    assert f"{count} primary points stored" in out
    from operando.storage import open_store

    run = open_store(tmp_path / "data").run(start["uid"])
    assert run.metadata["stop"]["reason"].startswith("re-attached")


def test_kill_9_mid_dems_then_attach_stores_the_gas_samples_too(tmp_path, capsys):
    """The mass spectrometer's record is read into the run's dems stream as well, and its
    sampling stops with the cell."""
    argv = ["run", "dems", "--material", "lnmo", "--mass-mg", "32.9", "--current-mA-g", "10",
            "--cycles", "1", "--rest-h", "0.5", "--sample-interval-s", "60",
            "--time-scale", "2000"]  # fmt: skip
    start, pvs, out = _kill_then_attach(tmp_path, capsys, argv, '"name": "dems"')
    assert pvs["PSTAT:Status"] not in (1, b"Running", "Running")
    assert pvs["DEMS:Acquiring"] in (0, b"Idle", "Idle")
    data = tmp_path / "data"
    assert _stored(data, start["uid"], "primary") == int(pvs["PSTAT:Buf:Count"])
    assert _stored(data, start["uid"], "dems") == int(pvs["DEMS:Buf:Count"]) > 0
    assert "dems:" in out


def test_a_new_run_refuses_a_channel_that_is_running(beamline, tmp_path, session):
    from operando.cli import main
    from operando.sample import sample_for
    from operando.studies.running import simulator_time_scale

    sample = sample_for("lnmo", 3.85)
    session.assemble_sim_cell(sample)
    # start a long charge directly on the instrument, as another client would; the clock
    # slowed so that it is still running when the command checks, whatever the load
    p = session.potentiostat
    with simulator_time_scale(session, 100.0):
        try:
            p.procedure.n_steps.set(1).wait()
            p.procedure.technique.set([1] * 64).wait()
            p.procedure.current.set([0.0005] * 64).wait()
            p.procedure.e_upper.set([4.8] * 64).wait()
            p.procedure.e_lower.set([2.0] * 64).wait()
            p.start_cmd.set(1).wait()
            assert p.status.get(use_monitor=False) == "Running"
            argv = ["run", "cycle", "--material", "lnmo", "--mass-mg", "3.85", "--c-rate",
                    "0.02", "--v-min", "2", "--v-max", "4.8", "--prefix", beamline.prefix,
                    "--ca-port", str(beamline.port), "--data", str(tmp_path / "d2")]  # fmt: skip
            assert main(argv) == 2
            assert not (tmp_path / "d2").exists()
        finally:
            p.stop_cmd.set(1).wait()
