"""The summary of any run of operando's protocols, and the live callback that computes it.

:func:`summarize` dispatches on the start document's ``plan_name`` and reads the run
through the stored-run interface (``run.metadata``, ``run[stream].read()``). A stored run
from tiled, or a :class:`~operando.analysis.document_run.DocumentRun` gathered from
documents live or in a replay, give the same summary.
"""

from __future__ import annotations

from event_model import DocumentRouter

from .document_run import DocumentRun
from .electrochem import round_floats
from .tables import cycling_summary, gas_summary
from .xray_report import (
    by_cutoff,
    hard_edges,
    hard_xas_summary,
    in_situ_summary,
    rixs_feature_by_cutoff,
    rixs_summary,
    soft_xas_summary,
)

PER_CYCLE_GAS_KEYS = (
    "o2_umol", "co2_umol", "h2_umol", "o2_onset_V", "co2_onset_V", "o2_max_rate_nmol_min",
    "co2_max_rate_nmol_min", "h2_max_rate_nmol_min",
)  # fmt: skip


def cycling_keys(summary: dict) -> dict:
    """The cycling summary without the per-cycle list (first cycle at the top level)."""
    return {k: v for k, v in summary.items() if k != "cycles"}


def gas_keys(summary: dict) -> dict:
    """First-cycle cycling and gas keys, and the gas keys of every cycle under ``cycles``."""
    cycles = [
        {"cycle": n, **{k: c.get(k) for k in PER_CYCLE_GAS_KEYS}}
        for n, c in enumerate(summary["cycles"], 1)
    ]
    return {**cycling_keys(summary), "cycles": cycles}


def _charge_and_measure(run) -> dict:
    """Cycling keys of the whole run, and per measured stream the values at each cutoff."""
    start = run.metadata["start"]
    params = start["protocol"]["parameters"]
    out = {
        "uid": start["uid"],
        **cycling_keys(cycling_summary(run)),
        "cutoffs_V": params["cutoffs_V"],
    }
    for edge in params.get("soft_edges", []):
        stream = "xas_" + edge.replace("-", "_")
        out[stream] = soft_xas_summary(run, edge, stream, by_cutoff)
    for edge in params.get("hard_edges", []):
        stream = "xas_" + edge.replace("-", "_")
        out[stream] = hard_edges(run, stream, by_cutoff)
    if params.get("rixs"):
        out["rixs"] = rixs_feature_by_cutoff(run)
    return out


def summarize(run) -> dict:
    """The summary of a run (floats rounded): what ``operando replay`` prints and what
    ``operando report`` writes beside the figures."""
    start = run.metadata["start"]
    plan, uid = start.get("plan_name"), start["uid"]
    if plan == "dems_cycling":
        summary = gas_keys(gas_summary(run))
    elif plan == "in_situ_xas_cycling":
        summary = {"uid": uid, "in_situ": in_situ_summary(run)}
    elif plan == "charge_and_measure":
        summary = _charge_and_measure(run)
    elif plan == "rixs_map":
        summary = {"uid": uid, **rixs_summary(run)}
    elif plan == "xas_series":
        edge = start["edge"]
        if edge["station"] == "hard":
            summary = {"uid": uid, "edge": edge["name"], **hard_xas_summary(run)}
        else:
            summary = {"uid": uid, "edge": edge["name"], "samples": soft_xas_summary(run)}
    elif "primary" in run and "Ewe" in run["primary"].metadata["data_keys"]:
        summary = cycling_keys(cycling_summary(run))
    else:
        raise ValueError(f"run {uid} ({plan}): no summary for this kind of run")
    return round_floats(summary)


class RunSummary(DocumentRouter):
    """Live (and replay) summary of every run: after its stop document, ``summary`` holds
    :func:`summarize` of the run gathered from its documents (None if it has none)."""

    def __init__(self):
        super().__init__()
        self.run = DocumentRun()
        self.summary: dict | None = None
        self.error: str | None = None  # why the last run has no summary

    def start(self, doc):
        self.summary, self.error = None, None
        self.run.start(doc)

    def descriptor(self, doc):
        self.run.descriptor(doc)

    def event_page(self, doc):
        self.run.event_page(doc)

    def event(self, doc):
        self.run.event(doc)

    def stop(self, doc):
        self.run.stop(doc)
        try:
            self.summary = summarize(self.run)
        except (ValueError, KeyError, IndexError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
