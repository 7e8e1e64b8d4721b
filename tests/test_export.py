"""operando export: a cycling-like and an XAS-like run, composed as the RunEngine composes
them and stored without an IOC, written in all five formats and read back by the field's
readers (csv, pyarrow, larch, h5py, nexusformat)."""

from __future__ import annotations

import csv

import event_model
import h5py
import numpy as np
import pytest

from operando.cli import main
from operando.errors import OperandoError
from operando.io.tables_export import read_parquet_units
from operando.storage import make_writer, open_store
from operando.studies.exporting import export_runs

N_CYCLE = 40
N_XAS = 60
SAMPLES = ("a 4.8V", "b 2.0V")


def _keys(*specs):
    return {k: {"source": "sim", "dtype": d, "shape": [], "units": u} for k, d, u in specs}


def _cycling_docs():
    bundle = event_model.compose_run(metadata={
        "plan_name": "galvanostatic_cycle",
        "sample": {"name": "cell-1", "formula": "Li2Ru0.75Sn0.25O3", "active_mass_mg": 3.85,
                   "area_cm2": 1.54}})  # fmt: skip
    desc = bundle.compose_descriptor(name="primary", data_keys=_keys(
        ("t", "number", "s"), ("Ewe", "number", "V"), ("I", "number", "mA"),
        ("Q", "number", "mAh"), ("step", "integer", "")))  # fmt: skip
    idx = np.arange(N_CYCLE)
    charging = idx < N_CYCLE // 2
    data = {
        "t": (idx * 60.0).tolist(),
        "Ewe": (3.0 + 0.045 * np.where(charging, idx, N_CYCLE - idx)).tolist(),
        "I": np.where(charging, 0.1, -0.1).tolist(),
        "Q": (np.where(charging, idx, N_CYCLE - idx) / 600.0).tolist(),
        "step": charging.astype(int).tolist(),
    }
    page = desc.compose_event_page(
        data=data, timestamps={k: (1e9 + idx).tolist() for k in data},
        seq_num=(idx + 1).tolist())  # fmt: skip
    return [("start", bundle.start_doc), ("descriptor", desc.descriptor_doc),
            ("event_page", page), ("stop", bundle.compose_stop())]  # fmt: skip


def _xas_docs():
    bundle = event_model.compose_run(metadata={
        "plan_name": "xas_series",
        "edge": {"name": "ru-k", "label": "Ru K", "e0_eV": 22117.0, "station": "hard"},
        "protocol": {"name": "xas_series", "parameters": {"edge": "ru-k", "dwell_s": 1.0}},
        "sample": {"name": "holder", "formula": "Li2RuO3", "active_mass_mg": 2.0}})  # fmt: skip
    desc = bundle.compose_descriptor(name="primary", data_keys=_keys(
        ("hxr_energy", "number", "eV"), ("hxr_i0", "number", "counts"),
        ("hxr_it", "number", "counts"), ("hxr_iref", "number", "counts"),
        ("hxr_holder_sample", "string", "")))  # fmt: skip
    docs = [("start", bundle.start_doc), ("descriptor", desc.descriptor_doc)]
    energy = np.linspace(22000.0, 22300.0, N_XAS)
    for s, name in enumerate(SAMPLES):
        mu = 0.5 + 1.0 / (1.0 + np.exp(-(energy - 22117.0 - s) / 3.0))
        i0 = 1e5 + 10.0 * np.arange(N_XAS)
        it = i0 * np.exp(-mu)
        data = {"hxr_energy": energy.tolist(), "hxr_i0": i0.tolist(), "hxr_it": it.tolist(),
                "hxr_iref": (it * np.exp(-0.3)).tolist(),
                "hxr_holder_sample": [name] * N_XAS}  # fmt: skip
        seq = list(range(1 + s * N_XAS, 1 + (s + 1) * N_XAS))
        stamps = {k: [1e9 + q for q in seq] for k in data}
        page = desc.compose_event_page(data=data, timestamps=stamps, seq_num=seq)
        docs.append(("event_page", page))
    docs.append(("stop", bundle.compose_stop()))
    return docs


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """(data dir, store, cycling uid, xas uid)."""
    data = tmp_path_factory.mktemp("export") / "data"
    store = open_store(data)
    writer = make_writer(store)
    uids = []
    for docs in (_cycling_docs(), _xas_docs()):
        for name, doc in docs:
            writer(name, doc)
        uids.append(docs[0][1]["uid"])
    return data, store, *uids


def _export(stored, capsys, fmt, out, *uids):
    """Through the study, on the already open store (opening one costs seconds)."""
    return [str(p) for p in export_runs(list(uids), None, fmt, out, store=stored[1])]


def _units_missing(path) -> list[str]:
    """Datasets of an HDF5 file without a ``units`` attribute."""
    without = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and "units" not in obj.attrs:
            without.append(name)

    with h5py.File(path) as f:
        f.visititems(visit)
    return without


