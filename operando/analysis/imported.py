"""Summaries of runs imported from instrument files (EC-Lab, Zilien, XDI / Athena).

Each reads a run through the stored-run interface (``run.metadata["start"]``,
``run[stream].read()``), so live replay and ``operando report`` give the same numbers.
Imported cycling keeps the keys of acquired cycling at the top level (first cycle) and adds
every cycle under ``cycles`` (charge and discharge capacity, mAh/g; mean discharge
potential, V; coulombic efficiency, %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .electrochem import cumulative_charge_mAh, pair_cycles, split_half_cycles
from .results import CYCLE_KEYS, CyclingSummary, Summary, round_floats, round_significant
from .tables import cycling_summary, primary_columns


@dataclass
class ImportedCyclingSummary(CyclingSummary):
    """Cycling of an imported file: the acquired-cycling keys (first cycle) and ``cycles``."""

    def to_json(self) -> dict:
        cycles = [{"cycle": c.cycle, **{k: getattr(c, k) for k in CYCLE_KEYS}} for c in self.cycles]
        return {**super().to_json(), "cycles": round_floats(cycles)}


def mean_discharge_potentials(columns: dict[str, np.ndarray]) -> list[float | None]:
    """Charge-weighted mean Ewe (V) of each cycle's discharge (integral of E dQ over Q)."""
    out: list[float | None] = []
    halves = split_half_cycles(columns["t"], columns["Ewe"], columns["I"], columns.get("step"))
    for _, discharge in pair_cycles(halves):
        if discharge is None or discharge.capacity_mAh <= 0:
            out.append(None)
            continue
        q = discharge.cumulative_mAh()
        out.append(float(np.trapezoid(discharge.ewe_V, q) / q[-1]))
    return out


def imported_cycling(run) -> ImportedCyclingSummary:
    """Acquired cycling's summary of an imported run, with per-cycle values."""
    summary = ImportedCyclingSummary.from_dict(cycling_summary(run))
    for cycle, mean_v in zip(summary.cycles, mean_discharge_potentials(primary_columns(run)),
                             strict=False):  # fmt: skip
        cycle.mean_discharge_V = mean_v
    if summary.cycles:
        summary.first.mean_discharge_V = summary.cycles[0].mean_discharge_V
    return summary


@dataclass
class ImportedSummary(Summary):
    """A summary held as the JSON it prints (kinds whose numbers are a flat record)."""

    kind: ClassVar[str] = "imported"
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return round_floats({"uid": self.uid, **self.values})


class ImpedanceSummary(ImportedSummary):
    """Capacitances (F, 1e-6 and below) keep 4 significant digits, not 4 decimals."""

    kind: ClassVar[str] = "impedance"

    def to_json(self) -> dict:
        return round_significant({"uid": self.uid, **self.values})


class VoltammetrySummary(ImportedSummary):
    kind: ClassVar[str] = "voltammetry"


class TraceSummary(ImportedSummary):
    kind: ClassVar[str] = "trace"


class EcmsSummary(ImportedSummary):
    """Ion currents (A, 1e-15 and below) keep 4 significant digits, not 4 decimals."""

    kind: ClassVar[str] = "ecms"

    def to_json(self) -> dict:
        values = dict(self.values)
        channels = values.pop("channels", {})
        out = round_floats({"uid": self.uid, **values})
        out["channels"] = {
            mz: {k: (float(f"{v:.4g}") if k.endswith("_A") and v is not None else
                     round_floats(v)) for k, v in entry.items()}
            for mz, entry in channels.items()
        }  # fmt: skip
        return out


class XasSpectraSummary(ImportedSummary):
    kind: ClassVar[str] = "xas_spectra"


def _table(run, stream: str = "primary") -> dict[str, np.ndarray]:
    ds = run[stream].read()
    return {k: np.asarray(ds[k].values) for k in ds.data_vars}


