"""Typed results of the analyses: one dataclass per kind of run summary.

Field names carry their units. ``to_json()`` gives the JSON object the command line prints
(``--json``), replay prints and reports store: the keys are a contract with users' scripts,
so they change only on purpose. Floats are rounded to 4 digits there, as printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


def round_floats(obj, digits: int = 4):
    """Round every float in a nested structure (for printing and JSON)."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [round_floats(v, digits) for v in obj]
    return obj


def _values(obj, skip: tuple[str, ...] = ()) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in skip}


@dataclass
class CycleResult:
    """One charge + discharge: capacities (mAh/g), dQ/dV peaks (V, strongest first),
    coulombic efficiency (%), Li per formula unit removed and inserted."""

    cycle: int
    charge_capacity_mAh_g: float | None
    dqdv_charge_peaks_V: list[float]
    discharge_capacity_mAh_g: float | None
    dqdv_discharge_peaks_V: list[float]
    coulombic_efficiency_pct: float | None
    li_removed: float | None
    li_inserted: float | None
    mean_discharge_V: float | None = None

    @classmethod
    def from_dict(cls, cycle: int, d: dict) -> CycleResult:
        names = {f.name for f in fields(cls)} - {"cycle"}
        return cls(cycle=cycle, **{k: d.get(k) for k in names})

    def to_json(self) -> dict:
        out = _values(self, ("cycle",))
        if out["mean_discharge_V"] is None:
            del out["mean_discharge_V"]  # only models that report it
        return round_floats(out)


@dataclass
class Summary:
    """Base of run summaries: the run's uid and the JSON the commands print."""

    kind: ClassVar[str] = "run"
    uid: str

    def to_json(self) -> dict:
        raise NotImplementedError

    def __getitem__(self, key: str):
        """``summary["charge_capacity_mAh_g"]``: a value as the JSON has it."""
        return self.to_json()[key]


@dataclass
class CyclingSummary(Summary):
    """Galvanostatic cycling: the first cycle's metrics at the top level of the JSON, and
    per cycle under ``cycles`` its capacities, mean discharge potential and CE
    (``CYCLE_KEYS``)."""

    kind: ClassVar[str] = "cycling"
    first: CycleResult = None  # type: ignore[assignment]
    cycles: list[CycleResult] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict) -> CyclingSummary:
        cycles = [CycleResult.from_dict(n, c) for n, c in enumerate(d.get("cycles", []), 1)]
        return cls(uid=d["uid"], first=CycleResult.from_dict(1, d), cycles=cycles)

    def to_json(self) -> dict:
        return {"uid": self.uid, **self.first.to_json(), "cycles": self.per_cycle()}

    def per_cycle(self) -> list[dict]:
        """Per cycle: ``cycle`` and the ``CYCLE_KEYS`` (None where not measured)."""
        return [
            round_floats({"cycle": c.cycle, **{k: getattr(c, k) for k in CYCLE_KEYS}})
            for c in self.cycles
        ]


# Per-cycle keys of a cycling summary's ``cycles`` (beside the first cycle's at the top).
CYCLE_KEYS = (
    "charge_capacity_mAh_g", "discharge_capacity_mAh_g", "mean_discharge_V",
    "coulombic_efficiency_pct",
)  # fmt: skip


# Per-cycle keys of a DEMS summary, in the order printed (the first cycle also has h2_onset_V).
GAS_CYCLE_KEYS = (
    "o2_umol", "co2_umol", "h2_umol", "o2_onset_V", "co2_onset_V", "o2_max_rate_nmol_min",
    "co2_max_rate_nmol_min", "h2_max_rate_nmol_min",
)  # fmt: skip
GAS_FIRST_KEYS = (
    "o2_umol", "o2_onset_V", "o2_max_rate_nmol_min", "co2_umol", "co2_onset_V",
    "co2_max_rate_nmol_min", "h2_umol", "h2_onset_V", "h2_max_rate_nmol_min",
)  # fmt: skip


