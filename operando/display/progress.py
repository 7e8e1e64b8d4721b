"""A one-line progress display for long techniques, fed the run's documents.

For a galvanostatic step it shows where the potential is on its way from the step's first
point to the cutoff the current drives it towards (percent), the instrument time and an
ETA extrapolated from the potential's recent slope; for a timed step (rest, hold) the
percent of its duration; for spectra, the points taken out of the plan's ``num_points``.

    RE.subscribe(ProgressDisplay())        # the session does this

On a terminal the line is rewritten in place; otherwise (a log, the demo in CI) a line is
printed at most every ``log_interval_s`` seconds of wall time.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import numpy as np
from event_model import DocumentRouter

SLOPE_POINTS = 20  # recent potentiostat points used to extrapolate the ETA


def format_duration(seconds: float) -> str:
    """'42 s', '12.5 min', '3.2 h' or '2.1 d'."""
    if not np.isfinite(seconds):
        return "?"
    seconds = max(0.0, float(seconds))
    for limit, unit, scale in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600)):
        if seconds < limit:
            return f"{seconds / scale:.0f} s" if unit == "s" else f"{seconds / scale:.1f} {unit}"
    return f"{seconds / 86400:.1f} d"


def potential_progress(e_start_V: float, e_now_V: float, cutoff_V: float) -> float:
    """Percent of the way from e_start to the cutoff (0..100)."""
    span = cutoff_V - e_start_V
    if span == 0:
        return 100.0
    return float(np.clip(100.0 * (e_now_V - e_start_V) / span, 0.0, 100.0))


def eta_to_cutoff_s(t_s: np.ndarray, ewe_V: np.ndarray, cutoff_V: float) -> float:
    """Instrument seconds until the cutoff at the recent slope of Ewe(t); inf if it is not
    moving towards the cutoff."""
    if t_s.size < 3 or t_s[-1] <= t_s[0]:
        return float("inf")
    slope = np.polyfit(t_s - t_s[-1], ewe_V, 1)[0]  # V/s
    remaining = cutoff_V - ewe_V[-1]
    if slope == 0 or np.sign(slope) != np.sign(remaining):
        return float("inf")
    return float(remaining / slope)


class ProgressDisplay(DocumentRouter):
    """Progress of the current run, written to ``out`` (default: stderr)."""

    def __init__(self, out: TextIO | None = None, log_interval_s: float = 10.0):
        super().__init__()
        self.out = out
        self.log_interval_s = log_interval_s
        self.line = ""  # the latest status, also for tests and the shell's `progress.line`
        self._run: str | None = None  # the run shown
        self._reset()

    def _reset(self) -> None:
        self.params: dict = {}
        self.label = ""
        self._streams: dict[str, str] = {}
        self._descriptors: set[str] = set()  # those of the run shown
        self._step = None
        self._e_step_start = np.nan
        self._t: list[float] = []
        self._e: list[float] = []
        self._points = 0
        self._num_points = None
        self._last_print = -np.inf

    @property
    def _stream(self) -> TextIO:
        return self.out or sys.stderr

    def start(self, doc):
        # The run started last is shown; of runs open at once (two endstations) the others'
        # documents are passed over.
        self._reset()
        self._run = doc["uid"]
        self.params = (doc.get("protocol") or {}).get("parameters", {})
        name = (doc.get("protocol") or {}).get("name") or doc.get("plan_name", "run")
        sample = (doc.get("sample") or {}).get("name")
        self.label = f"{name}" + (f" [{sample}]" if sample else "")
        self._num_points = doc.get("num_points")

    def descriptor(self, doc):
        if doc.get("run_start", self._run) != self._run:
            return
        self._descriptors.add(doc["uid"])
        name = doc.get("name", "primary")
        if name == "primary" and "Ewe" in doc["data_keys"] and "t" in doc["data_keys"]:
            self._streams[doc["uid"]] = "cell"
        elif name not in ("baseline", "dems", "gas"):
            self._streams[doc["uid"]] = "spectra"  # X-ray points (xas_series, rixs, xas_...)

    def event_page(self, doc):
        if doc["descriptor"] not in self._descriptors:
            return  # a page of another run open at the same time
        stream = self._streams.get(doc["descriptor"])
        if stream == "cell":
            self._cell(doc["data"])
        elif stream == "spectra":
            self._points += len(doc["seq_num"])
        self._show()

    def event(self, doc):
        self.event_page({**doc, "data": {k: [v] for k, v in doc["data"].items()},
                         "seq_num": [doc["seq_num"]]})  # fmt: skip

    def _cell(self, data) -> None:
        steps = data.get("step", [None] * len(data["t"]))
        for t, e, step in zip(data["t"], data["Ewe"], steps, strict=True):
            if step != self._step:  # a new step: restart the way to its cutoff
                self._step, self._e_step_start = step, float(e)
                self._t.clear()
                self._e.clear()
            self._t.append(float(t))
            self._e.append(float(e))
        self._current = float(data["I"][-1]) if "I" in data else 0.0
        del self._t[:-SLOPE_POINTS], self._e[:-SLOPE_POINTS]

    def _cutoff(self) -> float | None:
        p = self.params
        if "cutoff_V" in p:
            return float(p["cutoff_V"])
        if "v_max" in p and "v_min" in p and getattr(self, "_current", 0.0) != 0.0:
            return float(p["v_max"] if self._current > 0 else p["v_min"])
        return None

    def status(self) -> str:
        """The status line now."""
        parts = [self.label]
        if self._t:
            t, e = np.array(self._t), np.array(self._e)
            parts.append(f"Ewe {e[-1]:.3f} V")
            cutoff = self._cutoff()
            if cutoff is not None:
                pct = potential_progress(self._e_step_start, e[-1], cutoff)
                eta = eta_to_cutoff_s(t, e, cutoff)
                parts.append(f"{pct:3.0f} % to {cutoff:.2f} V, ETA ~{format_duration(eta)}")
            elif "duration_s" in self.params:
                pct = 100.0 * min(1.0, t[-1] / float(self.params["duration_s"]))
                left = float(self.params["duration_s"]) - t[-1]
                parts.append(f"{pct:3.0f} % of the step, ETA ~{format_duration(left)}")
            parts.append(f"instrument time {format_duration(t[-1])}")
        if self._points:
            total = f"/{self._num_points}" if self._num_points else ""
            parts.append(f"spectra: point {self._points}{total}")
        return " | ".join(parts)

    def _show(self, final: bool = False) -> None:
        self.line = self.status()
        stream = self._stream
        tty = getattr(stream, "isatty", lambda: False)()
        now = time.monotonic()
        if tty:
            stream.write("\r\x1b[2K" + self.line + ("\n" if final else ""))
        elif final or now - self._last_print >= self.log_interval_s:
            stream.write(self.line + "\n")
            self._last_print = now
        else:
            return
        stream.flush()

    def stop(self, doc):
        if doc.get("run_start", self._run) != self._run:
            return
        self._run = None
        self._show(final=True)
        status = doc.get("exit_status", "success")
        if status != "success":
            self._stream.write(f"{self.label}: {status} ({doc.get('reason', '')})\n")
