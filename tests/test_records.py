"""The X-ray side as standard EPICS records: ophyd's EpicsMotor moves the monochromator and
the sample holder, EpicsScaler counts I0/It/Iref (through Channel Access)."""

import pytest

pytestmark = pytest.mark.slow


def test_motor_and_scaler_records(beamline):
    from ophyd import EpicsMotor, EpicsSignal, EpicsSignalRO
    from ophyd.utils import LimitError

    p = beamline.prefix + "HXR:"
    mono = EpicsMotor(p + "Mono", name="mono")
    mono.wait_for_connection(timeout=10)
    assert mono.egu == "eV"
    low, high = mono.limits
    assert low <= 7709.0 <= high
    mono.move(7750.0, wait=True, timeout=20)
    assert mono.position == pytest.approx(7750.0)
    assert mono.motor_done_move.get() == 1 and mono.motor_is_moving.get() == 0
    with pytest.raises(LimitError):  # outside HLM/LLM (VAL's control limits): refused
        mono.move(high + 1000.0, wait=True, timeout=10)

    holder = EpicsMotor(p + "Holder", name="holder")
    holder.wait_for_connection(timeout=10)
    holder.move(17, wait=True, timeout=20)  # the Ru metal reference
    assert EpicsSignalRO(p + "Holder:Sample", string=True).get() == "Ru metal foil"

    mono.move(22100.0, wait=True, timeout=20)
    EpicsSignal(p + "Scaler.TP").put(0.5, wait=True)
    EpicsSignal(p + "Scaler.CNT").put(1, wait=True, timeout=20)
    names = [EpicsSignalRO(f"{p}Scaler.NM{n}", string=True).get() for n in (1, 2, 3, 4)]
    assert names == ["clock", "I0", "It", "Iref"]
    s = [EpicsSignalRO(f"{p}Scaler.S{n}").get() for n in (1, 2, 3, 4)]
    assert s[0] == pytest.approx(0.5 * 1e7)
    assert s[1] > s[2] > s[3] > 0  # I0 > It > Iref


def test_session_devices_are_ophyds_standard_record_classes(session):
    from ophyd import EpicsMotor
    from ophyd.scaler import ScalerCH

    for station in (session.soft_xray, session.hard_xray):
        assert isinstance(station.mono, EpicsMotor)
        assert isinstance(station.holder.slot, EpicsMotor)
        assert isinstance(station.counters, ScalerCH)
    hx = session.hard_xray
    hx.counters.dwell.set(0.5).wait()
    hx.counters.trigger().wait(timeout=20)
    reading = hx.counters.read()
    assert {"hxr_i0", "hxr_it", "hxr_iref", "hxr_beam_current"} <= set(reading)
    assert hx.counters.channels.chan02.s.pvname.endswith("HXR:Scaler.S2")  # I0 is channel 2
