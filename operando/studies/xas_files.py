"""XAS of measured files: valence of samples against reference compounds, and
normalised spectra written as XDI. ``operando xas`` calls these (and prints)."""

from __future__ import annotations

import pathlib

import numpy as np

from ..analysis import xas
from ..analysis.xas_valence import DEFAULT_METHOD, edge_position, valence_calibration
from ..errors import BadRequest
from ..io.xas_files import XasSpectrum, read_spectrum
from .xas_runs import is_run_spec, read_run_spectrum


def _normalized(spectrum: XasSpectrum) -> xas.Normalized:
    try:
        return xas.normalize(spectrum.energy_eV, spectrum.mu)
    except BadRequest as exc:
        raise BadRequest(f"{spectrum.source}: {exc}") from None


def _edge(spectrum: XasSpectrum, method: str):
    n = _normalized(spectrum)
    try:
        return edge_position(n, method)
    except BadRequest as exc:
        raise BadRequest(f"{spectrum.source}: {exc}") from None


def valence_of_files(
    references: list[tuple[str, float]],
    samples: list[str],
    *,
    mode: str | None = None,
    method: str | None = None,
    data: str | None = None,
) -> dict:
    """Calibrate edge position against the references' valences and give each sample's.

    Each reference or sample is a file, or ``run:UID/SAMPLE``: one spectrum of a stored
    X-ray run in the store ``data`` (see :mod:`operando.studies.xas_runs`).

    Returns {"method", "calibration": {...}, "samples": [{"file", "valence",
    "uncertainty", "edge_eV", "edge_sigma_eV", "extrapolated"}]}. Raises BadRequest for
    unreadable files, fewer than two reference valences, references the calibration refuses
    (named), spectra of different elements, and samples whose edge lies outside every
    reference's energy range.
    """
    method = method or DEFAULT_METHOD
    if len(references) < 2:
        raise BadRequest(f"a valence needs at least two references; got {len(references)}")
    if not samples:
        raise BadRequest("no --sample given")
    store = None
    if data is not None:
        from ..storage import open_existing_store

        store = open_existing_store(data)

    def read(spec: str) -> XasSpectrum:
        if is_run_spec(spec):
            return read_run_spectrum(spec, store, mode)
        return read_spectrum(spec, mode)

    refs = {path: (valence, read(path)) for path, valence in references}
    spectra = {path: read(path) for path in samples}
    elements = {s.element for _, s in refs.values()} | {s.element for s in spectra.values()}
    elements.discard(None)
    if len(elements) > 1:
        raise BadRequest(f"spectra of different elements: {', '.join(sorted(elements))}")
    edges = {}
    for path, (valence, spectrum) in refs.items():
        p = _edge(spectrum, method)
        edges[path] = (valence, p.energy_eV, p.sigma_eV)
    calibration = valence_calibration(edges)
    lo = min(s.energy_eV.min() for _, s in refs.values())
    hi = max(s.energy_eV.max() for _, s in refs.values())
    out = []
    for path, spectrum in spectra.items():
        if spectrum.energy_eV.max() < lo or spectrum.energy_eV.min() > hi:
            raise BadRequest(
                f"{path} covers {spectrum.energy_eV.min():.0f}-{spectrum.energy_eV.max():.0f} "
                f"eV, no overlap with the references' {lo:.0f}-{hi:.0f} eV"
            )
        p = _edge(spectrum, method)
        prediction = calibration.predict(p.energy_eV, p.sigma_eV)
        out.append(
            {
                "file": path,
                "valence": prediction.valence,
                "uncertainty": prediction.uncertainty,
                "edge_eV": p.energy_eV,
                "edge_sigma_eV": p.sigma_eV,
                "extrapolated": prediction.extrapolated,
            }
        )
    return {"method": method, "calibration": calibration.summary(), "samples": out}


_MU_COLUMN = {"transmission": "mutrans", "fluorescence": "mufluor", "reference": "murefer"}


def normalize_file(
    path: str, out_dir: str | pathlib.Path, *, mode: str | None = None
) -> pathlib.Path:
    """Write the normalised spectrum of a file as XDI (energy, norm, flat, mu) in out_dir;
    the header keeps the element, edge, E0, edge step and ranges used."""
    spectrum = read_spectrum(path, mode)
    n = _normalized(spectrum)
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{spectrum.name}_norm.xdi"
    r = n.ranges
    header = [
        "# XDI/1.0 operando",
        "# Column.1: energy eV",
        "# Column.2: norm",
        "# Column.3: flat",
        f"# Column.4: {_MU_COLUMN.get(spectrum.mode, 'mu')}",
        f"# Element.symbol: {spectrum.element or 'unknown'}",
        f"# Element.edge: {spectrum.edge or 'unknown'}",
        f"# Scan.edge_energy: {n.e0:.3f} eV",
        f"# Operando.edge_step: {n.edge_step:.6g}",
        f"# Operando.pre_edge_range: {r['pre1']:g} {r['pre2']:g} eV",
        f"# Operando.post_edge_range: {r['norm1']:g} {r['norm2']:g} eV",
        f"# Operando.post_edge_order: {r['nnorm']}",
        f"# Operando.mode: {spectrum.mode}",
        f"# Operando.source: {spectrum.source}",
        "# ///",
        "#----",
        f"# energy norm flat {_MU_COLUMN.get(spectrum.mode, 'mu')}",
    ]
    rows = np.column_stack([n.energy, n.norm, xas.flattened(n), n.mu])
    body = "\n".join(" ".join(f"{v:.8g}" for v in row) for row in rows)
    target.write_text("\n".join(header) + "\n" + body + "\n")
    return target
