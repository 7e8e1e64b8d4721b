"""The bridge IOC with its in-memory drivers passes the potentiostat (and mass
spectrometer) integration tests the simulator passes: the same plans and devices, through
Channel Access, against either IOC."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from operando.devices.instrument import InstrumentRefused
from operando.plans import galvanostatic, ocv_rest, potentiostatic_hold
from operando.sample import sample_for

pytestmark = pytest.mark.slow

LNRO = sample_for("lnro", 3.85, 1.54)
TIME_SCALE = 100_000.0


@pytest.fixture(scope="module")
def bridge_session(beamline, tmp_path_factory):
    """The bridge (in-memory linear cell) in its own process, and a session on it."""
    from operando.session import make_session
    from operando.sim.ioc.launch import free_port

    port, prefix = free_port(), f"BRIDGE{os.getpid()}:"
    saved = os.environ["EPICS_CA_ADDR_LIST"]
    # Searches go to both servers: the simulator's (the test session's) and the bridge's.
    both = os.environ["EPICS_CA_ADDR_LIST"] = f"{saved} 127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "operando.bridge", "--prefix", prefix, "--port", str(port),
           "--time-scale", repr(TIME_SCALE),
           "--ms-driver", "operando.bridge.memory:InMemoryMassSpectrometer"]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"{prefix}PSTAT:Time", process)
        s = make_session(str(tmp_path_factory.mktemp("bridge") / "data"), prefix=prefix,
                         connect_timeout=3.0, progress=False)  # fmt: skip
        assert s.sim_control is None and s.hard_xray is None  # no simulator, no X-rays
        assert s.mass_spectrometer is not None
        s.ca_addr_list = both  # see ioc()
        yield s
        s.potentiostat.open_circuit()
    finally:
        process.terminate()
        process.wait(timeout=10)
        os.environ["EPICS_CA_ADDR_LIST"] = saved


def _wait_for(pv: str, process, timeout: float = 30.0) -> None:
    from caproto.sync.client import read

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the bridge exited at start"
        try:
            read(pv, timeout=0.5, repeater=False)
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    raise TimeoutError(f"the bridge did not answer on {pv}")


@pytest.fixture(params=["simulator", "bridge"])
def ioc(request):
    """(session, prepare): prepare() puts a fresh cell on the simulator's channel; the
    bridge's linear cell stays where the last test left it."""
    if request.param == "simulator":
        session = request.getfixturevalue("session")
        return session, lambda: session.assemble_sim_cell(LNRO)
    bridge = request.getfixturevalue("bridge_session")
    # A simulator test's session points the client at the simulator alone: the bridge's
    # PVs first searched after it (its LastErrorPV) would go unanswered, and each refusal
    # then waits out its grace period instead of failing at once.
    os.environ["EPICS_CA_ADDR_LIST"] = bridge.ca_addr_list
    return bridge, lambda: None


def primary(session, uid):
    ds = session.store.run(uid)["primary"].read()
    return {k: ds[k].values for k in ("t", "Ewe", "I", "Q", "step")}


def test_ocv_rest_records_open_circuit_for_its_duration(ioc):
    session, prepare = ioc
    prepare()
    (uid,) = session.RE(ocv_rest(session.potentiostat, LNRO, 6 * 3600.0, record_dt_s=300.0))
    c = primary(session, uid)
    assert (c["I"] == 0).all()
    assert c["t"][-1] - c["t"][0] == pytest.approx(6 * 3600.0, abs=1e-6)
    assert np.diff(c["t"]).max() <= 300.0 + 1e-6
    assert session.potentiostat.end_reason.get(use_monitor=False) == "duration"


def test_galvanostatic_charge_stops_at_its_cutoff(ioc):
    session, prepare = ioc
    prepare()
    (uid,) = session.RE(galvanostatic(session.potentiostat, LNRO, cutoff_V=3.9, current_mA_g=10.0))
    c = primary(session, uid)
    assert c["I"].max() == pytest.approx(10.0 * LNRO.active_mass_g)
    assert c["Ewe"].max() == pytest.approx(3.9, abs=1e-3)
    assert session.potentiostat.end_reason.get(use_monitor=False) == "upper cutoff"
    q_integral = np.trapezoid(c["I"], c["t"]) / 3600.0
    assert c["Q"][-1] == pytest.approx(q_integral, rel=1e-3)
    assert (np.diff(c["t"]) >= 0).all() and len(set(c["step"])) == 1


