"""The kinds of run operando knows, by the ``plan_name`` of their start document.

This is the one place that decides what kind a run is. The live summary, replay (stored
documents through :class:`~operando.analysis.run_summary.RunSummary`), ``operando report``
(its figures are registered by kind name in :mod:`operando.reports.figures`) and the command
line all ask :func:`kind_of`; nothing guesses from the keys of a result.

Every kind is replayed the same way: its documents are gathered into a
:class:`~operando.analysis.document_run.DocumentRun` and summarised by the kind's
``summarize``, the function that also summarises the stored tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BadRequest
from . import imported
from .results import (
    ChargeAndMeasureSummary,
    CyclingSummary,
    DemsSummary,
    InSituSummary,
    RixsSummary,
    Summary,
    XasSummary,
)
from .tables import cycling_summary, gas_summary
from .technique_runs import cv_summary, eis_summary, gitt_summary
from .xray_report import (
    by_cutoff,
    hard_edges,
    hard_xas_summary,
    in_situ_summary,
    rixs_feature_by_cutoff,
    rixs_summary,
    soft_xas_summary,
)


@dataclass(frozen=True)
class RunKind:
    """A kind of run: its name (figures are registered under it), the plans that make it
    and the function that summarises a run of it (stored, or gathered from documents)."""

    name: str
    plan_names: tuple[str, ...]
    summarize: Callable[[object], Summary]
    description: str


def _cycling(run) -> CyclingSummary:
    return CyclingSummary.from_dict(cycling_summary(run))


def _dems(run) -> DemsSummary:
    return DemsSummary.from_dict(gas_summary(run))


def _xas(run) -> XasSummary:
    start = run.metadata["start"]
    edge, uid = start["edge"], start["uid"]
    if edge["station"] == "hard":
        result = hard_xas_summary(run)
        return XasSummary(uid, edge["name"], result["samples"], result["calibration"], hard=True)
    return XasSummary(uid, edge["name"], soft_xas_summary(run))


def _rixs(run) -> RixsSummary:
    return RixsSummary(run.metadata["start"]["uid"], **rixs_summary(run))


def _in_situ(run) -> InSituSummary:
    return InSituSummary(run.metadata["start"]["uid"], in_situ_summary(run))


def _charge_and_measure(run) -> ChargeAndMeasureSummary:
    start = run.metadata["start"]
    params = start["protocol"]["parameters"]
    measured: dict[str, dict] = {}
    for edge in params.get("soft_edges", []):
        stream = "xas_" + edge.replace("-", "_")
        measured[stream] = soft_xas_summary(run, edge, stream, by_cutoff)
    for edge in params.get("hard_edges", []):
        stream = "xas_" + edge.replace("-", "_")
        measured[stream] = hard_edges(run, stream, by_cutoff)
    if params.get("rixs"):
        measured["rixs"] = rixs_feature_by_cutoff(run)
    return ChargeAndMeasureSummary(start["uid"], _cycling(run), list(params["cutoffs_V"]), measured)


RUN_KINDS: tuple[RunKind, ...] = (
    RunKind(
        "cycling",
        ("galvanostatic_cycle", "galvanostatic", "potentiostatic_hold", "ocv_rest"),
        _cycling,
        "potentiostat points (t, Ewe, I, Q): capacities, CE, dQ/dV",
    ),
    RunKind("dems", ("dems_cycling",), _dems, "cycling with the evolved gas (DEMS)"),
    RunKind("xas", ("xas_series",), _xas, "X-ray absorption of ex situ electrodes"),
    RunKind("rixs", ("rixs_map",), _rixs, "O K RIXS map of an electrode"),
    RunKind("in_situ", ("in_situ_xas_cycling",), _in_situ, "XANES scans during cycling"),
    RunKind(
        "charge_and_measure",
        ("charge_and_measure",),
        _charge_and_measure,
        "charge to cutoffs and measure at each",
    ),
    RunKind("cv", ("cyclic_voltammetry",), cv_summary, "cyclic voltammetry: current peaks"),
    RunKind("gitt", ("gitt",), gitt_summary, "GITT: Weppner-Huggins D per pulse"),
    RunKind("eis", ("eis",), eis_summary, "impedance spectrum: Randles fit"),
)
# Runs imported from instrument files (operando import): studies/importing.py.
RUN_KINDS += (
    RunKind("imported_cycling", ("import_eclab_cycling",), imported.imported_cycling,
            "EC-Lab GCPL/CP/MB file: capacities, CE, dQ/dV, every cycle"),
    RunKind("imported_impedance", ("import_eclab_impedance",), imported.impedance,
            "EC-Lab PEIS/GEIS file: Nyquist intercept and arc apex per spectrum"),
    RunKind("imported_voltammetry", ("import_eclab_voltammetry",), imported.voltammetry,
            "EC-Lab CV/CVA file: anodic and cathodic peaks"),
    RunKind("imported_trace", ("import_eclab_trace",), imported.trace,
            "EC-Lab OCV/CA file: potential and charge over time"),
    RunKind("imported_ecms", ("import_zilien_ecms",), imported.ecms,
            "Zilien EC-MS set: ion currents and potentiostat on one clock"),
    RunKind("imported_xas", ("import_xas",), imported.xas_spectra,
            "XDI / Athena spectra: element, edge, E0, edge step"),
)  # fmt: skip
IMPORTED_PLAN_NAMES = frozenset(p for k in RUN_KINDS if k.name.startswith("imported_")
                                for p in k.plan_names)  # fmt: skip
_BY_PLAN = {plan: kind for kind in RUN_KINDS for plan in kind.plan_names}
CYCLING = RUN_KINDS[0]


def kind_of(run) -> RunKind:
    """The kind of a run (stored or gathered from documents), from its plan_name; a run of
    another plan with potentiostat points (``primary`` with ``Ewe``) is a cycling run."""
    start = run.metadata["start"]
    plan = start.get("plan_name")
    if plan in _BY_PLAN:
        return _BY_PLAN[plan]
    if "primary" in run and "Ewe" in run["primary"].metadata["data_keys"]:
        return CYCLING
    raise BadRequest(
        f"run {start['uid']} ({plan}): no summary for this kind of run; known plans are "
        f"{sorted(_BY_PLAN)}"
    )


def summarize(run) -> Summary:
    """The summary of any run: what the live summary holds, replay prints and ``operando
    report`` writes beside the figures."""
    return kind_of(run).summarize(run)
