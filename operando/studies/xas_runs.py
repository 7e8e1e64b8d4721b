"""Spectra of stored X-ray runs, read like files: ``run:UID/SAMPLE`` names the spectrum of
one electrode (or reference) of a stored ``xas_series`` run, so ``operando xas valence``
calibrates and predicts on acquired runs as it does on files."""

from __future__ import annotations

import numpy as np

from ..analysis.xray_report import spectra_columns
from ..errors import BadRequest, NotFound
from ..io.xas_files import XasSpectrum

RUN_PREFIX = "run:"


def is_run_spec(spec: str) -> bool:
    return spec.startswith(RUN_PREFIX)


def read_run_spectrum(spec: str, store, mode: str | None = None) -> XasSpectrum:
    """The spectrum ``run:UID/SAMPLE`` (UID or a unique prefix; SAMPLE the name the holder
    recorded) from ``store``. Hard edges: transmission ln(I0/It) (default) or the reference
    foil ln(It/Iref); soft edges: fluorescence FY/I0."""
    if store is None:
        raise BadRequest(f"{spec}: a stored run needs --data (the store it is in)")
    uid, sep, sample = spec[len(RUN_PREFIX) :].partition("/")
    if not (uid and sep and sample):
        raise BadRequest(f"{spec!r}: expected run:UID/SAMPLE (e.g. 'run:3fa2c/lnro 4.8V')")
    run = store.run(uid)
    start = run.metadata["start"]
    if start.get("plan_name") != "xas_series":
        raise BadRequest(f"{spec}: run {start['uid'][:8]} is a {start.get('plan_name')} run")
    edge = start["edge"]
    columns = spectra_columns(run)
    if sample not in columns:
        raise NotFound(f"{spec}: no sample {sample!r} in run; it has {sorted(columns)}")
    c = columns[sample]
    if edge["station"] == "hard":
        mode = mode or "transmission"
        signals = {
            "transmission": lambda: np.log(c["i0"] / c["it"]),
            "reference": lambda: np.log(c["it"] / c["iref"]),
        }
    else:
        mode = mode or "fluorescence"
        signals = {"fluorescence": lambda: c["fy"] / c["i0"]}
    if mode not in signals:
        raise BadRequest(f"{spec}: a {edge['station']} X-ray run has modes {sorted(signals)}")
    element, _, edge_name = edge["name"].partition("-")
    return XasSpectrum(
        energy_eV=c["energy"],
        mu=signals[mode](),
        mode=mode,
        element=element.capitalize(),
        edge=edge_name.upper() or None,
        metadata={"run.uid": start["uid"], "run.sample": sample},
        source=spec,
    )
