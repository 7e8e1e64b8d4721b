"""The message sequences of the plans, on fake instruments (no IOC): what each plan sets,
starts, reads and stops, in which order, and that bad requests yield nothing."""

from __future__ import annotations

import numpy as np
import pytest
from plan_bench import (
    LNMO,
    Bench,
    index,
    is_,
    set_index,
    sets_of,
    start_documents,
)

from operando.errors import BadRequest, InstrumentRefused
from operando.instruments import TECHNIQUE_CODES
from operando.plans import (
    charge_and_measure,
    dems_cycling,
    galvanostatic_cycle,
    in_situ_xas_cycling,
    prepare_ex_situ_electrodes,
    xas_scan,
    xas_series,
)
from operando.plans.in_situ import xanes_grid
from operando.plans.xray import EDGES

CC, OCV = TECHNIQUE_CODES["CC"], TECHNIQUE_CODES["OCV"]


@pytest.fixture
def bench() -> Bench:
    return Bench()


def c_rate_current(c_rate: float, sample=LNMO) -> float:
    return c_rate * 250.0 * sample.active_mass_g  # mA, 1C = 250 mA/g


# --- galvanostatic cycling ------------------------------------------------------------------


def test_cycle_programs_the_procedure_then_starts_it_in_one_run(bench):
    p = bench.pstat
    msgs = bench.run(galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, cycles=2, c_rate=0.1))
    i = c_rate_current(0.1)

    (md,) = start_documents(msgs)
    assert md["plan_name"] == "galvanostatic_cycle"
    assert md["sample"] == LNMO.as_metadata()
    assert md["protocol"]["name"] == "galvanostatic_cycle"
    params = md["protocol"]["parameters"]
    assert (params["v_min"], params["v_max"], params["cycles"]) == (2.0, 4.8, 2)
    assert params["current_mA"] == pytest.approx(i)

    proc = p.procedure
    assert sets_of(msgs, proc.n_steps) == [4]
    assert sets_of(msgs, proc.technique) == [[CC] * 4]
    (currents,) = sets_of(msgs, proc.current)
    assert currents == pytest.approx([i, -i, i, -i])  # charge first, then alternate
    assert sets_of(msgs, proc.e_upper) == [[4.8] * 4]
    assert sets_of(msgs, proc.e_lower) == [[2.0] * 4]

    opened = index(msgs, is_("open_run"))
    cleared = set_index(msgs, p.buffer.clear)
    kickoff = index(msgs, is_("kickoff", p))
    programmed = [set_index(msgs, s) for s in (proc.n_steps, proc.technique, proc.current)]
    assert opened < cleared < min(programmed) and max(programmed) < kickoff
    assert index(msgs, is_("collect", p)) > kickoff  # the points are read into the run


