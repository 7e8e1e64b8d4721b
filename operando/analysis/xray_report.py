"""Summaries of stored X-ray runs: XAS per electrode and yield, Ru K valence, RIXS maps.

Reads ``run["primary"].read()`` and the start document only. Column names follow the
devices (``<station>_energy`` readback in eV; ``<station>_i0``, ``sxr_tey``, ``sxr_fy``,
``hxr_it``, ``hxr_iref`` in counts; ``<station>_holder_sample``; ``rixs_spectrum``,
``rixs_i0`` and the ``rixs_emission_energy`` configuration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..edges import EDGES
from . import xas
from .exafs import chi_k, ft_magnitude, shell_peaks
from .rixs import RixsMap, assemble, feature_intensity
from .xas_valence import half_height_edge, valence_calibration


def _column(ds, suffix: str) -> np.ndarray:
    names = [k for k in ds.data_vars if k.endswith(suffix)]
    if len(names) != 1:
        raise ValueError(f"expected one column ending in {suffix!r}, found {names}")
    return np.asarray(ds[names[0]].values)


def _by_sample(ds) -> dict[str, np.ndarray]:
    """Row masks of each electrode (by the holder's sample name), in measurement order."""
    names = _column(ds, "_holder_sample").astype(str)
    order = list(dict.fromkeys(names))
    return {name: names == name for name in order}


def spectra_columns(run, stream: str = "primary") -> dict[str, dict[str, np.ndarray]]:
    """The raw columns of each electrode of an X-ray run, by its holder name: ``energy``
    (eV) and the counters (``i0``, ``it``, ``iref`` or ``tey``, ``fy``; counts)."""
    ds = run[stream].read()
    counters = [c for c in ("i0", "it", "iref", "tey", "fy") if any(
        k.endswith(f"_{c}") for k in ds.data_vars)]  # fmt: skip
    energy = _column(ds, "_energy")
    values = {c: _column(ds, f"_{c}") for c in counters}
    return {
        name: {"energy": energy[rows], **{c: v[rows].astype(float) for c, v in values.items()}}
        for name, rows in _by_sample(ds).items()
    }


def by_cutoff(ds) -> dict[str, np.ndarray]:
    """Row masks of each cutoff of a charge_and_measure stream ("4.5 V", ...)."""
    cutoffs = np.asarray(ds["cutoff"].values, float)
    order = list(dict.fromkeys(cutoffs))
    return {f"{c:g} V": cutoffs == c for c in order}


def soft_normalized(
    run, edge_name: str | None = None, stream: str = "primary", groups=_by_sample
) -> dict[str, dict[str, xas.Normalized]]:
    """Normalised spectra per electrode (or per cutoff: ``groups=by_cutoff``) and yield
    (tey, fy) of a soft XAS stream, I0-divided; the pre- and post-edge ranges are the
    regions of the edge's scan grid."""
    edge = EDGES[edge_name or run.metadata["start"]["edge"]["name"]]
    ds = run[stream].read()
    energy, i0 = _column(ds, "_energy"), _column(ds, "_i0")
    out: dict[str, dict[str, xas.Normalized]] = {}
    for name, rows in groups(ds).items():
        out[name] = {
            y: xas.normalize(
                energy[rows],
                _column(ds, f"_{y}")[rows] / i0[rows],
                e0=edge.e0_eV,
                pre1=edge.start_eV - edge.e0_eV,
                pre2=edge.fine_from_eV - 1.0 - edge.e0_eV,
                norm1=edge.fine_to_eV + 5.0 - edge.e0_eV,
                norm2=edge.end_eV - edge.e0_eV,
                nnorm=1,
            )  # fmt: skip
            for y in ("tey", "fy")
        }
    return out


MN_L3_WINDOW_EV = (638.0, 647.0)  # the Mn L3 band, below the L2 edge


def soft_xas_summary(
    run,
    edge: str | None = None,
    stream: str = "primary",
    groups=_by_sample,
    *,
    normalized: dict[str, dict[str, xas.Normalized]] | None = None,
) -> dict[str, dict]:
    """Per electrode and yield (tey, fy): normalised-spectrum peaks (eV); at the Ni L edge
    the L3 high/low-energy peak ratio, at the Mn L edge the L3 band centroid (eV).
    normalized: the run's spectra from ``soft_normalized`` when already read (one read of
    the stream serves the summary and the figure)."""
    edge = edge or run.metadata["start"]["edge"]["name"]
    if normalized is None:
        normalized = soft_normalized(run, edge, stream, groups)
    out: dict[str, dict] = {}
    for name, by_yield in normalized.items():
        out[name] = {}
        for y, n in by_yield.items():
            values: dict = {"peaks_eV": xas.peak_positions(n.energy, n.norm)}
            if edge == "ni-l":
                values["ni_l3_ratio"] = xas.ni_l3_ratio(n.energy, n.norm)
            if edge == "mn-l":
                values["mn_l3_centroid_eV"] = xas.band_centroid(n.energy, n.norm, MN_L3_WINDOW_EV)
            out[name][y] = values
    return out


def soft_spectra(
    run, *, normalized: dict[str, dict[str, xas.Normalized]] | None = None
) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Normalised spectra (energy eV, absorption) per electrode and yield, for figures
    (normalized: as in ``soft_xas_summary``)."""
    if normalized is None:
        normalized = soft_normalized(run)
    return {
        name: {y: (n.energy, n.norm) for y, n in by_yield.items()}
        for name, by_yield in normalized.items()
    }


def _hard_normalized(
    run, stream: str = "primary", groups=_by_sample
) -> dict[str, tuple[xas.Normalized, np.ndarray, np.ndarray]]:
    """Per electrode of a hard XAS run: the normalised ln(I0/It) and ln(It/Iref) of the foil."""
    ds = run[stream].read()
    energy = _column(ds, "_energy")
    i0, it, iref = _column(ds, "_i0"), _column(ds, "_it"), _column(ds, "_iref")
    return {
        name: (
            xas.normalize(energy[rows], np.log(i0[rows] / it[rows])),
            energy[rows],
            np.log(it[rows] / iref[rows]),
        )
        for name, rows in groups(ds).items()
    }


@dataclass(frozen=True)
class HardSpectrum:
    """One electrode of a hard XAS run: its normalised spectrum, the foil's ln(It/Iref) on
    the same energies (eV), and the EXAFS transform (r in A, |FT(k^2 chi)|)."""

    normalized: xas.Normalized
    energy: np.ndarray
    foil_mu: np.ndarray
    r: np.ndarray
    ft: np.ndarray


def hard_analysis(run) -> dict[str, HardSpectrum]:
    """Per electrode of a hard XAS run: the spectrum and its EXAFS transform (one read of
    the stream and one background removal serve the summary and the figure)."""
    out = {}
    for name, (n, energy, foil_mu) in _hard_normalized(run).items():
        r, magnitude = ft_magnitude(*chi_k(n))
        out[name] = HardSpectrum(n, energy, foil_mu, r, magnitude)
    return out


def hard_spectra(
    run, *, analysed: dict[str, HardSpectrum] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    """Per electrode: energy (eV) and normalised absorption, and the EXAFS Fourier
    transform (r in A, |FT(k^2 chi)|), for figures (analysed: from ``hard_analysis``)."""
    if analysed is None:
        analysed = hard_analysis(run)
    return {
        name: {"energy": a.normalized.energy, "norm": a.normalized.norm, "r": a.r, "ft": a.ft}
        for name, a in analysed.items()
    }


def hard_edges(run, stream: str = "primary", groups=_by_sample) -> dict[str, dict]:
    """XANES only, per electrode or cutoff: E0 and the half-height edge energy (eV)."""
    return {
        name: {"e0_eV": n.e0, "edge_energy_eV": half_height_edge(n)}
        for name, (n, _, _) in _hard_normalized(run, stream, groups).items()
    }


def hard_xas_summary(run, *, analysed: dict[str, HardSpectrum] | None = None) -> dict:
    """Ru K edge per electrode: E0 (derivative maximum), edge energy at half the edge step,
    EXAFS shell peaks (A, no phase correction), and the valence from the references of the
    run (start metadata ``references``: sample name -> formal valence). analysed: from
    ``hard_analysis`` when already computed."""
    start = run.metadata["start"]
    if analysed is None:
        analysed = hard_analysis(run)
    samples: dict[str, dict] = {}
    for name, a in analysed.items():
        samples[name] = {
            "e0_eV": a.normalized.e0,
            "edge_energy_eV": half_height_edge(a.normalized),
            "exafs_peaks_A": shell_peaks(a.r, a.ft, r_range=(0.9, 3.2)),
            "reference_foil_e0_eV": xas.find_e0(a.energy, a.foil_mu),
        }
    references = start.get("references") or {}
    known = {
        n: (float(v), samples[n]["edge_energy_eV"]) for n, v in references.items() if n in samples
    }
    calibration = valence_calibration(known) if len(known) >= 2 else None
    for entry in samples.values():
        entry["valence"] = calibration.valence(entry["edge_energy_eV"]) if calibration else None
    return {
        "samples": samples,
        "calibration": None
        if calibration is None
        else {
            "slope_eV_per_valence": calibration.slope_eV,
            "offset_eV": calibration.offset_eV,
            "monotonic": calibration.monotonic,
            "references": list(known),
        },
    }


def rixs_map_of(run) -> RixsMap:
    """The I0-normalised RIXS map of a stored rixs_map run."""
    stream = run["primary"]
    ds = stream.read()
    config = stream.metadata["configuration"]["rixs"]["data"]
    emission = np.asarray(config["rixs_emission_energy"], float)
    return assemble(
        _column(ds, "_energy"),
        emission,
        np.stack(_column(ds, "rixs_spectrum")),
        _column(ds, "rixs_i0"),
    )


def rixs_feature_by_cutoff(run, stream: str = "rixs") -> dict[str, dict]:
    """The oxidised-oxygen feature intensity (and sigma) of a charge_and_measure run's RIXS
    map at each cutoff."""
    st = run[stream]
    ds = st.read()
    emission = np.asarray(st.metadata["configuration"]["rixs"]["data"]["rixs_emission_energy"])
    spectra, i0 = np.stack(_column(ds, "rixs_spectrum")), _column(ds, "rixs_i0")
    energy = _column(ds, "_energy")
    out = {}
    for name, rows in by_cutoff(ds).items():
        value, sigma = feature_intensity(assemble(energy[rows], emission, spectra[rows], i0[rows]))
        out[name] = {"feature_intensity": value, "feature_intensity_sigma": sigma}
    return out


def rixs_summary(run) -> dict:
    """The oxidised-oxygen feature intensity of a stored rixs_map run (see
    ``rixs_map_summary``)."""
    return rixs_map_summary(rixs_map_of(run))


def rixs_map_summary(rixs_map: RixsMap) -> dict:
    """The oxidised-oxygen feature intensity relative to the reference region (and its
    counting uncertainty) of a RIXS map."""
    value, sigma = feature_intensity(rixs_map)
    return {"feature_intensity": value, "feature_intensity_sigma": sigma}


def in_situ_summary(run) -> list[dict]:
    """One entry per in situ scan of an in_situ_xas_cycling run: Li per formula unit
    (``x_li``, from the charge passed by mid-scan), ``ewe_V`` at mid-scan, Ru ``valence``
    from the references measured in the same run, ``direction`` (charge or discharge), and
    the half-height ``edge_energy_eV``."""
    from ..sample import molar_mass
    from .electrochem import FARADAY_MAH_PER_MOL

    start = run.metadata["start"]
    sample = start["sample"]
    ds = run["xas"].read()
    energy = _column(ds, "_energy")
    mu = np.log(_column(ds, "_i0") / _column(ds, "_it"))
    names = _column(ds, "_holder_sample").astype(str)
    scans = np.asarray(ds["scan"].values, int)
    ewe = np.asarray(ds["potentiostat_ewe"].values, float)
    charge = np.asarray(ds["potentiostat_charge"].values, float)
    current = np.asarray(ds["potentiostat_current"].values, float)
    references = start.get("references") or {}
    edges = {}
    for n in np.unique(scans):
        rows = scans == n
        normalized = xas.normalize(energy[rows], mu[rows])
        edges[int(n)] = (names[rows][0], half_height_edge(normalized))
    known = {name: (float(references[name]), e) for name, e in edges.values() if name in references}
    calibration = valence_calibration(known) if len(known) >= 2 else None
    mass_g = sample["active_mass_mg"] * 1e-3
    li_per_mAh = molar_mass(sample["formula"]) / (mass_g * FARADAY_MAH_PER_MOL)
    li0 = xas_li_content(sample["formula"])
    out = []
    for n, (name, edge_eV) in edges.items():
        if name in references:
            continue
        rows = np.flatnonzero(scans == n)
        mid = rows[len(rows) // 2]
        out.append(
            {
                "scan": n,
                "x_li": li0 - charge[mid] * li_per_mAh,
                "ewe_V": float(ewe[mid]),
                "direction": _direction(current[mid]),
                "edge_energy_eV": edge_eV,
                "valence": calibration.valence(edge_eV) if calibration else None,
            }
        )
    return out


def _direction(current_mA: float) -> str:
    if current_mA > 0:
        return "charge"
    return "discharge" if current_mA < 0 else "rest"


def xas_li_content(formula: str) -> float:
    """Li per formula unit of the pristine material."""
    from ..sample import parse_formula

    return float(parse_formula(formula).get("Li", 0.0))
