"""The demo: the paper's study on the simulated beamline, stored, then reported from storage.

Xu et al., Nat. Commun. 9, 947 (2018): Li1.2Ni0.2Mn0.6O2 (LNMO) and Li1.2Ni0.2Ru0.6O2
(LNRO); coin-cell first cycles, DEMS, ex situ soft X-ray and RIXS, Ru K XANES/EXAFS, in situ
Ru K XANES. ``operando demo`` runs it; :func:`run_demo` returns the summary it writes.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

from ..analysis.results import round_floats
from ..analysis.run_kinds import summarize
from ..instruments import COIN_CELL_AREA_CM2, DEMS_CELL_AREA_CM2, EX_SITU_ELECTRODE_MASS_MG
from ..plans.dems import dems_cycling
from ..plans.electrochem import galvanostatic_cycle
from ..reports.figures import plot_cycling, plot_gas
from ..reports.markdown import report_markdown
from ..sample import KNOWN_MATERIALS, sample_for
from ..session import make_session
from ..storage import open_store
from .demo_xray import exsitu_series, in_situ_ru_cycle
from .running import run_plan, simulator_time_scale

# Instrument s per wall s: the 110 h C/50 cycle in about 2 s. The results do not depend on
# it (ex situ electrodes are taken out on the instrument at their cutoff, SIM:MountOnEnd):
# 50000 and 200000 give the same 48 report values within counting noise. A DEMS run is
# paced by the simulator's CPU already at 2e5: `operando run dems --material lnmo` took
# 10.9-11.4 s at 2e5 and 11.9-13.0 s at 1e6 (start-up included, same results within
# counting noise), so the DEMS stages gain nothing from a faster clock.
DEMO_TIME_SCALE = 200000.0
# The coin cells and the ex situ electrodes need no gas sampling: their clock can run 5x
# faster, where the simulator's CPU, not the clock, sets the pace (the six preparations
# take about 4 s instead of 7-9 s). The DEMS stages keep DEMO_TIME_SCALE.
DEMO_FAST_TIME_SCALE = 1_000_000.0
# The paper's protocols (Methods): coin cells at C/50, DEMS cells at 10 mA/g, 2.0-4.8 V.
DEMO_CYCLE = {"c_rate": 1 / 50, "v_min": 2.0, "v_max": 4.8, "cycles": 1}
DEMO_LOADING_MG_CM2 = 2.5
DEMO_DEMS = {"current_mA_g": 10.0, "v_min": 2.0, "v_max": 4.8, "cycles": 2}
DEMO_DEMS_MASS_MG = 32.9  # about 30 mg/cm2 in the DEMS cell
DEMO_STAGES = 7  # coin + DEMS per material, ex situ X-ray, in situ, report


def run_demo(out: pathlib.Path, time_scale: float | None = None, scan: str | None = None) -> dict:
    """The paper's study on the simulator, stored, then reported from storage.

    Coin-cell first cycle of both materials at C/50; a 6 h rest and two DEMS cycles of each
    at 10 mA/g; the ex situ X-ray series (Ni L, O K, Mn L in TEY and FY, O K RIXS maps, Ru K
    of LNRO against Ru, RuCl3, RuO2); in situ Ru K XANES through the first LNRO cycle. All
    runs share one ``experiment`` uid. Writes summary.json, report.md (computed beside the
    paper), the figures, and runs.json (every run's live summary, to compare replays with).
    time_scale: instrument s per wall s (default DEMO_TIME_SCALE). scan: X-ray spectra as
    "fly" or "step" scans (None: fly where the endstation can).
    """
    # A time scale given is used throughout; by default the stages without gas run faster.
    fast = DEMO_FAST_TIME_SCALE if time_scale is None else None
    time_scale = DEMO_TIME_SCALE if time_scale is None else time_scale
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    uids: dict[str, dict[str, str]] = {}
    live: dict[str, dict] = {}
    started = time.monotonic()
    stage = 0

    def announce(text: str) -> None:
        nonlocal stage
        stage += 1
        elapsed = time.monotonic() - started
        print(f"[demo {stage}/{DEMO_STAGES}, {elapsed:4.0f} s] {text}", file=sys.stderr, flush=True)

    with make_session(str(data), time_scale=time_scale) as session:
        experiment = session.RE.md["experiment"]

        def keep_live_summary(name: str, doc: dict) -> None:
            if name == "stop":
                result = session.run_summary.summary
                live[doc["run_start"]] = {
                    "plan_name": session.run_summary.run.metadata["start"].get("plan_name"),
                    "summary": None if result is None else result.to_json(),
                }

        session.RE.subscribe(keep_live_summary)
        for material in KNOWN_MATERIALS:
            coin = sample_for(
                material,
                DEMO_LOADING_MG_CM2 * COIN_CELL_AREA_CM2,
                COIN_CELL_AREA_CM2,
                name=f"{material} coin cell",
            )
            announce(f"{material}: first cycle at C/50, 2.0-4.8 V")
            session.assemble_sim_cell(coin)
            with simulator_time_scale(session, fast):
                (uid,) = run_plan(
                    session, galvanostatic_cycle(session.potentiostat, coin, **DEMO_CYCLE)
                )
            uids[material] = {"coin": uid}

            dems_cell = sample_for(
                material, DEMO_DEMS_MASS_MG, DEMS_CELL_AREA_CM2, name=f"{material} DEMS cell"
            )
            announce(f"{material}: DEMS, 6 h rest + 2 cycles at 10 mA/g")
            session.assemble_sim_cell(dems_cell)
            ms = session.mass_spectrometer
            (uid,) = run_plan(
                session, dems_cycling(session.potentiostat, ms, dems_cell, **DEMO_DEMS)
            )
            uids[material]["dems"] = uid
        announce("ex situ X-ray series: pristine, 4.5 V, 4.8 V, 2.0 V electrodes")
        with simulator_time_scale(session, fast):
            xray = exsitu_series(session, out, scan=scan)
        announce("in situ Ru K XANES through the first LNRO cycle (C/10)")
        cell = sample_for(
            "lnro", EX_SITU_ELECTRODE_MASS_MG, COIN_CELL_AREA_CM2, name="lnro in situ cell"
        )
        in_situ = in_situ_ru_cycle(session, cell, out, scan=scan)

    announce("report from storage")
    # The report reads storage afresh, as a later reader would.
    store = open_store(str(data))
    summary: dict = {}
    for material, runs in uids.items():
        coin_run, dems_run = store.run(runs["coin"]), store.run(runs["dems"])
        summary[material] = {
            **summarize(coin_run).to_json(),
            "dems": summarize(dems_run).to_json(),
            **xray[material],
        }
        plot_cycling(coin_run, out / f"{material}_cycle.png")
        plot_gas(dems_run, out / f"{material}_dems.png")
    summary["lnro"]["in_situ_ru"] = [
        {k: scan[k] for k in ("x_li", "ewe_V", "valence", "direction")} for scan in in_situ
    ]
    summary["experiment"] = experiment
    summary = round_floats(summary)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "report.md").write_text(report_markdown(summary))
    (out / "runs.json").write_text(json.dumps(live, indent=1))
    print(
        f"[demo] {len(live)} runs in {data} (experiment {experiment}); summary.json, "
        f"report.md and figures in {out}; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    return summary
