"""Bad command lines are refused before anything starts: exit 2, one line, no file, fast."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from operando.cli import main

M = "--material lnmo --v-min 2 --v-max 4.8 --time-scale 50000".split()
CYCLE = ["run", "cycle", *M, "--mass-mg", "3.85", "--c-rate", "0.02"]
DEMS = ["run", "dems", "--material", "lnmo", "--mass-mg", "32.9", "--time-scale", "50000"]


def _replace(argv: list[str], flag: str, value: str) -> list[str]:
    argv = list(argv)
    argv[argv.index(flag) + 1] = value
    return argv


BAD = {
    "mass inf": (_replace(CYCLE, "--mass-mg", "inf"), "finite"),
    "mass 1e12": (_replace(CYCLE, "--mass-mg", "1e12"), "compliance"),
    "c-rate inf": (_replace(CYCLE, "--c-rate", "inf"), "finite"),
    "c-rate 1e-12": (_replace(CYCLE, "--c-rate", "1e-12"), "a year"),
    "time-scale nan": (_replace(CYCLE, "--time-scale", "nan"), "finite"),
    "time-scale inf": (_replace(CYCLE, "--time-scale", "inf"), "finite"),
    "v-max 100": (_replace(CYCLE, "--v-max", "100"), "voltage window"),
    "dems 1e6 mA/g": ([*DEMS, "--current-mA-g", "1e6"], "compliance"),
    "ca-port 0": ([*CYCLE, "--prefix", "NOPE:", "--ca-port", "0"], "port"),
    "sim time-scale nan": (["sim", "--time-scale", "nan"], "finite"),
    "sim port 99999": (["sim", "--port", "99999"], "port"),
    "demo time-scale 0": (["demo", "--time-scale", "0"], "positive"),
}


@pytest.fixture
def no_simulator(monkeypatch):
    from operando.sim.ioc import launch

    def refuse(*args, **kwargs):
        raise AssertionError("a simulator was started")

    monkeypatch.setattr(launch.SimulatedBeamline, "start", refuse)
    import operando.sim.__main__ as sim_main

    monkeypatch.setattr(sim_main, "serve", refuse)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_at_once_with_one_line(case, tmp_path, capsys, no_simulator):
    argv, words = BAD[case]
    data = tmp_path / "data"
    if argv[0] == "run":
        argv = [*argv, "--data", str(data)]
    if argv[0] == "demo":
        argv = [*argv, "--out", str(tmp_path / "out")]
    started = time.monotonic()
    assert main(argv) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("operando: error:")
    assert words in err
    assert list(tmp_path.iterdir()) == []  # no file, no directory


def test_data_naming_a_file_or_an_unwritable_directory_is_refused(tmp_path, capsys, no_simulator):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for data, words in ((a_file, "is a file"), (a_file / "below", "is a file")):
        assert main([*CYCLE, "--data", str(data)]) == 2
        assert words in capsys.readouterr().err
    # root writes anywhere: a directory on a read-only file system is what stays unwritable
    readonly = "/proc/sys"
    assert main([*CYCLE, "--data", f"{readonly}/operando-data"]) == 2
    assert "not writable" in capsys.readouterr().err or "cannot write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_finiteness_and_a_year_bound_in_the_plans():
    from operando.plans.electrochem import check_cycle_parameters
    from operando.sample import sample_for

    lnmo = sample_for("lnmo", 3.85)
    for kwargs in ({"c_rate": float("nan")}, {"c_rate": float("inf")}, {"c_rate": 1e-12},
                   {"current_mA": float("inf")}):  # fmt: skip
        with pytest.raises(ValueError):
            check_cycle_parameters(lnmo, v_min=2, v_max=4.8, **kwargs)
    assert check_cycle_parameters(lnmo, v_min=2, v_max=4.8, c_rate=0.02) > 0


@pytest.mark.slow
def test_a_prefix_no_ioc_serves_is_refused_within_seconds(tmp_path):
    from operando.sim.ioc.launch import free_port

    argv = [*CYCLE, "--prefix", "NOPE:", "--ca-port", str(free_port()), "--data",
            str(tmp_path / "d")]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "operando.cli", *argv], capture_output=True, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=60,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "no IOC answers" in proc.stderr
    assert elapsed < 15
    assert not (tmp_path / "d").exists()


def test_a_formula_without_simulator_physics_is_refused_before_anything(tmp_path, capsys):
    data = tmp_path / "data"
    argv = ["run", "cycle", "--formula", "LiNi0.6Mn0.2Co0.2O2", "--mass-mg", "3.0",
            "--c-rate", "0.1", "--v-min", "3", "--v-max", "4.3", "--data", str(data)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "simulated materials: lco, lfp" in err
    assert not data.exists()  # nothing written, nothing started


REFUSALS = {
    "cycle": [*_replace(CYCLE, "--v-max", "100")],
    "dems": [*DEMS, "--current-mA-g", "1e6"],
    "cv": ["run", "cv", "--material", "lnmo", "--mass-mg", "1", "--v-min", "2", "--v-max", "9",
           "--scan-rate-mV-s", "1"],
    "xas": ["run", "xas", "--edge", "zz-k", "--sample", "lnro:4.8V"],
    "rixs": ["run", "rixs", "--sample", "lnmo:charged"],
}  # fmt: skip


def test_a_refusal_imports_neither_the_control_stack_nor_the_analysis(tmp_path):
    """Refusing bad input takes a fraction of a second because it needs none of bluesky,
    ophyd, scipy, xraydb or tiled (each of which takes up to seconds to import)."""
    heavy = ("bluesky", "ophyd", "scipy", "xraydb", "tiled", "caproto", "matplotlib")
    argvs = [[*argv, "--data", str(tmp_path / "d")] for argv in REFUSALS.values()]
    script = (
        "import sys\nfrom operando.cli import main\n"
        f"codes = [main(argv) for argv in {argvs!r}]\n"
        f"print(codes, sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("] ", 1) == [str([2] * len(REFUSALS))[:-1], "[]\n"], done.stdout
    assert not (tmp_path / "d").exists()