def test_cycle_checks_compliance_and_configures_the_cell_before_the_run(bench):
    p = bench.pstat
    msgs = bench.run(galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    opened = index(msgs, is_("open_run"))
    reads = [
        k for k, m in enumerate(msgs) if m.command == "read" and m.obj is p.compliance.max_current
    ]
    assert reads and reads[0] < opened
    assert sets_of(msgs, p.cell.material) == ["lnmo"]
    assert sets_of(msgs, p.cell.active_mass) == [3.85]
    assert sets_of(msgs, p.cell.area) == [1.54]
    assert set_index(msgs, p.cell.active_mass) < opened


def test_cycle_ends_at_open_circuit_before_the_run_closes(bench):
    p = bench.pstat
    msgs = bench.run(galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    assert msgs[-1].command == "close_run"
    assert msgs[-1].kwargs.get("exit_status") in (None, "success")
    stop = set_index(msgs, p.stop_cmd)
    assert sets_of(msgs, p.stop_cmd) == [1]
    assert index(msgs, is_("kickoff", p)) < stop < len(msgs) - 1
    # the last points (those recorded up to the stop) are read out after it
    assert index(msgs, is_("collect", p), stop) < len(msgs) - 1
    assert bench.return_value == "upper cutoff"  # the instrument's end reason


def test_points_are_read_out_until_the_instrument_reports_the_end(bench):
    bench.procedure_waits = 5
    p = bench.pstat
    msgs = bench.run(galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    kickoff = index(msgs, is_("kickoff", p))
    stop = set_index(msgs, p.stop_cmd)
    readouts = [m for m in msgs[kickoff:stop] if m.command == "collect" and m.obj is p]
    checkpoints = [m for m in msgs[kickoff:stop] if m.command == "checkpoint"]
    assert len(readouts) == 5 and len(checkpoints) == 5  # a pause is possible at each


def test_a_current_beyond_compliance_is_refused_before_anything_is_written(bench):
    bench.values[bench.pstat.compliance.max_current] = 0.05  # mA, below C/10 of 3.85 mg
    with pytest.raises(BadRequest, match="exceeds the potentiostat's compliance of 0.05 mA"):
        bench.run(galvanostatic_cycle(bench.pstat, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    written = [m for m in bench.messages if m.command in ("set", "kickoff", "open_run")]
    assert written == []


def test_a_fault_mid_run_still_opens_the_circuit(bench):
    bench.values[bench.pstat.status] = "Fault"
    bench.values[bench.pstat.end_reason] = "Ewe 5.6 V left the compliance window"
    p = bench.pstat
    with pytest.raises(InstrumentRefused, match="left the compliance window"):
        bench.run(galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    msgs = bench.messages
    assert msgs[-1].command == "close_run" and msgs[-1].kwargs["exit_status"] == "fail"
    assert index(msgs, is_("kickoff", p)) < set_index(msgs, p.stop_cmd) < len(msgs) - 1


def test_an_exception_thrown_into_the_run_still_opens_the_circuit(bench):
    """As when a subscriber or a status fails while the points are read out."""
    p = bench.pstat
    with pytest.raises(RuntimeError, match="storage went away"):
        bench.run(
            galvanostatic_cycle(p, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1),
            throw_at=is_("collect", p),
            exception=RuntimeError("storage went away"),
        )
    msgs = bench.messages
    first_collect = index(msgs, is_("collect", p))
    assert set_index(msgs, p.stop_cmd) > first_collect
    assert msgs[-1].command == "close_run" and msgs[-1].kwargs["exit_status"] == "fail"


# --- DEMS -----------------------------------------------------------------------------------


def test_dems_rests_then_cycles_with_the_gas_sampled_throughout(bench):
    p, ms = bench.pstat, bench.ms
    plan = dems_cycling(p, ms, LNMO, rest_s=3600.0, current_mA_g=10.0, sample_interval_s=60.0)
    msgs = bench.run(plan)
    (md,) = start_documents(msgs)
    assert md["plan_name"] == "dems_cycling"
    i = 10.0 * LNMO.active_mass_g
    assert sets_of(msgs, p.procedure.technique) == [[OCV, CC, CC]]
    (currents,) = sets_of(msgs, p.procedure.current)
    assert currents == pytest.approx([0.0, i, -i])
    (durations,) = sets_of(msgs, p.procedure.duration)
    assert durations[0] == 3600.0  # the rest: the background of the gas analysis

    assert sets_of(msgs, ms.interval) == [60.0]
    sampling = index(msgs, is_("kickoff", ms))
    procedure = index(msgs, is_("kickoff", p))
    assert set_index(msgs, ms.buffer.clear) < sampling < procedure  # gas from the start
    # until the procedure ends the gas samples are read out with the points
    assert index(msgs, is_("collect", ms), procedure) > procedure
    finished = index(msgs, is_("complete", ms))
    assert finished > procedure and index(msgs, is_("collect", ms), finished)
    stop_sampling = set_index(msgs, ms.acquire)
    assert sets_of(msgs, ms.acquire) == [0]
    assert set_index(msgs, p.stop_cmd) < stop_sampling < len(msgs) - 1
    assert msgs[-1].command == "close_run"


def test_dems_stops_sampling_when_the_run_fails(bench):
    p, ms = bench.pstat, bench.ms
    plan = dems_cycling(p, ms, LNMO, rest_s=3600.0, sample_interval_s=60.0)
    with pytest.raises(RuntimeError):
        bench.run(plan, throw_at=is_("kickoff", p), exception=RuntimeError("no start"))
    msgs = bench.messages
    assert sets_of(msgs, p.stop_cmd) == [1] and sets_of(msgs, ms.acquire) == [0]
    assert msgs[-1].command == "close_run" and msgs[-1].kwargs["exit_status"] == "fail"


def test_dems_refuses_a_rest_too_short_for_a_background():
    with pytest.raises(BadRequest, match="at least 3 gas samples"):
        dems_cycling(None, None, LNMO, rest_s=100.0, sample_interval_s=60.0)


# --- X-ray absorption ----------------------------------------------------------------------


def _scan_points(msgs, station, stream="primary"):
    """(energy, checkpoint index, set index, save index) of every point of the scan: the
    last checkpoint before the monochromator moves, and the Event saved after it."""
    points, checkpoint, moved, created = [], -1, None, None
    for k, m in enumerate(msgs):
        if m.command == "checkpoint":
            checkpoint = k
        elif m.command == "set" and m.obj is station.mono:
            moved, created = (m.args[0], checkpoint, k), None
        elif m.command == "create" and moved is not None:
            created = m.kwargs.get("name")
        elif m.command == "save" and moved is not None:
            assert created == stream
            points.append((*moved, k))
            moved = None
    return points


def test_xas_series_scans_every_grid_energy_of_every_slot_in_order(bench):
    s = bench.soft
    msgs = bench.run(xas_series(s, "ni-l", [3, 5], dwell_s=0.5))
    grid, _ = EDGES["ni-l"].grid(0.5)
    points = _scan_points(msgs, s)
    energies = [e for e, *_ in points]
    assert energies == pytest.approx(np.concatenate([grid, grid]))
    assert sets_of(msgs, s.holder.slot) == [3, 5]
    second_slot = set_index(msgs, s.holder.slot, set_index(msgs, s.holder.slot) + 1)
    assert points[grid.size - 1][3] < second_slot < points[grid.size][2]
    previous_save = -1
    for _, checkpoint, moved, saved in points:
        # a checkpoint before each point (a lost beam repeats only that point), then read
        assert previous_save < checkpoint < moved < saved
        previous_save = saved
    reads = [m for m in msgs if m.command == "read"]
    assert {m.obj for m in reads} >= {s.counters, s.holder, s.mono}

    (md,) = start_documents(msgs)
    assert md["plan_name"] == "xas_series" and md["slots"] == [3, 5]
    assert md["edge"]["name"] == "ni-l" and md["num_points"] == 2 * grid.size
    assert msgs[0].command == "install_suspender"  # a lost beam pauses the scan
    assert msgs[-1].command == "remove_suspender"


def test_xas_scan_of_a_hard_edge_counts_longer_as_k_rises(bench):
    h = bench.hard
    msgs = bench.run(xas_scan(h, "ru-k", 17, dwell_s=1.0))
    energies = [e for e, *_ in _scan_points(msgs, h)]
    grid, dwells = EDGES["ru-k"].grid(1.0)
    assert energies == pytest.approx(grid)
    assert np.all(np.diff(energies) > 0)
    dwell_sets = sets_of(msgs, h.counters.dwell)
    assert dwell_sets[0] == 1.0 and np.all(np.diff(dwell_sets) >= 0)
    assert max(dwell_sets) == pytest.approx(dwells.max()) and dwells.max() > 1.0
    (md,) = start_documents(msgs)
    assert md["plan_name"] == "xas_series"  # one electrode is a series of one


@pytest.mark.parametrize(
    "edge, slots, kwargs, message",
    [
        ("xx-k", [1], {}, "unknown edge 'xx-k'"),
        ("ru-k", [1], {}, "measured at the hard X-ray endstation"),
        ("ni-l", [], {}, "slots must be holder positions"),
        ("ni-l", [-1], {}, "slots must be holder positions"),
        ("ni-l", [1], {"dwell_s": 0}, r"dwell_s must lie in \(0, 600\] s"),
    ],
)
def test_xas_refuses_bad_requests_when_the_plan_is_made(bench, edge, slots, kwargs, message):
    with pytest.raises(BadRequest, match=message):
        xas_series(bench.soft, edge, slots, **kwargs)


def test_xas_refuses_energies_beyond_the_monochromator(bench):
    bench.hard.mono.setpoint.sim_set_limits((20000.0, 22500.0))
    with pytest.raises(BadRequest, match="monochromator covers 20000-22500 eV"):
        xas_scan(bench.hard, "ru-k", 17)


# --- in situ XAS during cycling ------------------------------------------------------------


def test_in_situ_measures_references_then_scans_while_the_cell_cycles(bench):
    p, h = bench.pstat, bench.hard
    plan = in_situ_xas_cycling(p, h, LNMO, c_rate=0.5, reference_slots={"ruo2": 19})
    msgs = bench.run(plan)
    (md,) = start_documents(msgs)
    assert md["plan_name"] == "in_situ_xas_cycling" and md["edge"]["name"] == "ru-k"
    assert sets_of(msgs, h.holder.slot) == [19, 0]  # the reference first, then the cell
    in_cell = [k for k, m in enumerate(msgs) if m.command == "set" and m.obj is h.holder.slot][1]
    started = index(msgs, is_("kickoff", p))
    points = _scan_points(msgs, h, stream="xas")
    n = xanes_grid("ru-k").size
    assert len(points) == 2 * n  # the reference while the cell rests, one scan of the cell
    assert all(point[2] < in_cell for point in points[:n])
    assert all(started < point[2] for point in points[n:])
    scan_number = next(m.obj for m in msgs if m.command == "set" and m.obj.name == "scan")
    assert sets_of(msgs, scan_number) == [0, 1]  # every spectrum point carries its scan
    i = c_rate_current(0.5)
    (currents,) = sets_of(msgs, p.procedure.current)
    assert currents == pytest.approx([i, -i])
    assert set_index(msgs, p.stop_cmd) > points[-1][3]
    assert msgs[-1].command == "remove_suspender"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"edge": "ni-l"}, "ni-l is measured at the soft X-ray endstation, not the hard one"),
        ({"v_min": 4.8, "v_max": 2.0}, "lower cutoff .* must lie below the upper cutoff"),
        ({"cycles": 0}, "cycles must be a whole number from 1 to 32"),
        ({"c_rate": 0}, "c_rate must be a positive number"),
        ({"dwell_s": 1000}, r"dwell_s must lie in \(0, 600\] s"),
    ],
)
def test_in_situ_refuses_bad_parameters_when_the_plan_is_made(bench, kwargs, message):
    args = {"c_rate": 0.5, **kwargs}
    with pytest.raises(BadRequest, match=message):
        in_situ_xas_cycling(bench.pstat, bench.hard, LNMO, **args)


def test_in_situ_needs_the_hard_xray_endstation(bench):
    with pytest.raises(BadRequest, match="needs the hard X-ray endstation"):
        in_situ_xas_cycling(bench.pstat, bench.soft, LNMO, c_rate=0.5)


# --- charge and measure ----------------------------------------------------------------------


def test_charge_and_measure_measures_at_open_circuit_at_each_cutoff(bench):
    p, s, ms = bench.pstat, bench.soft, bench.ms
    plan = charge_and_measure(
        p, LNMO, [4.5, 2.0], c_rate=0.1, soft_xray=s, mass_spectrometer=ms,
        soft_edges=("o-k",), gas_sample=True,
    )  # fmt: skip
    msgs = bench.run(plan)
    (md,) = start_documents(msgs)
    assert md["plan_name"] == "charge_and_measure"
    assert md["protocol"]["parameters"]["cutoffs_V"] == [4.5, 2.0]
    i = c_rate_current(0.1)
    # The cell is at 3.0 V: the first leg charges to 4.5 V, the second discharges to 2.0 V;
    # between them the cell rests at open circuit while it is measured.
    assert sets_of(msgs, p.procedure.technique) == [[CC], [OCV], [CC], [OCV]]
    legs = sets_of(msgs, p.procedure.current)
    assert legs[0] == pytest.approx([i]) and legs[2] == pytest.approx([-i])
    assert sets_of(msgs, p.procedure.e_upper)[0] == [4.5]
    assert sets_of(msgs, p.procedure.e_lower)[2] == [2.0]

    cutoff = next(m.obj for m in msgs if m.command == "set" and m.obj.name == "cutoff")
    assert sets_of(msgs, cutoff) == [4.5, 2.0]
    kickoffs = [k for k, m in enumerate(msgs) if m.command == "kickoff" and m.obj is p]
    stops = [k for k, m in enumerate(msgs) if m.command == "set" and m.obj is p.stop_cmd]
    assert len(kickoffs) == 4 and len(stops) == 3  # two rests ended by the plan, leave_safe
    for rest_start, rest_end in ((kickoffs[1], stops[0]), (kickoffs[3], stops[1])):
        streams = [m.kwargs.get("name") for m in msgs[rest_start:rest_end] if m.command == "create"]
        assert set(streams) == {"xas_o_k", "gas"}
        assert streams.count("gas") == 1
        assert streams.count("xas_o_k") == EDGES["o-k"].grid(1.0)[0].size
    assert stops[-1] < len(msgs) - 1 and msgs[-1].command == "remove_suspender"
    assert bench.return_value == ["upper cutoff", "upper cutoff"]


@pytest.mark.parametrize(
    "cutoffs, kwargs, message",
    [
        ([], {"gas_sample": True}, "give 1 to 20 cutoffs"),
        ([7.0], {"gas_sample": True}, "cutoffs must lie between 0 and 6 V"),
        ([4.5, 4.5], {"gas_sample": True}, "consecutive cutoffs must differ"),
        ([4.5], {}, "nothing to measure at the cutoffs: give soft_edges, hard_edges"),
        ([4.5], {"soft_edges": ("ru-k",)}, "not the soft one"),
        ([4.5], {"soft_edges": ("o-k",), "soft_xray": None}, "need the soft X-ray endstation"),
        ([4.5], {"rixs": True, "exposure_s": 0}, r"exposure_s must lie in \(0, 3600\] s"),
        ([4.5], {"gas_sample": True, "hold_s": -1}, "hold_s must be a duration >= 0 s"),
    ],
)
def test_charge_and_measure_refuses_bad_parameters_when_made(bench, cutoffs, kwargs, message):
    args = {"c_rate": 0.1, "soft_xray": bench.soft, "mass_spectrometer": bench.ms, **kwargs}
    with pytest.raises(BadRequest, match=message):
        charge_and_measure(bench.pstat, LNMO, cutoffs, **args)


def test_charge_and_measure_wants_exactly_one_current(bench):
    with pytest.raises(BadRequest, match="exactly one of current_mA, current_mA_g or c_rate"):
        charge_and_measure(bench.pstat, LNMO, [4.5], c_rate=0.1, current_mA=1.0, gas_sample=True,
                           mass_spectrometer=bench.ms)  # fmt: skip


# --- ex situ electrodes ----------------------------------------------------------------------


def test_ex_situ_prepares_each_state_in_a_fresh_cell_and_mounts_it(bench):
    p, sim = bench.pstat, bench.sim
    plan = prepare_ex_situ_electrodes(p, sim, LNMO, ("pristine", "4.5V", "2.0V"), first_slot=4)
    msgs = bench.run(plan)
    assert sets_of(msgs, sim.new_cell) == [1, 1, 1]
    # The pristine electrode is mounted at once; the others are armed to be taken out on
    # the instrument at their technique's end (SIM:MountOnEnd), before the technique starts.
    assert sets_of(msgs, sim.mount) == [4]
    assert sets_of(msgs, sim.mount_on_end) == [5, 6]
    assert sets_of(msgs, sim.mount_name) == [f"lnmo test {s}" for s in ("pristine", "4.5V", "2.0V")]
    runs = start_documents(msgs)
    assert [md["plan_name"] for md in runs] == ["galvanostatic", "galvanostatic_cycle"]
    assert [md["ex_situ"] for md in runs] == [
        {"state": "4.5V", "slot": 5},
        {"state": "2.0V", "slot": 6},
    ]
    assert runs[0]["protocol"]["parameters"]["cutoff_V"] == 4.5
    assert runs[1]["protocol"]["parameters"]["v_min"] == 2.0
    # each charged electrode is armed after its fresh cell is assembled and before its run
    opens = [k for k, m in enumerate(msgs) if m.command == "open_run"]
    cells = [k for k, m in enumerate(msgs) if m.command == "set" and m.obj is sim.new_cell]
    armed = [k for k, m in enumerate(msgs) if m.command == "set" and m.obj is sim.mount_on_end]
    assert cells[1] < armed[0] < opens[0] and cells[2] < armed[1] < opens[1]
    assert bench.return_value == {"lnmo test pristine": 4, "lnmo test 4.5V": 5, "lnmo test 2.0V": 6}


@pytest.mark.parametrize(
    "states, kwargs, message",
    [
        (("charged",), {}, "unknown state 'charged'"),
        (("6.0V",), {}, "state cutoff 6.0 V outside 1.0-5.0 V"),
        (("pristine", "4.5V"), {"first_slot": 16}, "do not fit slots 1..16"),
        ((), {}, "give at least one state"),
        (("4.5V",), {"c_rate": 0}, r"c_rate must lie in \(0, 10\] 1/h"),
        (("4.5V",), {"record_dt_s": -1}, "record_dt_s must be a positive number"),
    ],
)
def test_ex_situ_refuses_bad_parameters_when_made(bench, states, kwargs, message):
    with pytest.raises(BadRequest, match=message):
        prepare_ex_situ_electrodes(bench.pstat, bench.sim, LNMO, states, **kwargs)


def test_endstations_together_sweep_at_once_each_into_its_own_run(bench):
    from operando.plans import EdgeSeries, xas_series_together

    b = bench.with_fly_scans()
    msgs = bench.run(xas_series_together(EdgeSeries(b.soft, "ni-l", [1, 2]),
                                         EdgeSeries(b.hard, "ru-k", [17])))  # fmt: skip
    opens = [m for m in msgs if m.command == "open_run"]
    assert [m.run for m in opens] == ["sxr", "hxr"]  # in the order given
    assert [m.kwargs["edge"]["name"] for m in opens] == ["ni-l", "ru-k"]
    # Step 1: both sweeps started before either is waited for; step 2: the soft one only.
    kickoffs = [i for i, m in enumerate(msgs) if m.command == "kickoff"]
    assert [msgs[i].run for i in kickoffs] == ["sxr", "hxr", "sxr"]
    first_wait = index(msgs, is_("wait"), kickoffs[0])
    assert kickoffs[1] < first_wait
    collects = [m.run for m in msgs if m.command == "collect"]
    assert collects == ["sxr", "hxr", "sxr"]
    assert sorted(m.run for m in msgs if m.command == "close_run") == ["hxr", "sxr"]


def test_endstations_together_are_refused_before_anything_moves(bench):
    from operando.plans import EdgeSeries, xas_series_together

    soft, hard = bench.soft, bench.hard
    with pytest.raises(BadRequest, match="no fly scans"):  # step-only endstations
        xas_series_together(EdgeSeries(soft, "ni-l", [1]), EdgeSeries(hard, "ru-k", [17]))
    bench.with_fly_scans()
    for series, says in [
        ((EdgeSeries(soft, "ni-l", [1]),), "at least two endstations"),
        ((EdgeSeries(soft, "ni-l", [1]), EdgeSeries(soft, "o-k", [2])), "one series per"),
        ((EdgeSeries(soft, "ni-l", [3]), EdgeSeries(hard, "ru-k", [3])), "slot 3"),
        ((EdgeSeries(hard, "ni-l", [3]), EdgeSeries(soft, "ru-k", [4])), "soft X-ray"),
        ((EdgeSeries(soft, "ni-l", []), EdgeSeries(hard, "ru-k", [4])), "slots must be"),
    ]:
        with pytest.raises(BadRequest, match=says):
            xas_series_together(*series)
