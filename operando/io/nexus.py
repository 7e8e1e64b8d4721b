"""Write stored runs as NeXus/HDF5 (h5py): one NXentry per run, one NXdata per stream,
the start metadata in NXsample and NXinstrument, spectra following NXxas.

Public API: :func:`write_nexus`, :func:`sample_fields`.

Layout of ``<uid8>.nxs`` (one file a run)::

    /entry_<uid8>            NXentry: entry_identifier (uid), title, start_time, end_time,
                             program_name, experiment_identifier, user (NXuser: the operator),
                             definition "NXxas" when it holds spectra
      sample                 NXsample: name, chemical_formula, mass (mg), area (cm2), ...
      instrument             NXinstrument: name; for an X-ray run source (NXsource) and
                             edge (NXcollection: name, e0 eV)
      <stream>               NXdata: time (s since the Unix epoch, axis) and every field of the
                             stream (arrays of one spectrum an event too), each with a
                             ``units`` attribute ("" = unitless, strings)
      xas_<n>                NXsubentry, definition NXxas, one per spectrum: instrument
                             (monochromator/energy, incoming_beam, absorbed_beam NXdetector),
                             sample, monitor (NXmonitor), data (NXdata energy, absorbed_beam)
      instrument/<stream>_configuration   NXcollection per device: its configuration values
                             (the descriptor's, e.g. the RIXS emission-energy axis), with units
      documents              NXcollection: the start and stop documents as JSON text, exit_status

What NeXus carries here but CSV/parquet do not: the start metadata, the devices'
configuration and the documents.
What it does not carry: per-field timestamps (the event time only), a configuration that
changed within a stream (the first descriptor's), the order of the documents.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import re

import numpy as np

# Units of start-document values by their name's suffix (the project's naming convention).
_SUFFIX_UNITS = (("_mAh_g", "mA.h/g"), ("_mAh", "mA.h"), ("_mg", "mg"), ("_cm2", "cm2"),
                 ("_mA", "mA"), ("_eV", "eV"), ("_V", "V"), ("_s", "s"), ("_um", "um"),
                 ("_g", "g"), ("_C", "degC"))  # fmt: skip
_SAMPLE_NAMES = {"name": "name", "formula": "chemical_formula", "active_mass_mg": "mass",
                 "area_cm2": "area"}  # fmt: skip


def facility_name(start: dict) -> str:
    """Where a run was taken: the simulated beamline, or the EPICS prefix it ran on."""
    if start.get("simulated"):
        return "operando simulated beamline"
    beamline = start.get("beamline")
    if isinstance(beamline, dict) and beamline.get("prefix"):
        return f"EPICS prefix {beamline['prefix']}"
    return str(beamline or start.get("instrument") or "unknown")


def _iso(epoch_s: float | None) -> str:
    if epoch_s is None:
        return ""
    return datetime.datetime.fromtimestamp(epoch_s, datetime.UTC).isoformat()


def _units_of(key: str) -> str:
    for suffix, unit in _SUFFIX_UNITS:
        if key.endswith(suffix):
            return unit
    return ""


def _dataset(group, name: str, value, units: str | None = None):  # -> h5py.Dataset
    """A dataset with its ``units`` attribute (strings as UTF-8 variable length)."""
    arr = np.asarray(value)
    if arr.dtype.kind in "UO":
        import h5py

        data = arr.astype(str).astype(object) if arr.ndim else str(value)
        ds = group.create_dataset(name, data=data, dtype=h5py.string_dtype())
    else:
        ds = group.create_dataset(name, data=arr)
    ds.attrs["units"] = units if units is not None else ""
    return ds


def _group(parent, name: str, nx_class: str):
    g = parent.create_group(name)
    g.attrs["NX_class"] = nx_class
    return g


def sample_fields(sample: dict) -> dict[str, tuple[object, str]]:
    """NXsample field name -> (value, units) of a start document's ``sample``: name,
    chemical_formula, mass (mg), area (cm2), then the others by their names' unit suffix."""
    out = {}
    for key, value in sample.items():
        if isinstance(value, dict | list) or value is None:
            continue
        out[_SAMPLE_NAMES.get(key, key)] = (value, _units_of(key))
    return out


