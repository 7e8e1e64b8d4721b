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
