"""The simulator's physics without the IOC: cell, potentiostat, clock, gas, DEMS headspace,
X-ray spectra. Stable behaviour (units, monotonicity, conservation, refusals), not today's
exact numbers: the cell physics is being reworked."""

from __future__ import annotations

import numpy as np
import pytest

from operando.sim.models.cell import Cell
from operando.sim.models.clock import VirtualClock
from operando.sim.models.dems import (
    BACKGROUND_A,
    SENSITIVITY_A_S_MOL,
    Headspace,
    MassSpectrometerModel,
    Quadrupole,
)
from operando.sim.models.endstation import ElectrodeStore, Endstation
from operando.sim.models.gas import GasReaction
from operando.sim.models.materials import MATERIALS
from operando.sim.models.potentiostat import (
    ComplianceError,
    PotentiostatModel,
    Step,
)
from operando.sim.models.world import World
from operando.sim.models.xray import ElectrodeState, ni_l3, rixs_spectrum, ru_k_mu

MASS_MG, AREA_CM2 = 3.85, 1.54
C10_MA = 0.1 * 250.0 * MASS_MG * 1e-3  # C/10 with 1C = 250 mA/g
R_J_MOL_K = 8.314462618


def lnmo_cell() -> Cell:
    return Cell(MATERIALS["lnmo"], MASS_MG, AREA_CM2)


@pytest.fixture(scope="module")
def charged():
    """A pristine LNMO cell charged at C/10 to 4.8 V, stepped directly in 10 min steps
    (the cell model is implicit in time, so long steps are stable)."""
    cell = lnmo_cell()
    h = 600.0
    e = [cell.voltage(C10_MA)]
    gas = [dict(cell.gas_umol)]
    while e[-1] < 4.8 and len(e) < 500:
        cell.advance(C10_MA, h)
        e.append(cell.voltage(C10_MA))
        gas.append(dict(cell.gas_umol))
    return cell, np.array(e), gas, h


def test_a_c10_charge_of_lnmo_has_a_plausible_capacity_and_a_rising_potential(charged):
    cell, e, _, h = charged
    assert e[-1] >= 4.8 and e.size < 500  # the charge reached the cutoff
    # capacity to the cutoff (interpolated within the last step), mAh/g
    steps = np.arange(e.size) * C10_MA * h / 3600.0 / (MASS_MG * 1e-3)
    capacity = np.interp(4.8, e, steps)
    assert 200.0 < capacity < 400.0  # a Li-rich oxide's first charge
    # the potential rises on average, with at most small dips (a plateau)
    assert np.polyfit(steps, e, 1)[0] > 0
    assert np.mean(np.diff(e) >= -1e-3) > 0.95
    assert e[0] < 4.0  # it started low (pristine)


def test_charge_passed_is_current_times_time(charged):
    cell, e, _, h = charged
    assert cell.q_mAh == pytest.approx(C10_MA * h * (e.size - 1) / 3600.0, rel=1e-9)


def test_the_open_circuit_potential_lies_below_the_potential_under_charge(charged):
    cell, *_ = charged
    assert cell.voltage(0.0) < cell.voltage(C10_MA)  # overpotential of a charging current
    assert cell.voltage(-C10_MA) < cell.voltage(0.0)
    assert cell.overpotential(C10_MA) > 0 > cell.overpotential(-C10_MA)