def _write_stream(entry, table) -> None:
    data = _group(entry, table.stream, "NXdata")
    names = list(table.columns)
    for name in names:
        _dataset(data, name, table.columns[name], table.units[name])
    for name, values in table.arrays.items():  # e.g. a RIXS spectrum an event
        _dataset(data, name, values, table.units[name])
    data["time"].attrs["start"] = "1970-01-01T00:00:00+00:00"
    numeric = [n for n in names[1:] if table.columns[n].dtype.kind in "fiu"]
    if "Ewe" in numeric:  # a potentiostat stream: the potential is what one plots
        numeric.remove("Ewe")
        numeric.insert(0, "Ewe")
    data.attrs["axes"] = "time"
    data.attrs["signal"] = numeric[0] if numeric else "time"
    if len(numeric) > 1:
        data.attrs["auxiliary_signals"] = numeric[1:]


def _write_configuration(inst, run, stream: str) -> None:
    """The devices' configuration of a stream (e.g. the RIXS emission-energy axis, exposure)
    as ``instrument/<stream>_configuration/<device>/<field>``, with units."""
    config = run[stream].metadata.get("configuration") or {}
    written = None
    for device, block in config.items():
        values = block.get("data") or {}
        if not values:
            continue
        if written is None:
            written = _group(inst, f"{stream}_configuration", "NXcollection")
        group = _group(written, device, "NXcollection")
        keys = block.get("data_keys") or {}
        for key, value in values.items():
            if value is None or isinstance(value, dict):
                continue
            _dataset(group, key, value, str((keys.get(key) or {}).get("units") or ""))


def _link(group, name: str, target) -> None:
    """A hard link to ``target`` with its NeXus ``target`` attribute (its own path)."""
    target.attrs["target"] = target.name
    group[name] = target


def _write_xas(entry, n: int, s, start: dict) -> None:
    """One spectrum as an NXxas subentry (energy and absorbed_beam in data/ are links to
    the monochromator's energy and the detector's data, as the definition asks)."""
    sample = start.get("sample") if isinstance(start.get("sample"), dict) else {}
    sub = _group(entry, f"xas_{n}", "NXsubentry")
    _dataset(sub, "definition", "NXxas")
    _dataset(sub, "title", f"{s.element or ''} {s.edge or ''} {s.name}".strip())
    _dataset(sub, "start_time", _iso(s.start_time))
    inst = _group(sub, "instrument", "NXinstrument")
    src = _group(inst, "source", "NXsource")
    _dataset(src, "type", "Synchrotron X-ray Source")
    _dataset(src, "name", facility_name(start))
    _dataset(src, "probe", "x-ray")
    mono = _group(inst, "monochromator", "NXmonochromator")
    energy = _dataset(mono, "energy", s.energy_eV, "eV")
    if s.mono is not None:
        crystal = _group(mono, "crystal", "NXcrystal")
        _dataset(crystal, "d_spacing", s.mono[1], "angstrom")
        if m := re.match(r"^([A-Za-z]+)\s*\(?\s*(\d)(\d)(\d)\s*\)?$", s.mono[0]):
            _dataset(crystal, "type", m[1])  # "Si(111)": type Si, reflection [1, 1, 1]
            _dataset(crystal, "reflection", np.array([int(m[2]), int(m[3]), int(m[4])]))
        else:
            _dataset(crystal, "type", s.mono[0])
    incoming = _group(inst, "incoming_beam", "NXdetector")
    i0 = _dataset(incoming, "data", s.columns["i0"][0], s.columns["i0"][1])
    absorbed = _group(inst, "absorbed_beam", "NXdetector")
    raw = "itrans" if "itrans" in s.columns else "ifluor"
    absorbed_data = _dataset(absorbed, "data", s.columns[raw][0], s.columns[raw][1])
    mode = {"itrans": "Transmission", "ifluor": "Fluorescence Yield"}[raw]
    _dataset(absorbed, "description", mode)
    smp = _group(sub, "sample", "NXsample")
    _dataset(smp, "name", s.name)
    if sample.get("formula"):
        _dataset(smp, "chemical_formula", sample["formula"])
    monitor = _group(sub, "monitor", "NXmonitor")
    _dataset(monitor, "mode", "timer")  # each point counts for a set time (the dwell)
    dwell = ((start.get("protocol") or {}).get("parameters") or {}).get("dwell_s")
    if isinstance(dwell, int | float):
        _dataset(monitor, "preset", float(dwell), "s")  # the XANES dwell; EXAFS points longer
    _link(monitor, "data", i0)
    data = _group(sub, "data", "NXdata")
    _link(data, "energy", energy)
    _link(data, "absorbed_beam", absorbed_data)
    _dataset(data, "mode", mode)
    _dataset(data, "mu", s.mu, "")
    data["mu"].attrs["long_name"] = s.mu_column
    data.attrs["signal"] = "mu"
    data.attrs["axes"] = "energy"
    data.attrs["auxiliary_signals"] = ["absorbed_beam"]


