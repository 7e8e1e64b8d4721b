"""Fly scans without an IOC: the sweep model (trajectory checks, timing, buffer, counting)
and the plans' messages (kickoff, complete, collect per slot; step where there is no fly)."""

from __future__ import annotations

import numpy as np
import pytest
from plan_bench import LNMO, Bench, fake, index, is_, start_documents

from operando.devices.flyscan import HardFlySweep, SoftFlySweep
from operando.errors import BadRequest
from operando.plans import in_situ_xas_cycling, xas_series
from operando.plans.xray import EDGES
from operando.sim.models.endstation import ElectrodeStore, Endstation
from operando.sim.models.flyscan import (
    Sweep,
    SweepBuffer,
    SweepError,
    check_trajectory,
    uniform,
)

# --- the sweep model --------------------------------------------------------------------


@pytest.mark.parametrize(
    "energies, dwells, message",
    [
        ([500.0], [1.0], "2 to"),
        ([500.0, np.nan], [1.0, 1.0], "finite"),
        ([500.0, 510.0], [1.0, np.inf], "finite"),
        ([100.0, 510.0], [1.0, 1.0], "range"),
        ([500.0, 510.0], [0.0, 1.0], "dwells"),
        ([500.0, 600.0], [1.0, 1.0], "at most 20 eV/s"),
    ],
)
def test_trajectories_the_monochromator_cannot_follow_are_refused(energies, dwells, message):
    with pytest.raises(SweepError, match=message):
        check_trajectory(energies, dwells, 250.0, 1500.0, 20.0)


def test_uniform_sweep_and_its_timing():
    e, d = uniform(500.0, 510.0, 11, 0.5)
    assert e.tolist() == pytest.approx(np.arange(500.0, 510.01, 1.0).tolist())
    check_trajectory(e, d, 250.0, 1500.0, 20.0)  # 2 eV/s: fine
    sweep = Sweep(e, d, t_first=100.0)
    assert sweep.due(100.4) == slice(0, 0)
    assert sweep.due(101.0) == slice(0, 2)  # points end at 100.5 and 101.0
    sweep.done = 2
    assert sweep.wall_until_next(101.0, time_scale=10.0) == pytest.approx(0.05)
    assert sweep.due(1e9) == slice(2, 11)
    with pytest.raises(SweepError):
        uniform(500.0, 510.0, 1, 0.5)


def test_buffer_pages_in_order_and_clears():
    buf = SweepBuffer(("energy",), t0=0.0)
    buf.extend({"ts": np.arange(3.0), "energy": np.arange(3.0) + 500})
    buf.extend({"ts": np.arange(3.0, 5.0), "energy": np.arange(3.0, 5.0) + 500})
    assert len(buf) == 5
    assert buf.page(3, 10) == {"ts": [3.0, 4.0], "energy": [503.0, 504.0]}
    buf.clear(t0=7.0)
    assert len(buf) == 0 and buf.t0 == 7.0 and buf.page(0, 10)["ts"] == []


def test_a_sweep_counts_what_steps_count():
    """Same physics: the mean of many sweeps' rows matches the stepped counts."""
    from operando.sim.models.xray import REFERENCES

    hard = Endstation("hard", ElectrodeStore(), lambda: None, seed=1)
    hard.position = 19  # RuO2
    assert hard.sample() is REFERENCES["ruo2"]
    energies = np.array([22000.0, 22127.0, 22300.0])
    many = [hard.count_many(energies, np.full(3, 1.0)) for _ in range(50)]
    stepped = []
    for e in energies:
        hard.mono.energy_eV = e
        stepped.append(np.mean([hard.count(1.0)["it"] for _ in range(50)]))
    fly_it = np.mean([m["it"] for m in many], axis=0)
    assert fly_it == pytest.approx(stepped, rel=2e-3)
    assert fly_it[0] > fly_it[2]  # absorption rises across the edge


# --- plan messages -------------------------------------------------------------------------


@pytest.fixture
def bench() -> Bench:
    b = Bench()
    b.soft.fly = fake(SoftFlySweep, "X:SXR:Fly:", "sxr_fly", last_error_pv="X:SXR:LastError")
    b.hard.fly = fake(HardFlySweep, "X:HXR:Fly:", "hxr_fly", last_error_pv="X:HXR:LastError")
    return b


def test_fly_series_sweeps_each_slot_once_and_emits_pages(bench):
    msgs = bench.run(xas_series(bench.soft, "ni-l", [1, 2]))
    (md,) = start_documents(msgs)
    assert md["protocol"]["parameters"]["scan"] == "fly"
    assert md["num_points"] == 2 * EDGES["ni-l"].grid(1.0)[0].size
    assert not [m for m in msgs if m.command == "trigger"]  # no point is stepped
    flyer = next(m.obj for m in msgs if m.command == "kickoff")
    assert flyer.stream == "primary" and flyer.station is bench.soft
    energies, dwells = flyer._trajectory  # the edge's grid, programmed once
    assert energies.tolist() == EDGES["ni-l"].grid(1.0)[0].tolist()
    k = 0
    for slot in (1, 2):
        k = index(msgs, lambda m, s=slot: m.command == "set" and m.args[0] == s, k)
        k = index(msgs, is_("kickoff", flyer), k)
        k = index(msgs, is_("complete", flyer), k)
        k = index(msgs, is_("collect", flyer), k)
    assert index(msgs, is_("close_run")) > k


def test_step_where_asked_or_where_there_is_no_fly(bench):
    msgs = bench.run(xas_series(bench.soft, "ni-l", [1], scan="step"))
    assert start_documents(msgs)[0]["protocol"]["parameters"]["scan"] == "step"
    assert not [m for m in msgs if m.command == "kickoff"]
    bench.hard.fly = None
    msgs = bench.run(xas_series(bench.hard, "ru-k", [17]))
    assert start_documents(msgs)[0]["protocol"]["parameters"]["scan"] == "step"
    with pytest.raises(BadRequest, match="no fly scans"):
        xas_series(bench.hard, "ru-k", [17], scan="fly")
    with pytest.raises(BadRequest, match="scan must be one of"):
        xas_series(bench.soft, "ni-l", [1], scan="quick")


def test_in_situ_flies_into_the_xas_stream_with_the_cell_state(bench):
    msgs = bench.run(
        in_situ_xas_cycling(
            bench.pstat, bench.hard, LNMO, c_rate=0.1, reference_slots={"RuO2": 19}
        )  # fmt: skip
    )
    flyer = next(m.obj for m in msgs if m.command == "kickoff" and hasattr(m.obj, "stream"))
    assert flyer.stream == "xas" and flyer.cell is bench.pstat
    assert [s.name for s in flyer.extra] == ["scan"]
    assert start_documents(msgs)[0]["protocol"]["parameters"]["scan"] == "fly"
    sweeps = [m for m in msgs if m.command == "kickoff" and m.obj is flyer]
    assert len(sweeps) >= 2  # the reference, then the cell while it cycles