def test_gas_is_made_only_as_the_cell_charges_and_never_vanishes(charged):
    _, e, gas, _ = charged
    assert all(v == 0.0 for v in gas[0].values())  # pristine: nothing made yet
    for before, after in zip(gas, gas[1:], strict=False):
        assert all(after[g] >= before[g] for g in before)
    # LNMO releases lattice O2 at the top of its first charge, not at its start
    o2 = np.array([g.get("O2", 0.0) for g in gas])
    assert o2[-1] > 0
    assert o2[: e.size // 2].max() < 0.05 * o2[-1]


def test_a_rest_after_charge_relaxes_below_the_charged_potential():
    cell = lnmo_cell()
    for _ in range(40):
        cell.advance(C10_MA, 600.0)
    charged_ocv = cell.voltage(0.0)
    for _ in range(4):
        cell.advance(0.0, 3600.0)
    rested = cell.voltage(0.0)
    assert rested <= charged_ocv + 1e-9
    assert rested > MATERIALS["lnmo"].pristine_ocv_V  # still charged


def test_the_state_of_charge_stays_between_0_and_1_and_grows_on_charge(charged):
    cell, *_ = charged
    fresh = lnmo_cell().state_of_charge()
    soc = cell.state_of_charge()
    assert set(soc) == set(fresh)
    assert all(0.0 <= x <= 1.0 for x in soc.values())
    assert sum(soc.values()) > sum(fresh.values())


# --- the potentiostat instrument ------------------------------------------------------------


def potentiostat_with_cell() -> PotentiostatModel:
    p = PotentiostatModel(0.0)
    p.insert_cell(lnmo_cell())
    return p


def test_the_potentiostat_runs_its_procedure_step_after_step_on_its_own():
    p = potentiostat_with_cell()
    p.steps = [
        Step("CC", current_mA=C10_MA, e_upper_V=4.8, e_lower_V=2.0, duration_s=1800),
        Step("OCV", duration_s=1800),
    ]
    p.record_dt_s = 300.0
    p.start()
    assert p.status == "Running" and p.seq == 1
    p.advance(3 * 3600.0)  # long past the end
    assert p.status == "Limit reached" and p.end_reason == "duration"
    assert p.done_seq == p.seq  # the instrument reports the procedure ended
    buf = p.buffer.columns
    steps = np.array(buf["step"])
    assert len(set(steps)) == 2  # both steps recorded, the second right after the first
    currents = np.array(buf["i"])
    assert np.all(currents[steps == steps[0]] == pytest.approx(C10_MA))
    assert np.all(currents[steps == steps[-1]] == 0.0)
    assert buf["q"][-1] == pytest.approx(C10_MA * 1800 / 3600.0, rel=1e-6)  # mAh
    t = np.array(buf["t"])
    assert np.all(np.diff(t) >= 0) and t[-1] == pytest.approx(3600.0)
    assert np.max(np.diff(t)) <= p.record_dt_s + 1e-6  # a point at least every dt


@pytest.mark.parametrize(
    "step, message",
    [
        (Step("CC", current_mA=1000.0), "exceeds the compliance"),
        (Step("CC", current_mA=0.1, e_upper_V=7.0), "outside the voltage window"),
        (Step("CC", current_mA=0.1, e_upper_V=3.0, e_lower_V=4.0), "must lie below"),
        (Step("OCV"), "needs a duration"),
        (Step("CC", current_mA=0.0), "non-zero current"),
        (Step("XYZ"), "is not one of"),
    ],
)
def test_a_procedure_outside_compliance_is_refused_and_nothing_runs(step, message):
    p = potentiostat_with_cell()
    p.steps = [Step("OCV", duration_s=60.0), step]
    with pytest.raises(ComplianceError, match=f"step 1: .*{message}"):
        p.start()
    assert p.status == "Idle" and p.seq == 0 and len(p.buffer) == 0


def test_starting_without_a_cell_is_refused():
    p = PotentiostatModel(0.0)
    with pytest.raises(ComplianceError, match="no cell"):
        p.start()


def test_the_world_refuses_an_unknown_material():
    world = World(time_scale=1000.0)
    with pytest.raises(ComplianceError, match="no cathode material 'lnco'"):
        world.new_cell("lnco", 3.0, 1.0)
    cell = world.new_cell("LNRO", 3.0, 1.0)
    assert world.potentiostat.cell is cell


# --- the virtual clock ----------------------------------------------------------------------


class FakeWall:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_virtual_clock_runs_time_scale_times_the_wall_clock():
    wall = FakeWall()
    clock = VirtualClock(3600.0, wall=wall)
    start = clock.now()
    assert start == pytest.approx(wall.t)  # instrument time starts at the wall time
    wall.t += 2.0
    assert clock.now() - start == pytest.approx(7200.0)
    clock.time_scale = 10.0  # re-anchored: instrument time is continuous
    assert clock.now() - start == pytest.approx(7200.0)
    wall.t += 1.0
    assert clock.now() - start == pytest.approx(7210.0)


@pytest.mark.parametrize("scale", [0.0, -1.0])
def test_the_clock_refuses_a_non_positive_time_scale(scale):
    with pytest.raises(ValueError, match="time scale must be finite and positive"):
        VirtualClock(scale, wall=FakeWall())
    clock = VirtualClock(1.0, wall=FakeWall())
    with pytest.raises(ValueError, match="time scale must be finite and positive"):
        clock.time_scale = scale


# --- gas evolution and the DEMS -------------------------------------------------------------


def test_a_potential_driven_reaction_follows_tafel_and_exhausts_its_reservoir():
    r = GasReaction("x", (("CO2", 1.0),), electrons=2.0, rate_umol_g_h=1.0, e_ref_V=4.0,
                    tafel_V=0.1, reservoir_umol_g=10.0)  # fmt: skip
    at_ref = r.rate(4.0, 0.0, 0.0, 1.0)
    assert r.rate(4.1, 0.0, 0.0, 1.0) == pytest.approx(np.e * at_ref)  # one e-fold per tafel_V
    assert r.rate(4.0, 0.0, 5.0, 1.0) == pytest.approx(0.5 * at_ref)  # half the supply left
    assert r.rate(4.0, 0.0, 10.0, 1.0) == 0.0
    assert r.clamp(12.0) == 10.0
    assert r.rate(4.0, 0.0, 0.0, 0.0) == 0.0  # gated shut


def test_a_current_driven_reaction_runs_only_while_charging():
    r = GasReaction("SEI", (("H2", 1.0),), electrons=0.0, rate_umol_g_h=0.01,
                    driver="charging current")  # fmt: skip
    assert r.rate(4.0, 25.0, 0.0, 1.0) == pytest.approx(0.25)
    assert r.rate(4.0, -25.0, 0.0, 1.0) == 0.0


def test_gas_in_the_headspace_raises_its_pressure_as_an_ideal_gas():
    hs = Headspace(volume_mL=1.0, temperature_K=298.15)
    base = hs.pressure_mbar
    hs.add({"O2": 1e-6})
    # 1 umol in 1 mL at 298.15 K: nRT/V = 2479 Pa = 24.79 mbar
    assert hs.pressure_mbar - base == pytest.approx(1e-6 * R_J_MOL_K * 298.15 / 1e-6 / 100.0)
    swept = hs.sweep()
    assert swept["O2"] == 1e-6 and swept["Ar"] == pytest.approx(hs.carrier_mol)
    assert hs.pressure_mbar == pytest.approx(base)  # refilled with carrier


def test_the_mass_spectrometer_measures_every_mole_the_cell_made():
    """O2 made at a steady rate, sampled every interval: the ion current at m/z 32 over the
    sensitivity, times the interval, adds up to what was made (noise switched off)."""
    rate_umol_s = 1e-4
    made = {"t": 0.0}

    def gas_source() -> dict[str, float]:
        return {"O2": rate_umol_s * made["t"]}

    quiet = Quadrupole(noise_floor_A=0.0, noise_relative=0.0)
    ms = MassSpectrometerModel(0.0, gas_source, quadrupole=quiet)
    ms.interval_s = 120.0
    ms.start()
    for t in np.arange(10.0, 3600.0 + 1, 10.0):  # the potentiostat's integration steps
        made["t"] = t
        ms.advance(t)
    cols = {k: np.array(v) for k, v in ms.buffer.columns.items()}
    assert cols["ts"].size == 30
    assert np.allclose(np.diff(cols["ts"]), 120.0) and np.allclose(cols["interval"], 120.0)
    o2_mol_s = (cols["mz32"] - BACKGROUND_A[32]) / SENSITIVITY_A_S_MOL["O2"]
    measured_umol = np.sum(o2_mol_s * cols["interval"]) * 1e6
    assert measured_umol == pytest.approx(rate_umol_s * 3600.0, rel=1e-9)
    assert np.all(cols["pressure"] > Headspace().base_pressure_mbar)
    ms.stop()
    ms.advance(4000.0)
    assert ms.buffer.columns["ts"][-1] == pytest.approx(3600.0)  # stopped: no more samples


# --- X-ray spectra --------------------------------------------------------------------------


def _half_height(e: np.ndarray, mu: np.ndarray) -> float:
    return float(e[np.argmax(mu >= 0.5)])


def test_the_ru_k_edge_moves_up_as_ru_is_oxidised():
    e = np.linspace(22080.0, 22180.0, 2001)
    reduced = ElectrodeState("a", "lnro", {"Ru4+/Ru5+": 0.0}, {})
    oxidised = ElectrodeState("b", "lnro", {"Ru4+/Ru5+": 1.0}, {})
    assert oxidised.ru_valence == pytest.approx(reduced.ru_valence + 1.0)
    shift = _half_height(e, ru_k_mu(e, oxidised)) - _half_height(e, ru_k_mu(e, reduced))
    assert 0.5 < shift < 5.0  # eV per unit of valence: an edge shift, not a new edge


def test_the_ni_l3_weight_moves_to_higher_energy_with_ni_valence():
    e = np.linspace(850.0, 858.0, 801)

    def centroid(valence: float) -> float:
        mu = ni_l3(e, valence)
        return float(np.sum(e * mu) / np.sum(mu))

    assert centroid(2.0) < centroid(3.0) < centroid(4.0)


def test_the_surface_seen_by_tey_is_less_oxidised_than_the_bulk():
    state = ElectrodeState("c", "lnmo", {"Ni2+/Ni3+": 1.0, "Ni3+/Ni4+": 0.5}, {},
                           {"Ni2+/Ni3+": 63.0, "Ni3+/Ni4+": 63.0})  # fmt: skip
    assert 2.0 < state.ni_valence_surface < state.ni_valence <= 4.0


def test_the_oxidised_oxygen_rixs_feature_grows_with_the_oxidised_lattice_oxygen():
    e_out = np.linspace(515.0, 530.0, 301)
    at = np.argmin(np.abs(e_out - 523.75))

    def feature(x: float) -> float:
        state = ElectrodeState("d", "lnmo", {"O2-/On-": x}, {"O2-/On-": 0.0})
        return float(rixs_spectrum(530.8, e_out, state, valence=3.0)[at])

    assert feature(0.0) < feature(0.5) < feature(1.0)


def test_counting_scales_with_dwell_and_beam_current():
    store = ElectrodeStore()
    store.mount(1, ElectrodeState("e", "lnmo", {}, {}))
    station = Endstation("soft", store, lambda: None, seed=5)
    station.position = 1
    one = station.count(1.0)["i0"]
    two = station.count(2.0)["i0"]
    assert two / one == pytest.approx(2.0, rel=0.01)  # Poisson noise of ~1e7 counts
    station.beam_current_mA /= 2
    assert station.count(2.0)["i0"] / one == pytest.approx(1.0, rel=0.01)
    with pytest.raises(ValueError, match="slot 17 outside 1..16"):
        store.mount(17, ElectrodeState("f", "lnmo", {}, {}))


def _charge_to_cutoff(world: World, hours: float, chunk_s: float | None = None) -> None:
    """1C charge to 4.5 V; the instrument advanced in one call (chunk_s None) or in chunks
    of chunk_s that stop as soon as the technique has ended."""
    p = world.potentiostat
    p.steps = [Step("CC", current_mA=10 * C10_MA, e_upper_V=4.5, e_lower_V=2.0)]
    p.start()
    end = p.t + hours * 3600.0
    while p.t < end and (chunk_s is None or p.status == "Running"):
        p.advance(end if chunk_s is None else p.t + chunk_s)


def test_an_electrode_armed_to_mount_at_the_end_is_taken_out_at_its_cutoff():
    """SIM:MountOnEnd: the electrode is frozen at the instrument instant its technique
    ends, however long the client takes to come back."""
    armed, watched = World(time_scale=1000.0), World(time_scale=1000.0)
    for world in (armed, watched):
        world.new_cell("lnmo", MASS_MG, AREA_CM2)
        world.set_temperature(45.0)  # side reactions at rest are faster when warm
    armed.harvest_at_end(3, "lnmo 4.5V")
    _charge_to_cutoff(armed, hours=200.0)  # the cutoff, then a week at open circuit
    _charge_to_cutoff(watched, hours=200.0, chunk_s=1.0)  # stopped right at the cutoff
    assert armed.potentiostat.status == watched.potentiostat.status == "Limit reached"
    at_cutoff = armed.electrodes.slots[3]
    assert at_cutoff.name == "lnmo 4.5V"
    now = ElectrodeState.of_cell("watched", watched.potentiostat.cell)
    assert at_cutoff.oxidised == pytest.approx(now.oxidised, abs=1e-6)
    rested = ElectrodeState.of_cell("rested", armed.potentiostat.cell)
    assert rested.oxidised != pytest.approx(at_cutoff.oxidised, abs=1e-6)  # it moved on
    armed.harvest_at_end(4, "never")
    armed.harvest_at_end(None)  # disarmed: nothing is mounted when the next one ends
    _charge_to_cutoff(armed, hours=1.0)
    assert 4 not in armed.electrodes.slots
