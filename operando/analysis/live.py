"""Live callbacks: gather a run's columns from its documents and call the pure analysis.

The same callback objects run live (subscribed to the RunEngine) and in replay (fed the
documents of a stored run), so both give the same numbers.
"""

from __future__ import annotations

import numpy as np
from event_model import DocumentRouter

from .electrochem import round_floats, summarize_cycling
from .gas import Calibration, summarize_gas


class ColumnGatherer(DocumentRouter):
    """Collect the columns of one stream of the current run, ordered by seq_num.

    keys : the data keys to keep; None keeps every numeric key of the stream. The
    stream's configuration (from its descriptor) is kept in ``configuration``.
    """

    def __init__(self, stream: str, keys: tuple[str, ...] | None):
        super().__init__()
        self.stream = stream
        self._wanted = keys
        self.keys: tuple[str, ...] = keys or ()
        self.start_doc: dict | None = None
        self.configuration: dict = {}
        self._descriptors: set[str] = set()
        self._chunks: list[dict[str, np.ndarray]] = []

    def start(self, doc):
        self.start_doc = doc
        self.keys = self._wanted or ()
        self.configuration = {}
        self._descriptors.clear()
        self._chunks.clear()

    def descriptor(self, doc):
        # A stream of this name without the wanted keys (a scan's primary) is not ours.
        missing = set(self._wanted or ()) - set(doc["data_keys"])
        if doc.get("name") == self.stream and not missing:
            self._descriptors.add(doc["uid"])
            self.configuration = doc.get("configuration", {})
            if self._wanted is None:
                self.keys = tuple(
                    k for k, v in doc["data_keys"].items() if v["dtype"] in ("number", "integer")
                )

    @property
    def found(self) -> bool:
        """Whether the current run has this stream with the wanted keys."""
        return bool(self._descriptors)

    def event_page(self, doc):
        if doc["descriptor"] not in self._descriptors:
            return
        chunk = {k: np.asarray(doc["data"][k], dtype=float) for k in self.keys}
        chunk["seq_num"] = np.asarray(doc["seq_num"], dtype=float)
        self._chunks.append(chunk)

    def event(self, doc):
        # Single events (replay may deliver them one by one) join as one-row pages.
        if doc["descriptor"] in self._descriptors:
            self.event_page(
                {
                    "descriptor": doc["descriptor"],
                    "data": {k: [doc["data"][k]] for k in self.keys},
                    "seq_num": [doc["seq_num"]],
                }
            )

    def columns(self) -> dict[str, np.ndarray]:
        """The stream's columns so far, sorted by seq_num."""
        if not self._chunks:
            return {k: np.empty(0) for k in self.keys}
        if len(self._chunks) > 1:  # consolidate so that repeated calls stay cheap
            merged = {k: np.concatenate([c[k] for c in self._chunks]) for k in self._chunks[0]}
            self._chunks[:] = [merged]
        cols = self._chunks[0]
        order = np.argsort(cols["seq_num"], kind="stable")
        return {k: cols[k][order] for k in self.keys}


class CyclingAnalysis(ColumnGatherer):
    """Capacities, coulombic efficiency, Li equivalents and dQ/dV of a cycling run.

    After the stop document, ``summary`` holds the first-cycle keys (charge/discharge
    capacity in mAh/g, CE in %, Li removed/inserted, dQ/dV peaks in V strongest first),
    ``cycles`` with every cycle, and ``uid``.
    """

    def __init__(self):
        super().__init__("primary", ("t", "Ewe", "I", "step"))
        self.summary: dict | None = None

    def start(self, doc):
        super().start(doc)
        self.summary = None

    def stop(self, doc):
        # Only runs with potentiostat points have a cycling summary.
        self.summary = self.compute() if self.found else None

    def compute(self) -> dict:
        if self.start_doc is None:
            raise RuntimeError("no run has started")
        return run_cycling_summary(self.start_doc, self.columns())


def run_cycling_summary(start_doc: dict, columns: dict[str, np.ndarray]) -> dict:
    """The cycling summary of a run from its start document and primary columns
    (t s, Ewe V, I mA, step); floats rounded for reporting, ``uid`` added."""
    sample = start_doc.get("sample") or {}
    if "active_mass_mg" not in sample or "formula" not in sample:
        raise ValueError("the run's start document lacks sample.active_mass_mg/formula")
    result = summarize_cycling(
        columns["t"],
        columns["Ewe"],
        columns["I"],
        step=columns["step"],
        active_mass_mg=sample["active_mass_mg"],
        formula=sample["formula"],
    )
    return {"uid": start_doc["uid"], **round_floats(result)}


class GasAnalysis(DocumentRouter):
    """Cycling plus DEMS gas evolution of a run with ``primary`` and ``dems`` streams.

    After the stop document, ``summary`` holds the cycling summary (first cycle at the top
    level) merged with the gas summary: per cycle amounts (umol), onset potentials (V) and
    peak rates (nmol/min) of O2, CO2 and H2, and for the first cycle lattice oxygen lost
    (%), O2 capacity and irreversible capacity (mAh/g). None for runs without gas data.

    electrons_per_o2 : electrons each O2 molecule carried away (4 for 2 O2- -> O2 + 4 e-).
    """

    def __init__(self, electrons_per_o2: float = 4.0):
        super().__init__()
        self.electrons_per_o2 = electrons_per_o2
        self.primary = ColumnGatherer("primary", ("clock", "t", "Ewe", "I", "step"))
        self.dems = ColumnGatherer("dems", None)
        self.summary: dict | None = None

    def _both(self, name: str, doc) -> None:
        getattr(self.primary, name)(doc)
        getattr(self.dems, name)(doc)

    def start(self, doc):
        self.summary = None
        self._both("start", doc)

    def descriptor(self, doc):
        self._both("descriptor", doc)

    def event_page(self, doc):
        self._both("event_page", doc)

    def event(self, doc):
        self._both("event", doc)

    def stop(self, doc):
        if not (self.dems.configuration and self.primary.found):
            return  # not a gas run
        self.summary = run_gas_summary(
            self.primary.start_doc, self.primary.columns(), self.dems.columns(),
            self.dems.configuration, electrons_per_o2=self.electrons_per_o2,
        )  # fmt: skip


def run_gas_summary(
    start_doc: dict, primary: dict[str, np.ndarray], dems: dict[str, np.ndarray],
    dems_configuration: dict, *, electrons_per_o2: float = 4.0,
) -> dict:  # fmt: skip
    """Cycling and gas summary of a run from its start document, primary and dems columns
    and the dems stream's configuration (the calibration); floats rounded, ``uid`` added."""
    cycling = run_cycling_summary(start_doc, primary)
    sample = start_doc["sample"]
    gas = round_floats(
        summarize_gas(
            primary,
            dems,
            Calibration.from_configuration(dems_configuration),
            active_mass_mg=sample["active_mass_mg"],
            formula=sample["formula"],
            electrons_per_o2=electrons_per_o2,
        )
    )
    merged_cycles = [{**c, **g} for c, g in zip(cycling["cycles"], gas["cycles"], strict=False)]
    first = {k: v for k, v in gas.items() if k != "cycles"}
    first.update(gas["cycles"][0] if gas["cycles"] else {})
    return {**cycling, **first, "cycles": merged_cycles}
