"""The layout's rules: analysis imports no acquisition, reporting or interface layer;
importing changes nothing in the process; modules stay small; the command line refuses bad
input in one line, exit status 2, before anything starts."""

from __future__ import annotations

import ast
import importlib
import os
import sys
import warnings
from pathlib import Path

import pytest

import operando

PACKAGE = Path(operando.__file__).parent
MAX_MODULE_LINES = 400
# analysis/ is science only: what it must never import (issue 10, "What to build" 1)
ABOVE_ANALYSIS = ("plans", "devices", "reports", "studies", "commands", "cli", "shell",
                  "session", "sim", "display")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module path imports, at any depth (lazy imports too)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names |= {f"{prefix}.{alias.name}" for alias in node.names}
    return names


ANALYSIS_MODULES = sorted(
    p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "analysis").glob("*.py")
)
KNOWN_VIOLATIONS: dict[str, str] = {}  # module -> why it may not follow the rule (none)


def test_the_import_walker_resolves_relative_imports():
    assert "operando.sample.molar_mass" in imported_modules(PACKAGE / "analysis" / "electrochem.py")
    assert "operando.analysis.results" in imported_modules(PACKAGE / "analysis" / "run_kinds.py")


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=KNOWN_VIOLATIONS[m]))
        if m in KNOWN_VIOLATIONS else m
        for m in ANALYSIS_MODULES
    ],
)  # fmt: skip
def test_analysis_imports_no_higher_layer(module):
    forbidden = tuple(f"operando.{layer}" for layer in ABOVE_ANALYSIS)
    offending = sorted(
        name for name in imported_modules(PACKAGE / module)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )  # fmt: skip
    assert offending == [], f"{module} imports {offending}"


def test_no_module_is_over_400_lines():
    lengths = {
        p.relative_to(PACKAGE.parent).as_posix(): len(p.read_text().splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    offenders = {name: n for name, n in sorted(lengths.items()) if n > MAX_MODULE_LINES}
    assert not offenders, f"modules over {MAX_MODULE_LINES} lines: {offenders}"
    assert len(lengths) > 50  # the walk found the package


def test_importing_devices_and_plans_changes_nothing_in_the_process(monkeypatch):
    """Imported afresh in this process: no control layer chosen, no warnings filter."""
    import ophyd
    from ophyd.signal import EpicsSignalBase

    original = importlib.import_module("operando.devices")
    monkeypatch.delenv("OPHYD_CONTROL_LAYER", raising=False)
    fresh = ("operando.devices", "operando.plans")
    for name in [m for m in sys.modules if m.startswith(fresh)]:
        monkeypatch.delitem(sys.modules, name)  # restored (with the originals) afterwards
    for attribute in ("devices", "plans"):
        monkeypatch.setattr(operando, attribute, getattr(operando, attribute, None), raising=False)
    filters, control_layer = list(warnings.filters), ophyd.cl
    timeout = EpicsSignalBase._EpicsSignalBase__default_timeout

    devices = importlib.import_module("operando.devices")
    importlib.import_module("operando.plans")

    assert devices is not original  # imported afresh: its module code ran in this test
    assert "OPHYD_CONTROL_LAYER" not in os.environ
    assert warnings.filters == filters
    assert ophyd.cl is control_layer
    assert EpicsSignalBase._EpicsSignalBase__default_timeout == timeout


# --- the command line refuses bad input before anything starts ----------------------------


@pytest.fixture
def nothing_starts(monkeypatch):
    """Fail the test if the command line starts a simulated beamline."""
    from operando.sim.ioc.launch import SimulatedBeamline

    def start(self, *args, **kwargs):
        raise AssertionError("a simulated beamline was started for a bad request")

    monkeypatch.setattr(SimulatedBeamline, "start", start)


CYCLE = ["run", "cycle", "--material", "lnmo", "--c-rate", "0.1"]


@pytest.mark.parametrize(
    "argv, message",
    [
        ([*CYCLE, "--mass-mg", "0", "--v-min", "2", "--v-max", "4.8"],
         "active mass must be positive (mg), got 0.0"),
        ([*CYCLE, "--mass-mg", "-3", "--v-min", "2", "--v-max", "4.8"],
         "active mass must be positive (mg), got -3.0"),
        ([*CYCLE, "--mass-mg", "3.85", "--v-min", "4.8", "--v-max", "2.0"],
         "the lower cutoff (4.8 V) must lie below the upper cutoff (2 V)"),
        ([*CYCLE, "--mass-mg", "3.85", "--v-min", "2", "--v-max", "4.8", "--cycles", "0"],
         "cycles must be a whole number from 1 to 32"),
        (["run", "xas", "--edge", "xx-k", "--sample", "lnmo:pristine"],
         "unknown edge 'xx-k'"),
        (["run", "xas", "--edge", "ni-l", "--sample", "lnmo:charged"],
         "unknown state 'charged'"),
        (["run", "dems", "--material", "lnmo", "--mass-mg", "3", "--rest-h", "0"],
         "must hold at least 3 gas samples"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line_and_starts_nothing(
    argv, message, tmp_path, capsys, nothing_starts
):
    from operando.cli import main

    data = tmp_path / "data"
    assert main([*argv, "--data", str(data)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("operando: error: ")
    assert message in err
    assert not data.exists()  # nothing was stored either


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path, nothing_starts):
    """Only refused requests are reported in one line; a KeyError from a bug propagates."""
    from operando.cli import main
    from operando.studies import cycling

    def broken(**kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(cycling, "run_cycle", broken)
    with pytest.raises(KeyError, match="a bug"):
        main([*CYCLE, "--mass-mg", "3.85", "--v-min", "2", "--v-max", "4.8", "--data",
              str(tmp_path)])  # fmt: skip