def write_nexus(run, tables: list, spectra: list, out: pathlib.Path) -> pathlib.Path:
    """``out/<uid8>.nxs`` of one stored run: its ``tables`` (:class:`~operando.io.
    tables_export.StreamTable`, one per stream) and ``spectra`` (:class:`~operando.io.
    xdi_write.ExportSpectrum`)."""
    import h5py

    start = run.metadata["start"]
    stop = run.metadata.get("stop") or {}
    uid = start["uid"]
    path = pathlib.Path(out) / f"{uid[:8]}.nxs"
    with h5py.File(path, "w") as f:
        f.attrs["default"] = f"entry_{uid[:8]}"
        f.attrs["creator"] = "operando"
        f.attrs["HDF5_Version"] = h5py.version.hdf5_version
        entry = _group(f, f"entry_{uid[:8]}", "NXentry")
        _dataset(entry, "entry_identifier", uid)
        _dataset(entry, "title", f"{start.get('plan_name')} {uid}")
        _dataset(entry, "start_time", _iso(start.get("time")))
        _dataset(entry, "end_time", _iso(stop.get("time")))
        _dataset(entry, "program_name", "operando")
        if spectra:
            _dataset(entry, "definition", "NXxas")
        sample = start.get("sample") if isinstance(start.get("sample"), dict) else {}
        smp = _group(entry, "sample", "NXsample")
        for name, (value, units) in sample_fields(sample).items():
            _dataset(smp, name, value, units)
        inst = _group(entry, "instrument", "NXinstrument")
        _dataset(inst, "name", facility_name(start))
        if start.get("experiment"):
            _dataset(entry, "experiment_identifier", str(start["experiment"]))
        if start.get("operator"):
            user = _group(entry, "user", "NXuser")
            _dataset(user, "name", str(start["operator"]))
        edge = start.get("edge")
        if isinstance(edge, dict):
            src = _group(inst, "source", "NXsource")
            _dataset(src, "type", "Synchrotron X-ray Source")
            _dataset(src, "probe", "x-ray")
            scanned = _group(inst, "edge", "NXcollection")  # the edge the plan scanned
            _dataset(scanned, "name", str(edge.get("label", edge.get("name"))))
            if "e0_eV" in edge:
                _dataset(scanned, "e0", float(edge["e0_eV"]), "eV")
        for table in tables:
            _write_stream(entry, table)
            _write_configuration(inst, run, table.stream)
        for n, s in enumerate(spectra):
            _write_xas(entry, n, s, start)
        streams = [t.stream for t in tables]
        if streams:
            entry.attrs["default"] = "primary" if "primary" in streams else streams[0]
        docs = _group(entry, "documents", "NXcollection")
        _dataset(docs, "start", json.dumps(start, default=str))
        _dataset(docs, "stop", json.dumps(stop, default=str))
        _dataset(docs, "exit_status", str(stop.get("exit_status", "")))
    return path
