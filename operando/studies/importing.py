"""``operando import``: instrument files become runs of the catalog, like acquired runs.

Every file is parsed and every document of every run is built (and validated by
event-model) before anything is written: a bad file is refused in one line and the catalog
gets nothing of that command. The runs then go through the storage path of acquired runs:
the document log first, then tiled's writer.

Start metadata: ``plan_name`` (its kind: ``analysis.run_kinds``), ``sample`` (as acquired
runs have it; formula and molar mass null when nobody gave a material), ``source``
(``files``, ``sha256`` per file, ``header``: the instrument's own metadata, ``importer`` and
``importer_version``, ``reader``), ``technique`` and ``imported: true``.
"""

from __future__ import annotations

import hashlib
import pathlib
from dataclasses import dataclass

import numpy as np

from ..errors import BadRequest
from .import_streams import NEEDS_MASS, Parsed, Stream, parse_eclab, parse_zilien

IMPORTER = "operando import"
EC_LAB_SUFFIXES = (".mpr", ".mpt")
XAS_SUFFIXES = (".xdi", ".prj")
NEXUS_SUFFIXES = (".nxs",)  # written by operando export (a run exported, imported again)
KNOWN_SUFFIXES = (*EC_LAB_SUFFIXES, ".tsv", *XAS_SUFFIXES, *NEXUS_SUFFIXES)


@dataclass(frozen=True)
class SampleOptions:
    """What the user says about the sample (None: not given)."""

    name: str | None = None
    material: str | None = None
    formula: str | None = None
    mass_mg: float | None = None
    area_cm2: float | None = None
    materials_dir: str | None = None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("operando")
    except PackageNotFoundError:
        return "unknown"


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_file(path: str | pathlib.Path) -> Parsed:
    """One input file -> what its run holds (BadRequest naming the file and the problem)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in EC_LAB_SUFFIXES:
        return parse_eclab(path)
    if suffix == ".tsv":
        return parse_zilien(path)
    if suffix in XAS_SUFFIXES:
        from .import_xas import parse_xas

        return parse_xas(path)
    if suffix in NEXUS_SUFFIXES:
        from .import_nexus import parse_nexus

        return parse_nexus(path)
    raise BadRequest(
        f"{path}: unknown file type {suffix or '(none)'}; operando imports "
        f"{', '.join(KNOWN_SUFFIXES)}"
    )


def _quantity(parsed: Parsed, given: float | None, header: float | None, what: str, unit: str):
    """The header's value where it has one, else the option's; a disagreement is refused."""
    if given is not None and not (np.isfinite(given) and given > 0):
        raise BadRequest(f"--{what}-{unit} must be a positive number, got {given}")
    if header is not None and given is not None and abs(given - header) > 1e-3 * header:
        raise BadRequest(
            f"{parsed.file}: its header gives {what} {header:g} {unit}, --{what}-{unit} says "
            f"{given:g}; leave the option out or correct the file"
        )
    return header if header is not None else given


def sample_metadata(parsed: Parsed, options: SampleOptions) -> dict:
    """The ``sample`` of the start document, as acquired runs record it."""
    from ..materials import molar_mass, resolve_material

    mass = _quantity(parsed, options.mass_mg, parsed.header_mass_mg, "mass", "mg")
    area = _quantity(parsed, options.area_cm2, parsed.header_area_cm2, "area", "cm2")
    if parsed.plan_name in NEEDS_MASS and mass is None:
        raise BadRequest(
            f"{parsed.file}: {parsed.metadata.get('technique')} cycling gives capacities per "
            "gram, and the file's header has no active mass: give --mass-mg"
        )
    material, formula = parsed.metadata.get("electrode_material") or "unknown", None
    if options.material or options.formula:
        m = resolve_material(options.material, options.formula, options.materials_dir)
        material, formula = m.name, m.formula
    return {
        "name": options.name or parsed.file.stem,
        "material": material,
        "formula": formula,
        "active_mass_mg": mass,
        "area_cm2": area,
        "electrolyte": parsed.metadata.get("electrolyte"),
        "molar_mass_g_mol": round(molar_mass(formula), 4) if formula else None,
    }


def document_keys(obj):
    """A nested structure whose keys a start document accepts (no '.' or '/')."""
    if isinstance(obj, dict):
        return {str(k).replace(".", "_").replace("/", "_"): document_keys(v)
                for k, v in obj.items()}  # fmt: skip
    if isinstance(obj, (list, tuple)):
        return [document_keys(v) for v in obj]
    return obj


def start_metadata(parsed: Parsed, options: SampleOptions) -> dict:
    """The start document's metadata of a parsed file (without uid and time)."""
    md = dict(parsed.metadata)
    # A run exported by operando brings its own sample; files of instruments do not.
    sample = md.pop("sample", None)
    header = md.pop("header", {})
    reader = md.pop("reader", "")
    for key in ("electrode_material", "electrolyte"):
        md.pop(key, None)
    if reader == "galvani":
        from importlib.metadata import version

        reader = f"galvani {version('galvani')}"
    return {
        **md,
        "plan_name": parsed.plan_name,
        "imported": True,
        "sample": sample if isinstance(sample, dict) else sample_metadata(parsed, options),
        "source": {
            "files": [p.name for p in parsed.files],
            "sha256": [sha256(p) for p in parsed.files],  # one per file, in order
            "header": document_keys(header),
            "importer": IMPORTER,
            "importer_version": _version(),
            "reader": reader,
        },
        "hints": {"dimensions": [(["clock"], "primary")]},
    }