@dataclass
class GasCycleResult:
    """Gas evolved in one cycle: amounts (umol), onset potentials (V, None below detection)
    and peak rates (nmol/min) of O2, CO2 and H2."""

    cycle: int
    o2_umol: float | None = None
    co2_umol: float | None = None
    h2_umol: float | None = None
    o2_onset_V: float | None = None
    co2_onset_V: float | None = None
    h2_onset_V: float | None = None
    o2_max_rate_nmol_min: float | None = None
    co2_max_rate_nmol_min: float | None = None
    h2_max_rate_nmol_min: float | None = None

    @classmethod
    def from_dict(cls, cycle: int, d: dict) -> GasCycleResult:
        names = {f.name for f in fields(cls)} - {"cycle"}
        return cls(cycle=cycle, **{k: d.get(k) for k in names})


@dataclass
class DemsSummary(Summary):
    """Cycling plus gas evolution (DEMS): the first cycle's oxygen balance (lattice oxygen
    lost, % of formula units; O2 capacity, irreversible capacity, mAh/g; O2 share, %),
    detection limits (nmol/min, 3x the scatter during the rest) and gas per cycle."""

    kind: ClassVar[str] = "dems"
    cycling: CyclingSummary = None  # type: ignore[assignment]
    detection_limits_nmol_min: dict[str, float] = field(default_factory=dict)
    lattice_o_loss_pct: float | None = None
    o2_capacity_mAh_g: float | None = None
    irreversible_capacity_mAh_g: float | None = None
    o2_share_of_irreversible_pct: float | None = None
    electrons_per_o2: float | None = None
    gas_cycles: list[GasCycleResult] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict) -> DemsSummary:
        gas = [GasCycleResult.from_dict(n, c) for n, c in enumerate(d.get("cycles", []), 1)]
        names = {f.name for f in fields(cls)} - {"uid", "cycling", "gas_cycles"}
        return cls(
            uid=d["uid"],
            cycling=CyclingSummary.from_dict(d),
            gas_cycles=gas,
            **{k: d.get(k) for k in names},
        )

    def to_json(self) -> dict:
        first = self.gas_cycles[0] if self.gas_cycles else GasCycleResult(1)
        electro = {c["cycle"]: c for c in self.cycling.per_cycle()}
        out = {
            **self.cycling.to_json(),
            **_values(self, ("uid", "cycling", "gas_cycles")),
            **{k: getattr(first, k) for k in GAS_FIRST_KEYS},
            "cycles": [
                {
                    **electro.get(c.cycle, {}),
                    "cycle": c.cycle,
                    **{k: getattr(c, k) for k in GAS_CYCLE_KEYS},
                }
                for c in self.gas_cycles
            ],
        }
        return round_floats(out)


@dataclass
class XasSummary(Summary):
    """An X-ray absorption series: per electrode (or reference) the edge's results; at a
    hard edge also the valence ``calibration`` from the references measured in the run."""

    kind: ClassVar[str] = "xas"
    edge: str = ""
    samples: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    hard: bool = False  # a hard-edge series carries ``calibration`` (None if no references)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"uid": self.uid, "edge": self.edge, "samples": self.samples}
        if self.hard:
            out["calibration"] = self.calibration
        return round_floats(out)


@dataclass
class RixsSummary(Summary):
    """An O K RIXS map: the oxidised-oxygen feature intensity (relative to the reference
    stripe) and its counting uncertainty."""

    kind: ClassVar[str] = "rixs"
    feature_intensity: float | None = None
    feature_intensity_sigma: float | None = None
    sample: str | None = None  # the electrode's name, when the study knows it

    def to_json(self) -> dict:
        out: dict[str, Any] = {"uid": self.uid}
        if self.sample is not None:
            out["sample"] = self.sample
        out["feature_intensity"] = self.feature_intensity
        out["feature_intensity_sigma"] = self.feature_intensity_sigma
        return round_floats(out)


