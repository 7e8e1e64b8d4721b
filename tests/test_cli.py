"""The command line as a user runs it: own simulator, JSON out, replay from storage."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def operando(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "operando.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_run_cycle_then_replay_gives_the_same_summary(tmp_path):
    data = str(tmp_path / "data")
    run = operando(
        "run", "cycle", "--material", "lnmo", "--mass-mg", "3.85", "--c-rate", "0.02",
        "--v-min", "2.0", "--v-max", "4.8", "--cycles", "1", "--time-scale", "100000",
        "--data", data, "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    live = json.loads(run.stdout)
    assert live["charge_capacity_mAh_g"] == pytest.approx(310, abs=8)
    for key in (
        "uid", "charge_capacity_mAh_g", "discharge_capacity_mAh_g", "coulombic_efficiency_pct",
        "li_removed", "li_inserted", "dqdv_charge_peaks_V", "dqdv_discharge_peaks_V",
    ):  # fmt: skip
        assert key in live

    replayed = operando("replay", live["uid"], "--data", data, "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == run.stdout  # to the last digit


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mass-mg", "0"], "active mass must be positive"),
        (["--mass-mg", "-1"], "active mass must be positive"),
        (["--v-min", "4.8", "--v-max", "2.0"], "lower cutoff"),
        (["--c-rate", "0"], "c_rate must be a positive number"),
        (["--material", "lnco"], "invalid choice: 'lnco'"),
    ],
)
def test_bad_input_is_refused_before_anything_starts(tmp_path, args, message):
    base = {
        "--material": "lnmo", "--mass-mg": "3.85", "--c-rate": "0.02", "--v-min": "2.0",
        "--v-max": "4.8",
    }  # fmt: skip
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    argv = ["run", "cycle", "--data", str(tmp_path / "data")]
    for flag, value in base.items():
        argv += [flag, value]
    result = operando(*argv, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was started, nothing was stored


def test_run_dems_then_replay_gives_the_same_gas_summary(tmp_path):
    data = str(tmp_path / "data")
    run = operando(
        "run", "dems", "--material", "lnro", "--mass-mg", "32.9", "--current-mA-g", "10",
        "--cycles", "1", "--rest-h", "2", "--time-scale", "100000", "--data", data, "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    live = json.loads(run.stdout)
    for key in ("lattice_o_loss_pct", "o2_capacity_mAh_g", "irreversible_capacity_mAh_g"):
        assert key in live
    (cycle,) = live["cycles"]
    assert set(cycle) >= {
        "o2_umol", "co2_umol", "h2_umol", "o2_onset_V", "co2_onset_V",
        "o2_max_rate_nmol_min", "co2_max_rate_nmol_min",
    }  # fmt: skip
    assert cycle["o2_max_rate_nmol_min"] < 0.01 and cycle["o2_onset_V"] is None

    replayed = operando("replay", live["uid"][:8], "--data", data, "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == run.stdout

    out = tmp_path / "report"
    report = operando("report", live["uid"], "--data", data, "--out", str(out))
    assert report.returncode == 0, report.stderr
    stem = live["uid"][:8]
    assert json.loads((out / f"{stem}_summary.json").read_text()) == json.loads(replayed.stdout)
    assert (out / f"{stem}_dems.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rest-h", "0"], "must hold at least 3 gas samples"),
        (["--sample-interval-s", "0.1"], "sample_interval_s must lie in"),
        (["--current-mA-g", "0"], "current_mA_g must be a positive number"),
        (["--current-mA-g", "5000"], "exceeds the potentiostat's compliance"),
    ],
)
def test_bad_dems_input_is_refused(tmp_path, args, message):
    argv = ["run", "dems", "--material", "lnmo", "--mass-mg", "32.9", "--data"]
    result = operando(*argv, str(tmp_path / "data"), *args, "--time-scale", "100000", timeout=120)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_demo_writes_the_report_of_both_materials(tmp_path):
    from operando.cli import run_demo

    summary = run_demo(tmp_path / "demo", time_scale=100000)
    for material in ("lnmo", "lnro"):
        assert summary[material]["charge_capacity_mAh_g"] > 200
        dems = summary[material]["dems"]
        assert len(dems["cycles"]) == 2 and "lattice_o_loss_pct" in dems
        for figure in (f"{material}_cycle.png", f"{material}_dems.png"):
            assert (tmp_path / "demo" / figure).stat().st_size > 10_000
    assert summary["lnmo"]["dems"]["cycles"][0]["o2_umol"] > 5
    assert summary["lnro"]["dems"]["cycles"][0]["o2_max_rate_nmol_min"] < 0.01
    for material in ("lnmo", "lnro"):
        xray = summary[material]["xray"]
        assert set(xray) == {"pristine", "4.5V", "4.8V", "2.0V"}
        for state in xray.values():
            assert {"ni_l3_ratio_tey", "ni_l3_ratio_fy", "rixs_feature_intensity"} <= set(state)
    ru_k = summary["lnro"]["ru_k"]
    assert set(ru_k) >= {"pristine", "4.5V", "4.8V", "2.0V", "references"}
    assert set(ru_k["references"]) == {"Ru metal foil", "RuCl3", "RuO2"}
    assert ru_k["4.8V"]["valence"] > ru_k["pristine"]["valence"] + 0.5
    in_situ = summary["lnro"]["in_situ_ru"]
    assert len(in_situ) >= 4
    assert {"x_li", "ewe_V", "valence", "direction"} == set(in_situ[0])
    assert max(s["valence"] for s in in_situ) > 4.7
    for figure in ("exsitu_soft_xas.png", "rixs_maps.png", "in_situ_ru_k.png"):
        assert (tmp_path / "demo" / figure).stat().st_size > 10_000
    stored = json.loads((tmp_path / "demo" / "summary.json").read_text())
    assert stored == json.loads(json.dumps(summary))
    for state in ("pristine", "2.0V"):
        assert "mn_l3_centroid_eV_fy" in summary["lnmo"]["xray"][state]
    assert (tmp_path / "demo" / "ru_k.png").stat().st_size > 10_000

    # Every number the paper gives lies within the issues' tolerances, and report.md says so.
    from operando.paper import compare

    failing = [row for row in compare(summary) if not row["holds"]]
    assert not failing, failing
    report = (tmp_path / "demo" / "report.md").read_text()
    rows = compare(summary)
    assert f"{len(rows)} of {len(rows)} quantities within tolerance" in report
    assert "| O2, cycle 1 (umol) |" in report and "![rixs_maps.png](rixs_maps.png)" in report

    # Every run of the demo shares the experiment uid, and replays to its live summary.
    from operando.cli import _cycling_keys, _gas_keys, replay_run
    from operando.storage import open_store

    live = json.loads((tmp_path / "demo" / "runs.json").read_text())
    store = open_store(tmp_path / "demo" / "data")
    plans = {entry["plan_name"] for entry in live.values()}
    assert {"galvanostatic_cycle", "galvanostatic", "dems_cycling", "xas_series", "rixs_map",
            "in_situ_xas_cycling"} <= plans  # fmt: skip
    for uid, entry in live.items():
        assert store.run(uid).metadata["start"]["experiment"] == summary["experiment"]
        replayed = replay_run(uid, str(tmp_path / "demo" / "data"))
        if "cycles" in replayed:
            gas = "o2_umol" in replayed
            replayed = _gas_keys(replayed) if gas else _cycling_keys(replayed)
        assert json.loads(json.dumps(replayed)) == entry["summary"], entry["plan_name"]


def test_run_xas_and_rixs_commands(tmp_path):
    data = str(tmp_path / "data")
    xas = operando(
        "run", "xas", "--edge", "ru-k", "--sample", "lnro:4.8V", "--time-scale", "100000",
        "--data", data, "--json",
    )  # fmt: skip
    assert xas.returncode == 0, xas.stderr
    result = json.loads(xas.stdout)
    assert result["samples"]["lnro 4.8V"]["valence"] == pytest.approx(5.0, abs=0.3)
    assert result["calibration"]["monotonic"] is True
    replayed = operando("replay", result["uid"], "--data", data, "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == xas.stdout  # from storage, in a new process
    rixs = operando("run", "rixs", "--sample", "lnmo:pristine", "--time-scale", "100000",
                    "--data", data, "--json")  # fmt: skip
    assert rixs.returncode == 0, rixs.stderr
    assert json.loads(rixs.stdout)["feature_intensity"] > 0
    bad = operando("run", "xas", "--edge", "ni-l", "--sample", "lnmo:3.9V", "--data", data)
    assert bad.returncode == 2 and "unknown state" in bad.stderr