def impedance(run) -> ImpedanceSummary:
    """Per spectrum (EC-Lab's cycle number): frequency range (Hz), high-frequency
    intercept (Ohm: Re Z where -Im Z crosses zero, else at the highest frequency), the
    apex of the arc (largest -Im Z, its frequency and Re Z), and under ``fit`` the
    two-arc cell circuit fitted to it (``analysis.impedance.fit_two_arc_cell``, with its
    ``warnings``), or ``fit`` None and ``fit_refused`` saying why (an inductive spectrum,
    too few frequencies)."""
    c = _table(run)
    spectra = []
    numbers = c.get("cycle", np.ones(c["frequency"].size))
    for n in np.unique(numbers):
        sel = numbers == n
        f, re_z, mim = c["frequency"][sel], c["Re_Z"][sel], c["minus_Im_Z"][sel]
        order = np.argsort(-f)
        f, re_z, mim = f[order], re_z[order], mim[order]
        crossing = np.flatnonzero(np.diff(np.sign(mim)) > 0)
        if crossing.size:
            k = crossing[0]
            hf = float(np.interp(0.0, [mim[k], mim[k + 1]], [re_z[k], re_z[k + 1]]))
        else:
            hf = float(re_z[0])
        apex = int(np.argmax(mim))
        spectra.append({
            "spectrum": int(n), "points": int(sel.sum()), "f_max_Hz": float(f[0]),
            "f_min_Hz": float(f[-1]), "hf_intercept_ohm": hf, "apex_minus_im_z_ohm":
            float(mim[apex]), "apex_re_z_ohm": float(re_z[apex]), "apex_frequency_Hz":
            float(f[apex]), "lowest_f_re_z_ohm": float(re_z[-1]),
            **_circuit_fit(f, re_z - 1j * mim),
        })  # fmt: skip
    return ImpedanceSummary(run.metadata["start"]["uid"], {"spectra": spectra})


def _circuit_fit(freq_Hz: np.ndarray, z_ohm: np.ndarray) -> dict[str, Any]:
    from .impedance import fit_two_arc_cell  # here: scipy.optimize is slow to import

    finite = np.isfinite(freq_Hz) & np.isfinite(z_ohm)
    try:
        return {"fit": fit_two_arc_cell(freq_Hz[finite], z_ohm[finite]), "fit_refused": None}
    except ValueError as e:
        return {"fit": None, "fit_refused": str(e)}


def voltammetry(run) -> VoltammetrySummary:
    """Anodic (I > 0, rising Ewe) and cathodic (I < 0, falling Ewe) current peaks: their
    potentials (V, strongest first) and currents (mA), over the whole run; the current at
    the turning points (within 2 % of the window from its ends, or 3 points of a change of
    direction) is not a peak."""
    c = _table(run)
    e, i = c["Ewe"], c["I"]
    rising = np.gradient(e) > 0
    out: dict[str, Any] = {}
    for name, sel, sign in (("anodic", rising, 1.0), ("cathodic", ~rising, -1.0)):
        y = np.where(sel, sign * i, 0.0)
        prominence = 0.1 * float(np.max(np.abs(i))) if i.size else 0.0
        from scipy.signal import find_peaks  # here: scipy.signal takes ~0.7 s to import

        idx, _ = find_peaks(y, prominence=prominence or None)
        # a peak, not the current where a sweep starts or turns (charging of the double
        # layer): away from the ends of the window and from every change of direction
        margin = 0.02 * (np.nanmax(e) - np.nanmin(e))
        inside = (e > np.nanmin(e) + margin) & (e < np.nanmax(e) - margin)
        near_turn = np.zeros(e.size, bool)
        for k in (0, *np.flatnonzero(np.diff(rising.astype(int))), e.size - 1):
            near_turn[max(0, k - 3) : k + 4] = True
        idx = idx[(y[idx] > 0) & inside[idx] & ~near_turn[idx]]
        idx = idx[np.argsort(-y[idx], kind="stable")][:5]
        out[f"{name}_peaks_V"] = [float(e[k]) for k in idx]
        out[f"{name}_peak_currents_mA"] = [float(i[k]) for k in idx]
    out["scan_cycles"] = int(np.unique(c["cycle"]).size) if "cycle" in c else None
    out["ewe_range_V"] = [float(np.nanmin(e)), float(np.nanmax(e))]
    return VoltammetrySummary(run.metadata["start"]["uid"], out)


def trace(run) -> TraceSummary:
    """An open-circuit or potential-hold record: duration (s), Ewe at start and end and its
    range (V), charge passed (mAh) and mean current (mA)."""
    c = _table(run)
    t, e, i = c["t"], c["Ewe"], c["I"]
    q = cumulative_charge_mAh(t, i)
    duration = float(t[-1] - t[0]) if t.size else 0.0
    return TraceSummary(run.metadata["start"]["uid"], {
        "points": int(t.size), "duration_s": duration, "ewe_start_V": float(e[0]),
        "ewe_end_V": float(e[-1]), "ewe_range_V": [float(np.nanmin(e)), float(np.nanmax(e))],
        "charge_mAh": float(q[-1]) if q.size else 0.0,
        "mean_current_mA": float(np.mean(i)) if i.size else 0.0,
    })  # fmt: skip


def first_potential_step(clock: np.ndarray, ewe: np.ndarray, i: np.ndarray) -> float:
    """Instrument time (s) of the first point at which the potentiostat drives the cell
    (the first point of its record: EC-Lab starts recording with its first technique)."""
    driven = np.flatnonzero(np.abs(i) > 0)
    return float(clock[driven[0]] if driven.size else clock[0])


