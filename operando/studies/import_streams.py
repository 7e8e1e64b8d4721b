"""Parsed instrument files -> the streams of an operando run (field names and units as the
acquired runs have them).

- EC-Lab cycling, OCV, CA, CV: ``primary`` = ``clock`` (s, POSIX), ``t`` (s), ``Ewe`` (V),
  ``I`` (mA, positive oxidises the working electrode), ``Q`` (mAh since the start),
  ``step`` (EC-Lab's sequence Ns), plus ``cycle`` (EC-Lab's cycle number) and ``Ece`` (V)
  when the file has them. A file without a current column (GCPL .mpr) gets I from its
  charge increments: I = dq / dt.
- EC-Lab PEIS/GEIS: ``primary`` = ``clock``, ``t``, ``frequency`` (Hz), ``Re_Z``,
  ``minus_Im_Z``, ``abs_Z`` (Ohm), ``phase_Z`` (deg), ``Ewe`` (V), ``I`` (mA), ``cycle``.
- Zilien: ``dems`` = ``clock`` (end of each sweep of the channels, s), ``interval`` (s),
  ``pressure`` (mbar, the inlet's pressure controller), ``mz<N>`` (A) and ``mz<N>_clock``
  (s, when that channel was read); ``primary`` from the EC-Lab files on Zilien's clock.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest
from ..io.biologic import EcLabFile, read_eclab
from ..io.zilien import ZilienFile, read_zilien

PLAN_OF_TECHNIQUE = {
    "GCPL": "import_eclab_cycling", "CP": "import_eclab_cycling", "MB": "import_eclab_cycling",
    "OCV": "import_eclab_trace", "CA": "import_eclab_trace", "WAIT": "import_eclab_trace",
    "CV": "import_eclab_voltammetry", "CVA": "import_eclab_voltammetry",
    "LSV": "import_eclab_voltammetry",
    "PEIS": "import_eclab_impedance", "GEIS": "import_eclab_impedance",
}  # fmt: skip
NEEDS_MASS = {"import_eclab_cycling"}  # their summary is per gram of active material
_ZILIEN_DISPLAY_KEYS = ("save_data", "save_interval", "subscribe", "color", "scaling")


@dataclass
class Stream:
    """One stream of an imported run: columns (key -> values), units (key -> unit) and
    the descriptor's configuration."""

    name: str
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    configuration: dict = field(default_factory=dict)


@dataclass
class Parsed:
    """What one input file (or set) becomes: a plan name, start metadata, streams."""

    file: pathlib.Path
    plan_name: str
    time: float  # POSIX s of the run's start
    metadata: dict
    streams: list[Stream]
    files: list[pathlib.Path]  # every file read (for provenance)
    header_mass_mg: float | None = None
    header_area_cm2: float | None = None


def posix(start: dt.datetime) -> float:
    """A naive instrument time (its computer's local time, zone unknown) read as UTC."""
    return start.replace(tzinfo=dt.UTC).timestamp()


def _ewe(f: EcLabFile) -> np.ndarray:
    ewe = f.column("Ewe/V", "<Ewe>/V")
    if ewe is None:
        raise BadRequest(f"{f.path}: no Ewe/V column (columns: {', '.join(f.columns)})")
    if not np.isfinite(ewe).any():
        raise BadRequest(f"{f.path}: the potentiostat series is all NaN (Ewe has no number)")
    return ewe


def _current_mA(f: EcLabFile, t: np.ndarray) -> np.ndarray:
    i = f.column("I/mA", "<I>/mA")
    if i is not None:
        return i
    dq = f.column("dq/mA.h")
    if dq is None and (dq_c := f.column("dQ/C")) is not None:
        dq = dq_c / 3.6
    if dq is not None:
        dt_s = np.diff(t, prepend=t[0])
        return np.where(dt_s > 0, dq * 3600.0 / np.where(dt_s > 0, dt_s, 1.0), 0.0)
    if f.technique in ("OCV", "WAIT"):
        return np.zeros_like(t)  # open circuit: no current flows
    raise BadRequest(f"{f.path}: no current column (I/mA, <I>/mA, dq/mA.h or dQ/C)")


def _charge_mAh(f: EcLabFile, t: np.ndarray, i: np.ndarray) -> np.ndarray:
    q = f.column("(Q-Qo)/mA.h")
    if q is None and (q_c := f.column("(Q-Qo)/C")) is not None:
        q = q_c / 3.6
    if q is not None:
        return q
    steps = 0.5 * (i[1:] + i[:-1]) * np.diff(t) / 3600.0
    return np.concatenate([[0.0], np.cumsum(steps)])


