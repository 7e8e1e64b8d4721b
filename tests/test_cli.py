"""The command line as a user runs it: own simulator, JSON out, replay from storage."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_here import operando_here


def operando(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "operando.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_run_cycle_then_replay_gives_the_same_summary(tmp_path, capsys):
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

    # from storage, in another process than the one that measured
    code, replayed, err = operando_here(capsys, "replay", live["uid"], "--data", data, "--json")
    assert code == 0, err
    assert replayed == run.stdout  # to the last digit


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mass-mg", "0"], "active mass must be positive"),
        (["--mass-mg", "-1"], "active mass must be positive"),
        (["--v-min", "4.8", "--v-max", "2.0"], "lower cutoff"),
        (["--c-rate", "0"], "c_rate must be a positive number"),
        (["--material", "lnco"], "unknown material 'lnco'"),
    ],
)
def test_bad_input_is_refused_before_anything_starts(tmp_path, capsys, args, message):
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


@pytest.mark.slow
def test_run_dems_then_replay_gives_the_same_gas_summary(tmp_path, capsys):
    data = str(tmp_path / "data")
    code, measured, err = operando_here(
        capsys, "run", "dems", "--material", "lnro", "--mass-mg", "32.9", "--current-mA-g",
        "10", "--cycles", "1", "--rest-h", "2", "--time-scale", "100000", "--data", data,
        "--json",
    )  # fmt: skip
    assert code == 0, err
    live = json.loads(measured)
    for key in ("lattice_o_loss_pct", "o2_capacity_mAh_g", "irreversible_capacity_mAh_g"):
        assert key in live
    (cycle,) = live["cycles"]
    assert set(cycle) >= {
        "o2_umol", "co2_umol", "h2_umol", "o2_onset_V", "co2_onset_V",
        "o2_max_rate_nmol_min", "co2_max_rate_nmol_min",
    }  # fmt: skip
    assert cycle["o2_max_rate_nmol_min"] < 0.01 and cycle["o2_onset_V"] is None

    code, replayed, err = operando_here(capsys, "replay", live["uid"][:8], "--data", data, "--json")
    assert code == 0, err
    assert replayed == measured  # from storage, by a store opened afresh

    out = tmp_path / "report"
    code, _, err = operando_here(capsys, "report", live["uid"], "--data", data, "--out", str(out))
    assert code == 0, err
    stem = live["uid"][:8]
    assert json.loads((out / f"{stem}_summary.json").read_text()) == json.loads(replayed)
    assert (out / f"{stem}_dems.png").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (["--rest-h", "0"], "must hold at least 3 gas samples"),
        (["--sample-interval-s", "0.1"], "sample_interval_s must lie in"),
        (["--current-mA-g", "0"], "current_mA_g must be a positive number"),
        (["--current-mA-g", "5000"], "exceeds the potentiostat's compliance"),
    ],
)
def test_bad_dems_input_is_refused(tmp_path, capsys, args, message):
    argv = ["run", "dems", "--material", "lnmo", "--mass-mg", "32.9", "--data"]
    # in this process: a refusal starts nothing, so no process is needed to show it
    code, _, err = operando_here(
        capsys, *argv, str(tmp_path / "data"), *args, "--time-scale", "100000"
    )
    assert code == 2, err
    assert message in err and not (tmp_path / "data").exists()


@pytest.mark.slow
def test_run_xas_and_rixs_commands(tmp_path, capsys):
    data = str(tmp_path / "data")
    code, measured, err = operando_here(
        # 1e6: the electrode's preparation is paced by the simulator's CPU, not its clock
        capsys, "run", "xas", "--edge", "ru-k", "--sample", "lnro:4.8V", "--time-scale",
        "1000000", "--data", data, "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(measured)
    assert result["samples"]["lnro 4.8V"]["valence"] == pytest.approx(5.0, abs=0.3)
    assert result["calibration"]["monotonic"] is True
    code, replayed, err = operando_here(capsys, "replay", result["uid"], "--data", data, "--json")
    assert code == 0, err
    assert replayed == measured  # from storage, by a store opened afresh
    # The stored spectra feed `operando xas valence` as files do.
    run = f"run:{result['uid'][:8]}"
    code, valence, err = operando_here(
        capsys, "xas", "valence", "--data", data, "--method", "fraction", "--json",
        "--reference", f"{run}/RuCl3=3", "--reference", f"{run}/RuO2=4",
        "--reference", f"{run}/Ru metal foil=0", "--sample", f"{run}/lnro 4.8V",
    )  # fmt: skip
    assert code == 0, err
    (charged,) = json.loads(valence)["samples"]
    assert charged["valence"] == pytest.approx(5.0, abs=0.3) and charged["uncertainty"] < 0.3
    code, rixs, err = operando_here(capsys, "run", "rixs", "--sample", "lnmo:pristine",
                                 "--time-scale", "100000", "--data", data, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(rixs)["feature_intensity"] > 0
    # Bad X-ray input is refused before anything starts: tests/test_layers.py.
