"""Summaries of stored runs, computed from their tables.

Reads only what storage holds (``run[stream].read()`` and the start document), so a summary
can be computed days later, in a new process, from any copy of the catalog; a
:class:`~operando.analysis.document_run.DocumentRun` gathered from documents reads the same.
"""

from __future__ import annotations

import numpy as np

from .electrochem import summarize_cycling
from .gas import Calibration, GasRates, gas_rates, summarize_gas
from .results import round_floats

PRIMARY_KEYS = ("clock", "t", "Ewe", "I", "Q", "step")


CYCLING_KEYS = ("t", "Ewe", "I", "step")  # what a cycling summary reads


def primary_columns(run, keys: tuple[str, ...] = PRIMARY_KEYS) -> dict[str, np.ndarray]:
    """The potentiostat columns of a stored run among keys (clock s, t s, Ewe V, I mA,
    Q mAh, step); only these are read: a long run's table has many more columns."""
    from ..storage.layout import read_run_columns

    return read_run_columns(run, "primary", keys)


def dems_columns(run) -> tuple[dict[str, np.ndarray], dict]:
    """The mass spectrometer's columns (clock s, interval s, mz<N> A, pressure mbar) of a
    stored run, and the stream's configuration (with the calibration table)."""
    stream = run["dems"]
    ds = stream.read()
    columns = {k: np.asarray(ds[k].values, dtype=float) for k in ds.data_vars}
    return columns, stream.metadata["configuration"]


def cycling_summary(run) -> dict:
    """The cycling summary of a stored run, computed from its stored table."""
    return run_cycling_summary(run.metadata["start"], primary_columns(run, CYCLING_KEYS))


def gas_summary(run) -> dict:
    """Cycling and gas summary of a stored DEMS run, computed from its stored tables."""
    columns, configuration = dems_columns(run)
    return run_gas_summary(run.metadata["start"], primary_columns(run), columns, configuration)


def live_gas_rates(primary: dict, dems: dict, configuration: dict) -> GasRates:
    """Gas evolution rates from the dems columns, the background being the samples taken
    before the first current (ValueError while fewer than 3 are in)."""
    calibration = Calibration.from_configuration(configuration)
    flowing = np.flatnonzero(primary["I"] != 0)
    t_first = primary["clock"][flowing[0]] if flowing.size else np.inf
    ion = {mz: dems[f"mz{mz}"] for mz in calibration.channels}
    return gas_rates(dems["clock"], dems["interval"], ion, calibration, dems["clock"] <= t_first)


def run_cycling_summary(start_doc: dict, columns: dict[str, np.ndarray]) -> dict:
    """The cycling summary of a run from its start document and primary columns
    (t s, Ewe V, I mA, step); floats rounded for reporting, ``uid`` added."""
    sample = start_doc.get("sample") or {}
    if not sample.get("active_mass_mg"):
        raise ValueError("the run's start document lacks sample.active_mass_mg")
    result = summarize_cycling(
        columns["t"],
        columns["Ewe"],
        columns["I"],
        step=columns["step"],
        active_mass_mg=sample["active_mass_mg"],
        formula=sample.get("formula"),
    )
    return {"uid": start_doc["uid"], **round_floats(result)}


def run_gas_summary(
    start_doc: dict, primary: dict[str, np.ndarray], dems: dict[str, np.ndarray],
    dems_configuration: dict, *, electrons_per_o2: float = 4.0,
) -> dict:  # fmt: skip
    """Cycling and gas summary of a run from its start document, primary and dems columns
    and the dems stream's configuration (the calibration); floats rounded, ``uid`` added."""
    cycling = run_cycling_summary(start_doc, primary)
    sample = start_doc["sample"]
    gas = round_floats(
        summarize_gas(
            primary,
            dems,
            Calibration.from_configuration(dems_configuration),
            active_mass_mg=sample["active_mass_mg"],
            formula=sample["formula"],
            electrons_per_o2=electrons_per_o2,
        )
    )
    merged_cycles = [{**c, **g} for c, g in zip(cycling["cycles"], gas["cycles"], strict=False)]
    first = {k: v for k, v in gas.items() if k != "cycles"}
    first.update(gas["cycles"][0] if gas["cycles"] else {})
    return {**cycling, **first, "cycles": merged_cycles}
