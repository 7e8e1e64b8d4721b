"""The absorption spectra of a stored run, one per electrode, scan or cutoff, ready to
export (XDI, Athena, NeXus NXxas).

A stream holds spectra when it has an ``<station>_energy`` readback and an ``<station>_i0``
counter with a transmission (``_it``) or fluorescence (``_fy``) counter: ``primary`` of an
``xas_series`` run (one spectrum per holder sample), ``xas`` of an ``in_situ_xas_cycling``
run (one per ``scan``), ``xas_<edge>`` of a ``charge_and_measure`` run (one per cutoff).
Hard X-ray spectra: mu = ln(I0/It) (``mutrans``), the foil's ln(It/Iref) (``murefer``),
mono Si(111). Soft: mu = FY/I0 (``mufluor``), TEY as ``itey``; a grating mono, no d-spacing.
Other numeric fields of the stream (the cell's potential, current, charge at each point)
are carried as further columns with their units.
"""

from __future__ import annotations

import numpy as np

from ..edges import resolve_edge
from ..io.xdi_write import SI111_D_SPACING_A, ExportSpectrum

_COUNTERS = {"i0": "i0", "it": "itrans", "iref": "irefer", "fy": "ifluor", "tey": "itey"}


def _field(keys, suffix: str) -> str | None:
    names = [k for k in keys if k.endswith(suffix)]
    return names[0] if len(names) == 1 else None


def spectrum_streams(run) -> list[str]:
    """The streams of run that hold absorption spectra."""
    out = []
    for stream in run:
        keys = run[stream].metadata["data_keys"]
        if (
            _field(keys, "_energy")
            and _field(keys, "_i0")
            and (_field(keys, "_it") or _field(keys, "_fy"))
        ):
            out.append(stream)
    return out


def _edge_name(run, stream: str) -> str | None:
    if stream.startswith("xas_"):
        return stream[4:].replace("_", "-")
    edge = run.metadata["start"].get("edge")
    return edge.get("name") if isinstance(edge, dict) else None


def _groups(ds, keys) -> dict[str, np.ndarray]:
    """Row masks of each spectrum, in measurement order."""
    sample = _field(keys, "_holder_sample")
    names = np.asarray(ds[sample].values).astype(str) if sample else None
    if "scan" in ds:
        scans = np.asarray(ds["scan"].values, int)
        out = {}
        for n in dict.fromkeys(scans.tolist()):
            rows = scans == n
            label = f"scan{n}" + (f" {names[rows][0]}" if names is not None else "")
            out[label] = rows
        return out
    if "cutoff" in ds:
        cutoffs = np.asarray(ds["cutoff"].values, float)
        return {f"{c:g} V": cutoffs == c for c in dict.fromkeys(cutoffs.tolist())}
    if names is not None:
        return {n: names == n for n in dict.fromkeys(names.tolist())}
    return {"spectrum": np.ones(ds.sizes["time"], bool)}


def run_spectra(run, stream: str) -> list[ExportSpectrum]:
    """The spectra of one stream of a stored run (see the module's docstring)."""
    start = run.metadata["start"]
    keys = run[stream].metadata["data_keys"]
    ds = run[stream].read()
    edge_key = _edge_name(run, stream)
    edge = resolve_edge(edge_key) if edge_key else None
    element, _, which = (edge_key or "").partition("-")
    which = which.upper()
    if edge is not None and which == "L":
        which = "L3"  # an L3,2 scan: E0 is the L3 edge
    hard = _field(keys, "_it") is not None
    energy_key = _field(keys, "_energy")
    mapped = {energy_key: "energy"}
    for suffix, name in _COUNTERS.items():
        if key := _field(keys, f"_{suffix}"):
            mapped[key] = name
    numeric = ("number", "integer")
    extra = [k for k, d in keys.items() if k not in mapped and k in ds
             and d.get("dtype") in numeric and np.ndim(ds[k].values) == 1]  # fmt: skip
    sample = start.get("sample") or {}
    fields = {"Scan.uid": start["uid"], "Scan.plan_name": str(start.get("plan_name")),
              "Scan.stream": stream}  # fmt: skip
    if sample.get("formula"):
        fields["Sample.formula"] = str(sample["formula"])
    times = np.asarray(ds["time"].values, float)
    out = []
    for label, rows in _groups(ds, keys).items():
        c = {mapped[k]: np.asarray(ds[k].values[rows], float) for k in mapped}
        with np.errstate(divide="ignore", invalid="ignore"):
            if hard:
                columns = {"i0": (c["i0"], "counts"), "itrans": (c["itrans"], "counts")}
                if "irefer" in c:
                    columns["irefer"] = (c["irefer"], "counts")
                columns["mutrans"] = (np.log(c["i0"] / c["itrans"]), "")
                if "irefer" in c:
                    columns["murefer"] = (np.log(c["itrans"] / c["irefer"]), "")
                mu_column = "mutrans"
            else:
                columns = {n: (c[n], "counts") for n in ("i0", "itey", "ifluor") if n in c}
                columns["mufluor"] = (c["ifluor"] / c["i0"], "")
                mu_column = "mufluor"
        for k in extra:
            columns[k] = (np.asarray(ds[k].values[rows], float), str(keys[k].get("units") or ""))
        out.append(
            ExportSpectrum(
                name=label,
                energy_eV=c["energy"],
                columns=columns,
                mu_column=mu_column,
                element=element.capitalize() or None,
                edge=which or None,
                mono=("Si(111)", SI111_D_SPACING_A)
                if edge is not None and edge.station == "hard"
                else None,  # fmt: skip
                start_time=float(times[rows][0]),
                fields=fields,
            )
        )
    return out