def ms_response(clock: np.ndarray, signal: np.ndarray, t_step: float, k: float = 3.0):
    """First sample after t_step whose ion current exceeds the background before t_step by
    k standard deviations (instrument time, s), or None (no response above the noise)."""
    before = clock < t_step
    if before.sum() < 3:
        return None
    limit = float(np.mean(signal[before]) + k * np.std(signal[before]))
    after = np.flatnonzero((clock >= t_step) & (signal > limit))
    return float(clock[after[0]]) if after.size else None


def ecms(run) -> EcmsSummary:
    """EC-MS: when the mass spectrometer and the potentiostat recorded (s from the run's
    start on the shared instrument clock), the first potential step, and per m/z channel
    its mean ion current before the step (A) and its first response after it (s; None if
    it never rises 3 sigma above that background)."""
    start = run.metadata["start"]
    t0 = float(start["time"])
    ms = _table(run, "dems")
    out: dict[str, Any] = {"ms_first_s": float(ms["clock"][0] - t0),
                           "ms_last_s": float(ms["clock"][-1] - t0)}  # fmt: skip
    channels = sorted(int(k[2:]) for k in ms if k.startswith("mz") and k[2:].isdigit())
    if "primary" in run:
        pot = _table(run)
        step = first_potential_step(pot["clock"], pot["Ewe"], pot["I"])
        out.update(ec_first_s=float(pot["clock"][0] - t0), ec_last_s=float(pot["clock"][-1] - t0),
                   first_potential_step_s=step - t0)  # fmt: skip
    else:
        step = None
    per_channel = {}
    for mz in channels:
        signal = ms[f"mz{mz}"]
        clock = ms.get(f"mz{mz}_clock", ms["clock"])
        entry: dict[str, Any] = {"max_A": float(np.nanmax(signal))}
        if step is not None:
            before = clock < step
            entry["background_A"] = float(np.mean(signal[before])) if before.any() else None
            response = ms_response(clock, signal, step)
            entry["first_response_s"] = None if response is None else response - t0
        per_channel[f"mz{mz}"] = entry
    out["channels"] = per_channel
    configuration = run["dems"].metadata.get("configuration") or {}
    calibrated = any(k.startswith("dems_calibration_") for k in
                     (configuration.get("dems") or {}).get("data", {}))  # fmt: skip
    if calibrated:
        if step is None:
            raise ValueError("gas rates need the potentiostat series (its first step ends the "
                             "mass spectrometer's background)")  # fmt: skip
        out["gases"] = ecms_gases(ms, configuration, step)
    return EcmsSummary(start["uid"], out)


def ecms_gases(ms: dict[str, np.ndarray], configuration: dict, step: float) -> dict:
    """Per calibrated gas: amount evolved after the first potential step (umol), peak rate
    and detection limit (nmol/min), by the weighted least squares of acquired DEMS
    (``analysis.gas``); the background is each channel's median before the step."""
    from .gas import NMOL_MIN_PER_MOL_S, Calibration, gas_rates

    calibration = Calibration.from_configuration(configuration)
    ion = {mz: ms[f"mz{mz}"] for mz in calibration.channels}
    rates = gas_rates(ms["clock"], ms["interval"], ion, calibration, baseline=ms["clock"] < step)
    after = ms["clock"] >= step
    return {
        gas: {
            "amount_umol": rates.amount_umol(gas, step, float(ms["clock"][-1])),
            "peak_nmol_min": float(np.max(rates.nmol_min(gas)[after])) if after.any() else None,
            "detection_limit_nmol_min": rates.detection_limit[gas] * NMOL_MIN_PER_MOL_S,
        }
        for gas in calibration.gases
    }


def xas_spectra(run) -> XasSpectraSummary:
    """Per spectrum: element and edge (from the file), detection mode, points, energy
    range (eV), E0 (eV) and edge step (mu units) of the normalisation (xraylarch)."""
    from .xas import normalize

    start = run.metadata["start"]
    c = run["primary"].read()
    names = np.asarray(c["spectrum"].values).astype(str)
    energy, mu = np.asarray(c["energy"].values, float), np.asarray(c["mu"].values, float)
    spectra = []
    for meta in start.get("spectra", []):
        sel = names == meta["name"]
        entry = {
            **meta,
            "points": int(sel.sum()),
            "energy_range_eV": [float(energy[sel].min()), float(energy[sel].max())],
        }
        try:
            n = normalize(energy[sel], mu[sel])
            entry.update(e0_eV=float(n.e0), edge_step=float(n.edge_step))
        except (ValueError, RuntimeError) as exc:
            entry.update(e0_eV=None, edge_step=None, note=f"not normalised: {exc}")
        spectra.append(entry)
    return XasSpectraSummary(start["uid"], {"spectra": spectra})
