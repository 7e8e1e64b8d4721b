"""What the benchmark modules share: a row of the table, resident memory, the sizes."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np


@dataclass
class Row:
    """One line of the table: a measured figure, the baseline it is compared with (same run)
    and their ratio; target says what the issue asks of it."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""

    def cells(self) -> list[str]:
        base = "" if self.baseline is None else f"{fmt(self.baseline)} {self.baseline_label}"
        return [
            self.name,
            "skipped" if self.value is None else f"{fmt(self.value)} {self.unit}",
            base.strip(),
            "" if self.ratio is None else f"{self.ratio:.3f}",
            self.target,
        ]


def fmt(x: float) -> str:
    """A figure with about three significant digits."""
    if x is None or not math.isfinite(x):
        return str(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def rss_mb() -> float:
    """Resident memory of this process now (MB), from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def growth_per_million(trace: list[tuple[int, float]]) -> float | None:
    """Growth of resident memory per million points (MB): the least-squares slope of RSS
    against points over the last three quarters of the run (the warm-up excluded; a slope
    over every page, not a difference of two, so one page's allocator noise does not
    decide it); None with too few pages to tell."""
    if len(trace) < 8:
        return None
    points, mb = np.array(trace[len(trace) // 4 :], dtype=float).T
    if np.ptp(points) <= 0:
        return None
    return float(np.polyfit(points, mb, 1)[0] * 1e6)


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    header = ["measurement", "value", "baseline (same run)", "ratio", "target"]
    lines = [header] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for k, line in enumerate(lines):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