def _dtype(values: np.ndarray) -> str:
    if values.ndim > 1:
        return "array"
    if values.dtype.kind in "iub":
        return "integer"
    if values.dtype.kind in "US":
        return "string"
    return "number"


def _listed(values: np.ndarray) -> list:
    if values.ndim > 1:  # one array an event (e.g. a RIXS emission spectrum)
        return values.tolist()
    if values.dtype.kind in "iub":
        return [int(v) for v in values]
    if values.dtype.kind in "US":
        return [str(v) for v in values]
    return [None if not np.isfinite(v) else float(v) for v in values.astype(float)]


def _stream_documents(bundle, stream: Stream, source: str, start_time: float):
    n = len(next(iter(stream.columns.values())))
    data_keys = {
        key: {"source": source, "dtype": _dtype(np.asarray(values)),
              "shape": list(np.shape(values)[1:]), "units": stream.units.get(key, "")}
        for key, values in stream.columns.items()
    }  # fmt: skip
    desc = bundle.compose_descriptor(
        name=stream.name, data_keys=data_keys, configuration=stream.configuration,
        object_keys={stream.name: list(data_keys)}, time=start_time,
    )  # fmt: skip
    yield "descriptor", desc.descriptor_doc
    clock = stream.columns.get("clock")
    times = _listed(np.asarray(clock, float)) if clock is not None else [start_time] * n
    times = [t if t is not None else start_time for t in times]
    for a in range(0, n, 5000):
        b = min(n, a + 5000)
        data = {k: _listed(np.asarray(v)[a:b]) for k, v in stream.columns.items()}
        yield "event_page", desc.compose_event_page(
            data=data, timestamps={k: times[a:b] for k in data}, time=times[a:b],
            seq_num=list(range(a + 1, b + 1)),
        )  # fmt: skip


def build_documents(parsed: Parsed, options: SampleOptions) -> list[tuple[str, dict]]:
    """Every document of the run of one parsed file, validated by event-model."""
    md = start_metadata(parsed, options)
    from event_model import compose_run

    bundle = compose_run(time=parsed.time, metadata=md)
    docs: list[tuple[str, dict]] = [("start", bundle.start_doc)]
    last = parsed.time
    for stream in parsed.streams:
        if not stream.columns or not len(next(iter(stream.columns.values()))):
            raise BadRequest(f"{parsed.file}: the {stream.name} stream has no points")
        docs.extend(_stream_documents(bundle, stream, f"import:{parsed.file.name}", parsed.time))
        if "clock" in stream.columns:
            last = max(last, float(np.nanmax(stream.columns["clock"])))
    docs.append(("stop", bundle.compose_stop(
        exit_status="success", reason=f"imported from {parsed.file.name}", time=last)))  # fmt: skip
    return docs


def summarize_documents(docs: list[tuple[str, dict]], file: str = "the file"):
    """The run's summary from its documents (checks, before storing, that it has one)."""
    from ..analysis.run_kinds import kind_of
    from ..analysis.run_summary import RunSummary

    callback = RunSummary()
    for name, doc in docs:
        callback(name, doc)
    if callback.summary is None:
        raise BadRequest(f"{file}: its run has no summary ({callback.error})")
    return kind_of(callback.run).name, callback.summary