def potentiostat_columns(f: EcLabFile, clock0: float) -> tuple[dict, dict]:
    """The ``primary`` columns and units of an EC-Lab time series (clock0: POSIX s at the
    file's time zero)."""
    t = f.column("time/s")
    if t is None:
        raise BadRequest(f"{f.path}: no time/s column")
    ewe = _ewe(f)
    i = _current_mA(f, t)
    ns = f.column("Ns")
    columns = {
        "clock": clock0 + t, "t": t, "Ewe": ewe, "I": i, "Q": _charge_mAh(f, t, i),
        "step": (ns if ns is not None else np.zeros_like(t)).astype(int),
    }  # fmt: skip
    units = {"clock": "s", "t": "s", "Ewe": "V", "I": "mA", "Q": "mAh", "step": ""}
    if (cycle := f.column("cycle number")) is not None:
        columns["cycle"], units["cycle"] = cycle.astype(int), ""
    if (ece := f.column("Ece/V", "<Ece>/V")) is not None:
        columns["Ece"], units["Ece"] = ece, "V"
    return columns, units


def impedance_columns(f: EcLabFile, clock0: float) -> tuple[dict, dict]:
    """The ``primary`` columns and units of an impedance file."""
    need = {"frequency": "freq/Hz", "Re_Z": "Re(Z)/Ohm", "minus_Im_Z": "-Im(Z)/Ohm"}
    missing = [v for v in need.values() if v not in f.columns]
    if missing:
        raise BadRequest(f"{f.path}: an impedance file without {', '.join(missing)}")
    t = f.column("time/s")
    columns = {k: f.column(v) for k, v in need.items()}
    units = {"frequency": "Hz", "Re_Z": "Ohm", "minus_Im_Z": "Ohm"}
    if not np.isfinite(columns["Re_Z"]).any():
        raise BadRequest(f"{f.path}: the impedance series is all NaN")
    extra = {
        "abs_Z": ("|Z|/Ohm", "Ohm"),
        "phase_Z": ("Phase(Z)/deg", "deg"),
        "Ewe": ("<Ewe>/V", "V"),
        "I": ("<I>/mA", "mA"),
        "cycle": ("cycle number", ""),
    }
    for key, (name, unit) in extra.items():
        if name in f.columns:
            columns[key], units[key] = f.column(name), unit
    if "cycle" in columns:
        columns["cycle"] = columns["cycle"].astype(int)
    if t is not None:
        columns.update(clock=clock0 + t, t=t)
        units.update(clock="s", t="s")
    return columns, units


def eclab_header(f: EcLabFile) -> dict:
    """The file's header for provenance (instrument, technique, cell characteristics)."""
    out = {"technique": f.technique, "technique_name": f.technique_name, **f.header}
    if f.start is not None:
        out["acquisition_started"] = f.start.isoformat()
        out["clock_origin"] = "date only (no time of day in the file)" if f.date_only else (
            "acquisition start, instrument local time read as UTC")  # fmt: skip
    return out


def parse_eclab(path: pathlib.Path) -> Parsed:
    """One EC-Lab file -> one run."""
    f = read_eclab(path)
    plan = PLAN_OF_TECHNIQUE.get(f.technique)
    if plan is None:
        raise BadRequest(
            f"{path}: technique {f.technique} ({f.technique_name}) is not one operando imports; "
            f"known: {', '.join(sorted(PLAN_OF_TECHNIQUE))}"
        )
    clock0 = posix(f.start) if f.start is not None else 0.0
    if plan == "import_eclab_impedance":
        columns, units = impedance_columns(f, clock0)
    else:
        columns, units = potentiostat_columns(f, clock0)
    start = float(columns["clock"][0]) if "clock" in columns else clock0
    md = {
        "technique": f.technique,
        "header": eclab_header(f),
        "electrode_material": f.header.get("electrode_material")
        or f.header.get("Electrode material")
        or None,
        "electrolyte": f.header.get("electrolyte") or f.header.get("Electrolyte") or None,
    }
    reader = "galvani" if path.suffix.lower() == ".mpr" else "operando.io.biologic"
    return Parsed(path, plan, start, {**md, "reader": reader},
                  [Stream("primary", columns, units)], [path],
                  header_mass_mg=f.mass_mg, header_area_cm2=f.area_cm2)  # fmt: skip


# --- Zilien EC-MS ------------------------------------------------------------------------
def zilien_mpt_files(tsv: pathlib.Path) -> list[pathlib.Path]:
    """The EC-Lab files Zilien wrote beside its .tsv (``<stem>_NN_NN_<technique>_C01.mpt``)."""
    return sorted(tsv.parent.glob(f"{tsv.stem}_*.mpt"))