def test_the_command_prints_the_files_it_wrote(stored, tmp_path, capsys):
    import json

    data, _, cycling, _ = stored
    args = ["export", cycling[:8], "--data", str(data), "--format", "csv", "--out", str(tmp_path)]
    assert main([*args, "--json"]) == 0
    (path,) = json.loads(capsys.readouterr().out)["files"]
    assert path.endswith(f"{cycling[:8]}_primary.csv")


def test_csv_has_units_in_the_header_and_every_value(stored, tmp_path, capsys):
    _, store, cycling, _ = stored
    (path,) = _export(stored, capsys, "csv", tmp_path, cycling[:8])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["time [s]", "t [s]", "Ewe [V]", "I [mA]", "Q [mAh]", "step"]
    ds = store.run(cycling)["primary"].read()
    got = np.array([[float(x) for x in r] for r in rows[1:]])
    np.testing.assert_array_equal(got[:, 2], ds["Ewe"].values)
    np.testing.assert_array_equal(got[:, 4], ds["Q"].values)


def test_parquet_round_trips_values_and_units(stored, tmp_path, capsys):
    _, store, cycling, xas = stored
    paths = _export(stored, capsys, "parquet", tmp_path, cycling, xas)
    assert len(paths) == 2
    for path, uid in zip(paths, (cycling, xas), strict=True):
        columns, units = read_parquet_units(path)
        node = store.run(uid)["primary"]
        ds = node.read()
        for key, desc in node.metadata["data_keys"].items():
            assert units[key] == desc["units"]
            assert np.array_equal(columns[key], ds[key].values), key
        assert units["time"] == "s"


def test_xdi_per_spectrum_reads_back_in_larch_within_1e_9(stored, tmp_path, capsys):
    from larch.io import read_xdi

    from operando.io.xas_files import read_spectrum

    _, store, _, xas = stored
    paths = _export(stored, capsys, "xdi", tmp_path, xas)
    assert len(paths) == len(SAMPLES)
    ds = store.run(xas)["primary"].read()
    for path, name in zip(paths, SAMPLES, strict=True):
        rows = ds["hxr_holder_sample"].values == name
        expected = np.log(ds["hxr_i0"].values[rows] / ds["hxr_it"].values[rows])
        text = open(path).read()
        for line in ("# XDI/1.0", "# Element.symbol: Ru", "# Element.edge: K",
                     "# Mono.d_spacing: 3.1356", "# Column.1: energy eV", "# ///",
                     f"# Sample.name: {name}", "# Scan.start_time: "):  # fmt: skip
            assert line in text
        group = read_xdi(str(path))
        assert np.max(np.abs(group.mutrans / expected - 1.0)) < 1e-9
        spectrum = read_spectrum(path)
        assert (spectrum.element, spectrum.edge, spectrum.mode) == ("Ru", "K", "transmission")
        assert np.max(np.abs(spectrum.mu / expected - 1.0)) < 1e-9


def test_athena_project_reads_back_in_larch(stored, tmp_path, capsys):
    from larch.io import read_athena

    from operando.io.xas_files import read_spectrum

    _, store, _, xas = stored
    (path,) = _export(stored, capsys, "athena", tmp_path, xas)
    project = read_athena(path, do_preedge=False)
    assert sorted(g.label for g in project.groups.values()) == sorted(SAMPLES)
    ds = store.run(xas)["primary"].read()
    rows = ds["hxr_holder_sample"].values == SAMPLES[1]
    expected = np.log(ds["hxr_i0"].values[rows] / ds["hxr_it"].values[rows])
    spectrum = read_spectrum(path, group=SAMPLES[1])
    assert spectrum.mode == "transmission" and spectrum.element == "Ru"
    assert np.max(np.abs(spectrum.mu / expected - 1.0)) < 1e-9


def test_nexus_has_units_on_every_field_and_opens_in_nexusformat(stored, tmp_path, capsys):
    from nexusformat.nexus import nxload

    _, _, cycling, xas = stored
    paths = _export(stored, capsys, "nexus", tmp_path, cycling, xas)
    for path in paths:
        assert _units_missing(path) == []
    root = nxload(paths[0])
    entry = root[f"entry_{cycling[:8]}"]
    assert entry.nxclass == "NXentry" and entry.primary.nxclass == "NXdata"
    assert entry.primary.Ewe.attrs["units"] == "V"
    assert entry.sample.mass.attrs["units"] == "mg" and float(entry.sample.mass) == 3.85
    assert entry.attrs["default"] == "primary"
    assert str(entry.sample.chemical_formula) == "Li2Ru0.75Sn0.25O3"
    xentry = nxload(paths[1])[f"entry_{xas[:8]}"]
    assert str(xentry.definition) == "NXxas"
    sub = xentry.xas_0
    assert sub.nxclass == "NXsubentry" and str(sub.definition) == "NXxas"
    assert sub.instrument.monochromator.energy.attrs["units"] == "eV"
    assert sub.instrument.absorbed_beam.nxclass == "NXdetector"
    assert sub.data.energy.shape == (N_XAS,)
    assert list(sub.instrument.monochromator.crystal.reflection) == [1, 1, 1]
    assert _nxxas_warnings_and_errors(sub) == (0, 0)