def calibrate(parsed: Parsed, calibration: str) -> None:
    """Put a mass spectrometer's calibration table (a TOML file, ``io.calibration``) into the
    ``dems`` stream's configuration, as an acquired DEMS run records it."""
    from ..io.calibration import calibration_configuration, read_calibration

    stream = next((s for s in parsed.streams if s.name == "dems"), None)
    if stream is None:
        raise BadRequest(
            f"{parsed.file}: --calibration applies to EC-MS files (Zilien .tsv); this file "
            "has no mass-spectrometer stream"
        )
    config = stream.configuration.setdefault("dems", {"data": {}, "timestamps": {},
                                                       "data_keys": {}})  # fmt: skip
    rows = calibration_configuration(
        read_calibration(calibration), list(config["data"]["dems_channels"]), str(parsed.file)
    )
    for key, row in rows.items():
        config["data"][key] = row
        config["timestamps"][key] = parsed.time
        config["data_keys"][key] = {"source": f"file:{pathlib.Path(calibration).name}",
                                    "dtype": "array", "shape": [len(row)],
                                    "units": "A/(mol/s)"}  # fmt: skip


def prepare(paths: list[str], options: SampleOptions, calibration: str | None = None) -> list[dict]:
    """Parse every file, build and summarise every run; nothing is written. calibration: a
    mass spectrometer's table (TOML) for EC-MS files, whose summaries then give gas rates."""
    if not paths:
        raise BadRequest("give at least one file to import")
    prepared = []
    for path in paths:
        parsed = parse_file(path)
        if calibration is not None:
            calibrate(parsed, calibration)
        docs = build_documents(parsed, options)
        kind, summary = summarize_documents(docs, str(path))
        prepared.append({"file": str(path), "uid": docs[0][1]["uid"], "kind": kind,
                         "docs": docs, "summary": summary})  # fmt: skip
    return prepared


def _hashes(run: dict) -> list[str]:
    return list(run["docs"][0][1]["source"]["sha256"])


def imported_before(client, hashes: list[str]) -> str | None:
    """The uid of a stored run imported from files of exactly these contents (sha256, in
    order), else None."""
    from tiled.queries import Contains

    for uid, node in client.search(Contains("start.source.sha256", hashes[0])).items():
        source = (node.metadata.get("start") or {}).get("source") or {}
        if list(source.get("sha256") or []) == hashes:
            return uid
    return None


def entries(client, runs: list[dict], again: bool = False) -> list[dict]:
    """Per prepared run, in order: ``{"uid", "kind", "file"}``; for one whose files (by
    sha256) are already in the catalog, or given twice in this command, the stored run's
    uid and ``"already_imported": True`` (unless ``again``: then every run is new)."""
    out, seen = [], {}
    for run in runs:
        entry = {"uid": run["uid"], "kind": run["kind"], "file": run["file"]}
        key = tuple(_hashes(run))
        found = None if again else (seen.get(key) or imported_before(client, list(key)))
        if found is not None:
            entry.update(uid=found, already_imported=True)
        seen.setdefault(key, found or run["uid"])  # later copies name the stored run
        out.append(entry)
    return out


def store_documents(data: str, runs: list[dict], *, again: bool = False) -> list[dict]:
    """Store runs through the path of acquired runs: document log, then tiled. A run whose
    files (by sha256) are already in the catalog is not stored again unless ``again``.
    Returns what became of each run (``entries``)."""
    from ..storage import DocumentLog, make_writer, open_store

    store = open_store(data)
    out = entries(store.client, runs, again)
    runs = [r for r, e in zip(runs, out, strict=True) if not e.get("already_imported")]
    log = DocumentLog(store.log_dir) if store.log_dir is not None else None
    writer = make_writer(store)
    try:
        for run in runs:
            for name, doc in run["docs"]:
                if log is not None:
                    log(name, doc)
                writer(name, doc)
    finally:
        writer.close()  # a run cut short by an error leaves no unfinished column copy
        store.close()
    return out


def import_files(
    paths: list[str],
    data: str,
    options: SampleOptions,
    calibration: str | None = None,
    *,
    again: bool = False,
) -> list[dict]:
    """Import files as runs: ``[{"uid", "kind", "file"}]`` in the order given. A file
    whose contents are already in the catalog is not imported again (unless ``again``): its
    entry names the stored run and has ``"already_imported": true``."""
    return store_documents(data, prepare(paths, options, calibration), again=again)
