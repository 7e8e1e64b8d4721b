"""Live figures of the current run that also work without a screen.

One figure with four panels: Ewe against specific capacity, dQ/dV, gas evolution rates
(runs with a ``dems`` stream) and the spectrum being measured now (absorption against
photon energy, or the last RIXS emission spectrum). The panels are drawn by the same
functions as the stored-run reports, from the columns gathered so far.

With an interactive matplotlib backend (IPython with a screen) the figure is a pyplot
window that updates; headless (Agg, a server, CI) it is redrawn in memory and
``save(path)`` writes it. Redraws are throttled to one per ``min_interval_s`` of wall time
and one at the end of each run, so plotting never holds up acquisition for long.
"""

from __future__ import annotations

import pathlib
import time

import matplotlib
import numpy as np
from event_model import DocumentRouter
from matplotlib.figure import Figure

from ..analysis.live import ColumnGatherer
from .drawing import draw_cycling, draw_gas

INTERACTIVE_BACKENDS = {"qtagg", "qt5agg", "tkagg", "macosx", "gtk3agg", "gtk4agg", "wxagg",
                        "nbagg", "ipympl", "module://ipympl.backend_nbagg", "widget"}  # fmt: skip


class LivePlots(DocumentRouter):
    """The session's live figure; ``figure`` is a matplotlib Figure."""

    def __init__(self, min_interval_s: float = 2.0):
        super().__init__()
        self.min_interval_s = min_interval_s
        self.figure = self._new_figure()
        self._reset()

    @staticmethod
    def _new_figure() -> Figure:
        if matplotlib.get_backend().lower() in INTERACTIVE_BACKENDS:
            import matplotlib.pyplot as plt

            return plt.figure("operando live", figsize=(11, 8))
        return Figure(figsize=(11, 8))

    def _reset(self) -> None:
        self.start_doc: dict | None = None
        self.primary = ColumnGatherer("primary", ("clock", "t", "Ewe", "I", "step"))
        self.dems = ColumnGatherer("dems", None)
        self._spectrum_streams: dict[str, str] = {}
        self._descriptors: set[str] = set()  # those of the run drawn
        self.spectrum: tuple[np.ndarray, np.ndarray, str] | None = None
        self._energies: list[float] = []
        self._values: list[float] = []
        self._last_draw = -np.inf

    def _gatherers(self):
        return (self.primary, self.dems)

    def start(self, doc):
        # The run started last is drawn; of runs open at once (two endstations) the
        # others' documents are passed over.
        self._reset()
        self.start_doc = doc
        for g in self._gatherers():
            g.start(doc)

    def descriptor(self, doc):
        if self.start_doc is None or doc.get("run_start") != self.start_doc["uid"]:
            return
        self._descriptors.add(doc["uid"])
        for g in self._gatherers():
            g.descriptor(doc)
        keys = doc["data_keys"]
        if any(k.endswith("_spectrum") for k in keys):
            self._spectrum_streams[doc["uid"]] = "rixs"
        elif any(k.endswith("_energy") for k in keys) and "Ewe" not in keys or "scan" in keys:
            self._spectrum_streams[doc["uid"]] = "xas"

    def event_page(self, doc):
        if doc["descriptor"] not in self._descriptors:
            return
        for g in self._gatherers():
            g.event_page(doc)
        kind = self._spectrum_streams.get(doc["descriptor"])
        if kind is not None:
            self._spectra(kind, doc["data"])
        self._maybe_draw()

    def event(self, doc):
        self.event_page({**doc, "data": {k: [v] for k, v in doc["data"].items()},
                         "seq_num": [doc["seq_num"]]})  # fmt: skip

    def _spectra(self, kind: str, data: dict) -> None:
        if kind == "rixs":
            key = next(k for k in data if k.endswith("_spectrum"))
            counts = np.asarray(data[key][-1], float)
            self.spectrum = (np.arange(counts.size), counts, "RIXS spectrum (channel, counts)")
            return
        energy_key = next(k for k in data if k.endswith("_energy"))
        i0_key = next(k for k in data if k.endswith("_i0"))
        if any(k.endswith("_it") for k in data):  # transmission: ln(I0/It)
            it = np.asarray(data[next(k for k in data if k.endswith("_it"))], float)
            y = np.log(np.asarray(data[i0_key], float) / np.maximum(it, 1.0))
            label = "ln(I0/It)"
        else:
            tey = np.asarray(data[next(k for k in data if k.endswith("_tey"))], float)
            y = tey / np.maximum(np.asarray(data[i0_key], float), 1.0)
            label = "TEY/I0"
        for e, v in zip(np.asarray(data[energy_key], float), y, strict=True):
            if self._energies and e < self._energies[-1]:  # a new scan or electrode
                self._energies.clear()
                self._values.clear()
            self._energies.append(float(e))
            self._values.append(float(v))
        self.spectrum = (np.array(self._energies), np.array(self._values), label)

    def stop(self, doc):
        if self.start_doc is not None and doc.get("run_start") == self.start_doc["uid"]:
            self.draw()

    def _maybe_draw(self) -> None:
        if time.monotonic() - self._last_draw >= self.min_interval_s:
            self.draw()

    def draw(self) -> None:
        """Redraw every panel from the data gathered so far."""
        self._last_draw = time.monotonic()
        fig = self.figure
        fig.clear()
        (ax_v, ax_d), (ax_g, ax_s) = fig.subplots(2, 2)
        c = self.primary.columns()
        sample = (self.start_doc or {}).get("sample") or {}
        if c["t"].size > 2 and sample.get("active_mass_mg"):
            draw_cycling(ax_v, ax_d, c, sample["active_mass_mg"] * 1e-3)
        else:
            _empty(ax_v, "no potentiostat data in this run")
            _empty(ax_d, "")
        try:
            if not (self.dems.found and self.primary.found):
                raise ValueError("no gas data")
            draw_gas(ax_g.twinx(), ax_g, c, self.dems.columns(), self.dems.configuration)
        except (KeyError, ValueError, IndexError):
            _empty(ax_g, "gas rates: need a dems stream with 3 samples of rest")
        if self.spectrum is not None:
            x, y, label = self.spectrum
            ax_s.plot(x, y, lw=1)
            ax_s.set_xlabel("photon energy (eV)" if label != "RIXS spectrum (channel, counts)"
                            else "emission channel")  # fmt: skip
            ax_s.set_ylabel(label)
        else:
            _empty(ax_s, "no spectrum yet")
        if self.start_doc:
            fig.suptitle(f"{self.start_doc.get('plan_name', '')}  {sample.get('name', '')}")
        fig.tight_layout()
        if fig.canvas is not None:
            fig.canvas.draw_idle()

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the figure as it is now (PNG)."""
        path = pathlib.Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.figure.savefig(path, dpi=90)
        return path


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.5")
    ax.set_xticks([])
    ax.set_yticks([])
