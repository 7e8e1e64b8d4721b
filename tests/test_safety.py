"""Bad input is refused before anything moves; however a run ends, the cell is at OCV."""

from __future__ import annotations

import os
import signal

import pytest
from bluesky.utils import RunEngineInterrupted
from caproto.sync.client import write as ca_write
from sync_ca import CA_TIMEOUT_S

from operando.devices.potentiostat import InstrumentRefused
from operando.plans import galvanostatic, galvanostatic_cycle, potentiostatic_hold
from operando.sample import Sample, sample_for

LNMO = sample_for("lnmo", 3.85, 1.54)


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


class Recorder:
    """Every message the RunEngine processes, in order."""

    def __init__(self, RE):
        self.msgs = []
        RE.msg_hook = self.msgs.append

    def writes(self):
        return [m for m in self.msgs if m.command in ("set", "kickoff", "open_run")]


@pytest.mark.parametrize(
    "make_plan, message",
    [
        (lambda p: galvanostatic_cycle(p, LNMO, v_min=4.8, v_max=2.0, c_rate=0.02), "below"),
        (lambda p: galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=-1), "positive"),
        (lambda p: galvanostatic_cycle(p, LNMO, v_min=2, v_max=4.8, c_rate=1, cycles=0), "cycles"),
        (lambda p: galvanostatic(p, LNMO, cutoff_V=4.8, c_rate=0.1, current_mA=1), "exactly one"),
        (lambda p: galvanostatic(p, LNMO, direction="up", cutoff_V=4.8, c_rate=1), "direction"),
        (lambda p: potentiostatic_hold(p, LNMO, 4.0, duration_s=-5), "duration_s"),
    ],
)
def test_bad_parameters_are_refused_when_the_plan_is_made(make_plan, message):
    with pytest.raises(ValueError, match=message):
        make_plan(None)  # refused before the plan can reach any device


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"active_mass_mg": 0}, "active mass must be positive"),
        ({"active_mass_mg": -2}, "active mass must be positive"),
        ({"area_cm2": 0}, "area must be positive"),
        ({"formula": "Li1.2Xx0.2O2"}, "Xx"),
    ],
)
def test_bad_samples_are_refused(kwargs, message):
    base = dict(name="s", material="lnmo", formula="Li1.2Ni0.2Mn0.6O2")
    base.update(active_mass_mg=3.0, area_cm2=1.0)
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Sample(**base)


def test_unknown_material_is_refused():
    with pytest.raises(ValueError, match="unknown material 'lnco'.*lnmo"):
        sample_for("lnco", 3.0)


def test_out_of_compliance_current_is_refused_before_any_write(session):
    rec = Recorder(session.RE)
    huge = sample_for("lnmo", 5000.0, 1.54)  # 5 g at 1C is 1250 mA, beyond 100 mA
    with pytest.raises(ValueError, match="exceeds the potentiostat's compliance"):
        session.RE(galvanostatic_cycle(session.potentiostat, huge, v_min=2, v_max=4.8, c_rate=1))
    assert rec.msgs, "the plan ran"
    assert rec.writes() == []


def test_out_of_window_voltage_is_refused_before_any_write(session):
    rec = Recorder(session.RE)
    with pytest.raises(ValueError, match="voltage window"):
        session.RE(potentiostatic_hold(session.potentiostat, LNMO, 7.5, duration_s=100))
    assert rec.writes() == []


def test_the_ioc_refuses_out_of_compliance_puts_itself(session, beamline):
    pstat = session.potentiostat
    with pytest.raises(InstrumentRefused, match="exceeds the compliance of 100 mA"):
        pstat.procedure.current.set([500.0]).wait()
    with pytest.raises(InstrumentRefused, match="outside the voltage window"):
        pstat.procedure.e_upper.set([9.0]).wait()
    # Any Channel Access client is refused, not only ours (ECA_PUTFAIL), and the
    # instrument says why.
    with pytest.raises(Exception):  # noqa: B017  caproto raises ErrorResponseReceived
        ca_write(f"{beamline.prefix}PSTAT:Steps:Current", [-250.0], notify=True, repeater=False,
                 timeout=CA_TIMEOUT_S)  # fmt: skip
    assert "250 mA exceeds" in pstat.last_error.get(use_monitor=False)
    assert abs(pstat.procedure.current.get(use_monitor=False)[0]) <= 100


def _charge(session, c_rate=0.001):
    """A C/1000 charge: 1000 h of instrument time, about 36 s at the tests' time scale.
    The tests stop it at its first page of points; it must not be able to end first on a
    loaded machine (a C/200 charge once did, under pytest -n 4, so the pause never came)."""
    session.assemble_sim_cell(LNMO)
    return galvanostatic(session.potentiostat, LNMO, cutoff_V=4.8, c_rate=c_rate)


def _at_ocv(pstat):
    return (
        pstat.status.get(use_monitor=False) != "Running"
        and pstat.current.get(use_monitor=False) == 0.0
    )


def test_an_exception_mid_charge_leaves_the_cell_at_ocv(session):
    def fail_on_first_page(name, doc):
        if name == "event_page":
            raise RuntimeError("simulated failure mid-charge")

    token = session.RE.subscribe(fail_on_first_page)
    try:
        with pytest.raises(RuntimeError, match="simulated failure"):
            session.RE(_charge(session))
    finally:
        session.RE.unsubscribe(token)
    pstat = session.potentiostat
    assert _at_ocv(pstat)
    assert pstat.end_reason.get(use_monitor=False) == "stopped by user"
    # The run was closed and stored with what was acquired before the failure.
    run = session.store.run(-1)
    assert run.metadata["stop"]["exit_status"] == "fail"
    assert len(run["primary"].read()["t"]) > 1


def test_pause_keeps_recording_and_abort_leaves_the_cell_at_ocv(session):
    """Ctrl-C pauses the plan, not the instrument: nothing recorded meanwhile is lost."""
    RE = session.RE
    pages = []

    def pause_after_first_page(name, doc):
        if name == "event_page":
            pages.append(doc)
            if len(pages) == 1:
                os.kill(os.getpid(), signal.SIGINT)  # the operator presses Ctrl-C once

    token = RE.subscribe(pause_after_first_page)
    try:
        with pytest.raises(RunEngineInterrupted):
            RE(_charge(session))
        pstat = session.potentiostat
        assert pstat.status.get(use_monitor=False) == "Running"  # the charge goes on
        t_before = pstat.clock.get(use_monitor=False)
        # Let the instrument advance while the plan is paused (no wall-clock sleep for
        # physics: wait on the instrument's own clock).
        st = _wait_instrument_time(pstat, t_before + 20_000)
        st.wait(30)
        RE.abort("operator abort")
    finally:
        RE.unsubscribe(token)
    pstat = session.potentiostat
    assert _at_ocv(pstat)
    run = session.store.run(-1)
    t = run["primary"].read()["t"].values
    assert run.metadata["stop"]["exit_status"] == "abort"
    assert t.max() > 20_000  # points from the paused stretch were read out at the end
    assert (t[1:] - t[:-1]).max() <= 60.0 + 1e-6


def _wait_instrument_time(pstat, t_target):
    from ophyd.status import SubscriptionStatus

    return SubscriptionStatus(pstat.clock, lambda *, value, **kw: value >= t_target)