def test_potentiostatic_hold_decays_to_the_current_floor(ioc):
    session, prepare = ioc
    prepare()
    floor_mA = 0.002
    plan = potentiostatic_hold(session.potentiostat, LNRO, 3.7, duration_s=200 * 3600.0,
                               current_floor_mA=floor_mA)  # fmt: skip
    (uid,) = session.RE(plan)
    c = primary(session, uid)
    held = c["I"] != 0
    assert np.allclose(c["Ewe"][held], 3.7, atol=1e-3)
    assert abs(c["I"][held][0]) > abs(c["I"][held][-1])  # the current decays
    assert abs(c["I"][held][-1]) == pytest.approx(floor_mA, rel=0.05)
    assert session.potentiostat.end_reason.get(use_monitor=False) == "current floor"


def test_the_ioc_refuses_out_of_compliance_puts_with_a_reason(ioc):
    session, _ = ioc
    pstat = session.potentiostat
    with pytest.raises(InstrumentRefused, match="exceeds the compliance of 100 mA"):
        pstat.procedure.current.set([500.0]).wait()
    with pytest.raises(InstrumentRefused, match="outside the voltage window"):
        pstat.procedure.e_upper.set([9.0]).wait()
    with pytest.raises(InstrumentRefused, match="nan"):
        pstat.cell.active_mass.set(float("nan")).wait()


def test_an_exception_mid_charge_stops_the_procedure(ioc):
    session, prepare = ioc

    def fail_on_first_page(name, doc):
        if name == "event_page":
            raise RuntimeError("simulated failure mid-charge")

    prepare()
    token = session.RE.subscribe(fail_on_first_page)
    try:
        with pytest.raises(RuntimeError, match="simulated failure"):
            session.RE(galvanostatic(session.potentiostat, LNRO, cutoff_V=4.8, c_rate=0.005))
    finally:
        session.RE.unsubscribe(token)
    pstat = session.potentiostat
    assert pstat.status.get(use_monitor=False) != "Running"
    assert pstat.current.get(use_monitor=False) == 0.0
    assert pstat.end_reason.get(use_monitor=False) == "stopped by user"
    assert pstat.done_seq.get(use_monitor=False) == pstat.seq.get(use_monitor=False)


def test_the_spectrometer_samples_every_interval_into_its_paged_buffer(ioc):
    session, _ = ioc
    ms = session.mass_spectrometer
    ms.acquire.set(0).wait()
    ms.interval.set(60.0).wait()
    ms.buffer.clear.set(1).wait()
    ms.acquire.set(1).wait()
    deadline = time.monotonic() + 20.0
    while ms.buffer.count.get(use_monitor=False) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    ms.acquire.set(0).wait()
    assert ms.acquiring.get(use_monitor=False) == "Idle"
    page = ms.buffer.read_page(0)
    assert page["ts"].size >= 5
    assert np.allclose(np.diff(page["ts"]), 60.0) and np.allclose(page["interval"], 60.0)
    assert (page["pressure"] > 0).all() and (page["mz44"] > 0).all()
    assert list(ms.channels.get()) == [2, 15, 16, 26, 28, 32, 40, 44]
    count = ms.buffer.count.get(use_monitor=False)
    ms.sample_now.set(1).wait()  # completes once the sample is in the buffer
    assert ms.buffer.count.get(use_monitor=False) == count + 1
    with pytest.raises(InstrumentRefused, match="sampling interval 0.5 s outside"):
        ms.interval.set(0.5).wait()
    with pytest.raises(InstrumentRefused, match="calibration of CO2 needs 8 finite"):
        ms.calibration.co2.set([float("nan")] * 8).wait()
