"""``operando export``: stored runs to files others can read (CSV, parquet, XDI, Athena,
NeXus). Everything is checked (format, output directory, every uid, that the format can carry
each run) before the first file is written.

Files written into ``out`` (``<uid8>`` = the run uid's first 8 characters):

- csv / parquet: ``<uid8>_<stream>.csv|.parquet``, one per stream (:mod:`operando.io.tables_export`)
- xdi: ``<uid8>_<stream>_<sample>.xdi``, one per spectrum (:mod:`operando.io.xdi_write`)
- athena: ``<uid8>.prj``, the run's spectra as groups (:mod:`operando.io.athena`)
- nexus: ``<uid8>.nxs``, the whole run (:mod:`operando.io.nexus`)
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

from ..errors import BadRequest
from ..io.tables_export import stream_table, write_csv, write_parquet
from ..storage import open_existing_store
from .run_spectra import run_spectra, spectrum_streams

FORMATS = ("csv", "parquet", "xdi", "athena", "nexus")
SPECTRUM_FORMATS = ("xdi", "athena")


def _check_out(out: pathlib.Path) -> None:
    if out.exists() and not out.is_dir():
        raise BadRequest(f"--out {out} is an existing file; give a directory (made if missing)")


def _spectra(run, stream_prefix: bool) -> list:
    """All spectra of a run; names prefixed by their stream when the run has several."""
    out = []
    for stream in spectrum_streams(run):
        for s in run_spectra(run, stream):
            if stream_prefix:
                s.name = f"{stream} {s.name}"
            out.append(s)
    return out


def _write_tables(run, out: pathlib.Path, write: Callable) -> list[pathlib.Path]:
    return [write(stream_table(run, stream), out) for stream in run]


def _write_xdi(run, out: pathlib.Path) -> list[pathlib.Path]:
    from ..io.xdi_write import write_xdi

    uid8 = run.metadata["start"]["uid"][:8]
    return [
        write_xdi(s, out, f"{uid8}_{stream}")
        for stream in spectrum_streams(run)
        for s in run_spectra(run, stream)
    ]


def _write_athena(run, out: pathlib.Path) -> list[pathlib.Path]:
    from ..io.athena import write_athena

    start = run.metadata["start"]
    spectra = _spectra(run, len(spectrum_streams(run)) > 1)
    title = f"operando run {start['uid']} ({start.get('plan_name')})"
    return [write_athena(spectra, out / f"{start['uid'][:8]}.prj", title)]


def _write_nexus(run, out: pathlib.Path) -> list[pathlib.Path]:
    from ..io.nexus import write_nexus

    tables = [stream_table(run, stream) for stream in run]
    spectra = _spectra(run, len(spectrum_streams(run)) > 1)
    return [write_nexus(run, tables, spectra, out)]


WRITERS: dict[str, Callable] = {
    "csv": lambda run, out: _write_tables(run, out, write_csv),
    "parquet": lambda run, out: _write_tables(run, out, write_parquet),
    "xdi": _write_xdi,
    "athena": _write_athena,
    "nexus": _write_nexus,
}


def export_runs(
    uids: list[str], data: str | None, fmt: str, out: str | pathlib.Path, *, store=None
) -> list[pathlib.Path]:
    """Write each run (uid or unique prefix) of the store ``data`` in ``fmt`` into ``out``
    (made if missing); the paths written, in order. Refuses (one line, nothing written) an
    unknown format, an ``out`` that is a file, an unknown uid, and a spectrum format (xdi,
    athena) for a run without absorption spectra. ``store``: an open store instead of ``data``."""
    if fmt not in FORMATS:
        raise BadRequest(f"--format {fmt!r}: allowed are {', '.join(FORMATS)}")
    out = pathlib.Path(out)
    _check_out(out)
    store = store if store is not None else open_existing_store(data)
    runs = [store.run(uid) for uid in uids]  # an unknown uid is refused here (NotFound)
    for run in runs:
        start = run.metadata["start"]
        if not list(run):
            raise BadRequest(f"run {start['uid']}: no stored streams to export")
        if fmt in SPECTRUM_FORMATS and not spectrum_streams(run):
            raise BadRequest(
                f"run {start['uid']} ({start.get('plan_name')}) holds no absorption spectra, "
                f"which {fmt} carries; export it as csv, parquet or nexus"
            )
    out.mkdir(parents=True, exist_ok=True)
    return [path for run in runs for path in WRITERS[fmt](run, out)]