def _nxxas_warnings_and_errors(group) -> tuple[int, int]:
    """nexusformat's validation of a group against the NXxas application definition."""
    from nexusformat.nexus.validate import ApplicationValidator, log_header, log_summary

    validator = ApplicationValidator("NXxas")
    log_header(validator)  # resets the counts
    validator.validate(group, level="warning")
    return log_summary()


@pytest.mark.parametrize(
    "fmt, uid, out_is_file, message",
    [
        ("xdi", "cycling", False, "holds no absorption spectra"),
        ("athena", "cycling", False, "holds no absorption spectra"),
        ("csv", "fffff00000", False, "no run"),
        ("csv", "cycling", True, "is an existing file"),
    ],
)
def test_export_refuses_in_one_line_before_writing(
    stored, tmp_path, capsys, fmt, uid, out_is_file, message
):
    _, store, cycling, _ = stored
    out = tmp_path / "out"
    if out_is_file:
        out.write_text("")
    uid = cycling if uid == "cycling" else uid
    with pytest.raises(OperandoError) as refused:
        export_runs([uid], None, fmt, out, store=store)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert out.is_file() if out_is_file else not out.exists()


def test_the_command_refuses_a_store_that_is_not_there_in_one_line(tmp_path, capsys):
    args = ["export", "abcdef", "--data", str(tmp_path / "none"), "--format", "csv"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "no run store there" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "none").exists() and not (tmp_path / "out").exists()


def test_every_xdi_file_read_and_written_again_gives_larch_the_same_mu(tmp_path):
    """The 23 XDI files of tests/data/xas: read_spectrum -> write_xdi -> larch's read_xdi
    gives the same mu within 1e-9 (measured: identical), element and edge kept."""
    import pathlib

    from larch.io import read_xdi

    from operando.io.xas_files import read_spectrum
    from operando.io.xdi_write import from_xas_spectrum, write_xdi

    files = sorted((pathlib.Path(__file__).parent / "data" / "xas").rglob("*.xdi"))
    assert len(files) == 23
    for path in files:
        original = read_spectrum(path)
        spectrum = from_xas_spectrum(original)
        written = write_xdi(spectrum, tmp_path, path.parent.name)
        mu = getattr(read_xdi(str(written)), spectrum.mu_column)
        assert np.max(np.abs(mu / original.mu - 1.0)) < 1e-9, path.name
        again = read_spectrum(written)
        assert (again.element, again.edge) == (original.element, original.edge)


class _Node:
    def __init__(self, ds, units):
        self._ds = ds
        kinds = {k: "number" if ds[k].dtype.kind == "f" else "string" for k in units}
        keys = {k: {"dtype": kinds[k], "units": u} for k, u in units.items()}
        self.metadata = {"data_keys": keys}

    def read(self):
        return self._ds


class _Run(dict):
    """A stored run as the exporters see it: streams by name, and start metadata."""

    def __init__(self, start, streams):
        super().__init__(streams)
        self.metadata = {"start": start, "stop": {}}


def test_soft_edge_spectra_of_a_charge_and_measure_stream_are_split_by_cutoff(tmp_path):
    import xarray as xr
    from larch.io import read_xdi

    from operando.io.xas_files import read_spectrum
    from operando.io.xdi_write import write_xdi
    from operando.studies.run_spectra import run_spectra, spectrum_streams

    energy = np.tile(np.linspace(845.0, 880.0, 30), 2)
    cutoff = np.repeat([4.5, 4.8], 30)
    i0 = np.full(60, 2e7)
    fy = i0 * (0.1 + 0.05 * np.tanh(energy - 853.0)) * np.where(cutoff > 4.6, 1.1, 1.0)
    columns = {"sxr_energy": (energy, "eV"), "sxr_i0": (i0, "counts"), "sxr_fy": (fy, "counts"),
               "sxr_tey": (fy / 2, "counts"), "cutoff": (cutoff, "V"),
               "potentiostat_ewe": (cutoff - 0.1, "V")}  # fmt: skip
    ds = xr.Dataset({k: ("time", v) for k, (v, _) in columns.items()},
                    coords={"time": 1e9 + np.arange(60.0)})  # fmt: skip
    run = _Run(
        {"uid": "c0ffee00", "plan_name": "charge_and_measure", "sample": {"formula": "LiNiO2"}},
        {"xas_ni_l": _Node(ds, {k: u for k, (_, u) in columns.items()})},
    )
    assert spectrum_streams(run) == ["xas_ni_l"]
    spectra = run_spectra(run, "xas_ni_l")
    assert [s.name for s in spectra] == ["4.5 V", "4.8 V"]
    s = spectra[1]
    assert (s.element, s.edge, s.mono, s.mu_column) == ("Ni", "L3", None, "mufluor")
    assert s.columns["potentiostat_ewe"][1] == "V"
    path = write_xdi(s, tmp_path, "c0ffee00_xas_ni_l")
    assert "Mono.d_spacing" not in path.read_text()
    expected = fy[30:] / i0[30:]
    assert np.max(np.abs(read_xdi(str(path)).mufluor / expected - 1.0)) < 1e-9
    assert read_spectrum(path).mode == "fluorescence"