def ms_stream(z: ZilienFile) -> Stream:
    """The ``dems`` stream: one row per sweep of the mass spectrometer's channels."""
    channels = z.ms_channels()
    if not channels:
        raise BadRequest(f"{z.path}: no mass-spectrometer channels (C<n>M<mass> series)")
    n = min(z.series[name].time.size for name in channels)
    if n < 1:
        raise BadRequest(f"{z.path}: the mass-spectrometer channels hold no points")
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    times = []
    for name, mass in channels.items():
        key = f"mz{mass:g}".replace(".", "_")
        if key in columns:
            raise BadRequest(f"{z.path}: two channels at m/z {mass:g}")
        series = z.series[name]
        label = z.channel_labels[name]
        columns[key], units[key] = series.columns[label][:n], "A"
        columns[f"{key}_clock"], units[f"{key}_clock"] = z.start_unix + series.time[:n], "s"
        times.append(series.time[:n])
    clock = z.start_unix + np.max(times, axis=0)
    interval = np.diff(clock, prepend=np.nan)
    interval[0] = np.median(interval[1:]) if n > 1 else 0.0
    pressure = np.full(n, np.nan)
    if "PC value" in z.series and z.series["PC value"].time.size:
        pc = z.series["PC value"]
        pressure = np.interp(clock - z.start_unix, pc.time, pc.columns["Pressure"])
    columns = {"clock": clock, "interval": interval, "pressure": pressure, **columns}
    units = {"clock": "s", "interval": "s", "pressure": "mbar", **units}
    masses = [float(m) for m in channels.values()]
    configuration = {"dems": {
        "data": {"dems_channels": masses, "dems_labels": list(z.channel_labels.values())},
        "timestamps": {"dems_channels": z.start_unix, "dems_labels": z.start_unix},
        "data_keys": {
            "dems_channels": {"source": "zilien", "dtype": "array", "shape": [len(masses)]},
            "dems_labels": {"source": "zilien", "dtype": "array", "shape": [len(masses)]},
        },
    }}  # fmt: skip
    return Stream("dems", columns, units, configuration)


def _join(parts: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    keys = [k for k in parts[0][0] if all(k in p[0] for p in parts)]
    columns = {k: np.concatenate([p[0][k] for p in parts]) for k in keys}
    return columns, {k: parts[0][1][k] for k in keys}


def parse_zilien(path: pathlib.Path) -> Parsed:
    """A Zilien .tsv with the EC-Lab .mpt files beside it -> one EC-MS run."""
    z = read_zilien(path)
    dems = ms_stream(z)
    offset = z.ec_lab_offset_s
    ec_points = z.series.get("EC-lab")
    mpts = zilien_mpt_files(path)
    recorded_ec = offset is not None or (ec_points is not None and ec_points.columns)
    header = {k: v for k, v in z.header.items() if k.split("@")[0] not in _ZILIEN_DISPLAY_KEYS}
    files = [path]
    if recorded_ec:
        if not mpts:
            raise BadRequest(
                f"{path}: Zilien recorded EC-Lab alongside (offset in its header) but the EC-Lab "
                f".mpt files ({path.stem}_NN_NN_<technique>_C01.mpt) are not beside it; put them "
                "in the same folder"
            )
        if offset is None:
            raise BadRequest(f"{path}: no EC-Lab time offset (offset@pot_01) in the header")
        parts, techniques = [], []
        for k, mpt in enumerate(mpts):
            f = read_eclab(mpt)
            columns, units = potentiostat_columns(f, z.start_unix + offset)
            columns["step"] = columns["step"] + 1000 * (k + 1)  # technique k, its sequence Ns
            parts.append((columns, units))
            techniques.append({"file": mpt.name, **eclab_header(f)})
        primary = Stream("primary", *_join(parts))
        header["ec_lab"] = techniques
        files += mpts
    else:
        pot = z.series.get("pot")
        voltage = pot.columns.get("Voltage") if pot is not None else None
        if voltage is None or not np.isfinite(voltage).any():
            raise BadRequest(
                f"{path}: the potentiostat series is all NaN (Zilien recorded no EC data); an "
                "EC-MS run needs the potential"
            )
        t = pot.time
        columns = {"clock": z.start_unix + t, "t": t, "Ewe": voltage,
                   "I": pot.columns["Current"], "step": np.zeros(t.size, int)}  # fmt: skip
        units = {"clock": "s", "t": "s", "Ewe": "V", "I": "mA", "step": ""}
        primary = Stream("primary", columns, units)
        header["potentiostat_source"] = "Zilien pot series (no EC-Lab files)"
    md = {"technique": "EC-MS", "header": header, "reader": "operando.io.zilien",
          "ec_lab_offset_s": offset}  # fmt: skip
    return Parsed(path, "import_zilien_ecms", z.start_unix, md, [primary, dems], files)