@dataclass
class InSituSummary(Summary):
    """XANES scans during cycling: per scan ``scan``, ``x_li``, ``ewe_V``, ``direction``,
    ``edge_energy_eV`` and ``valence`` (from the references in the same run)."""

    kind: ClassVar[str] = "in_situ"
    scans: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict:
        return round_floats({"uid": self.uid, "in_situ": self.scans})


@dataclass
class ChargeAndMeasureSummary(Summary):
    """Charge to cutoffs and measure at each: the cycling of the whole run, the cutoffs (V)
    and, per measured stream (``xas_ni_l``, ``rixs``, ...), the values at each cutoff."""

    kind: ClassVar[str] = "charge_and_measure"
    cycling: CyclingSummary = None  # type: ignore[assignment]
    cutoffs_V: list[float] = field(default_factory=list)
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return round_floats(
            {**self.cycling.to_json(), "cutoffs_V": self.cutoffs_V, **self.measurements}
        )


def round_significant(obj, digits: int = 4):
    """Round every float in a nested structure to ``digits`` significant figures (for
    quantities such as diffusion coefficients, 1e-11 cm2/s, that 4 decimals would zero)."""
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: round_significant(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [round_significant(v, digits) for v in obj]
    return obj


@dataclass
class CvSummary(Summary):
    """Cyclic voltammetry: the first cycle's anodic and cathodic peak potentials (V,
    strongest first) and their currents (mA) at the top; every cycle under ``cycles``."""

    kind: ClassVar[str] = "cv"
    scan_rate_mV_s: float | None = None
    cycles: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict:
        first = self.cycles[0] if self.cycles else {}
        return round_floats({
            "uid": self.uid,
            "scan_rate_mV_s": self.scan_rate_mV_s,
            "anodic_peaks_V": first.get("anodic_peaks_V", []),
            "cathodic_peaks_V": first.get("cathodic_peaks_V", []),
            "peak_currents_mA": first.get("peak_currents_mA", {"anodic": [], "cathodic": []}),
            "cycles": self.cycles,
        })  # fmt: skip


@dataclass
class GittSummary(Summary):
    """GITT: per complete pulse the Li content ``x_li`` after it and the Weppner-Huggins
    ``diffusion_coefficient_cm2_s`` (None for a pulse that breaks the formula's
    assumptions), for particles of ``particle_radius_um``; details of each pulse, and why a
    D is missing, under ``pulses``."""

    kind: ClassVar[str] = "gitt"
    particle_radius_um: float | None = None
    pulses: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict:
        return round_significant({
            "uid": self.uid,
            "particle_radius_um": self.particle_radius_um,
            "x_li": [p["x_li"] for p in self.pulses],
            "diffusion_coefficient_cm2_s": [p["diffusion_coefficient_cm2_s"] for p in self.pulses],
            "pulses": self.pulses,
        })  # fmt: skip


@dataclass
class EisSummary(Summary):
    """Potentiostatic EIS: the Randles fit R_s (ohm), R_ct (ohm), C_dl (F), Warburg sigma
    (ohm s^-1/2) and the finite-space diffusion time r^2/D (s; None when the spectrum does
    not reach it), the fit's relative RMS residual, the DC potential (V) and the number of
    frequencies. Where the Randles circuit does not describe the spectrum (a real cell's
    surface film, depressed arcs), ``two_arc`` holds the two-arc cell fit and ``warnings``
    says so; an inductive spectrum gets no fit and the reason in ``warnings``."""

    kind: ClassVar[str] = "eis"
    r_s_ohm: float | None = None
    r_ct_ohm: float | None = None
    c_dl_F: float | None = None
    warburg_sigma: float | None = None
    diffusion_time_s: float | None = None
    fit_rms_rel: float | None = None
    ewe_V: float | None = None
    n_frequencies: int = 0
    two_arc: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return round_significant(_values(self))
