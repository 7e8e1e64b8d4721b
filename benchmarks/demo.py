"""``operando demo`` wall time by stage, from its ``[demo k/7, t s]`` progress lines.

The demo runs in a subprocess (the installed ``operando`` of this interpreter) into a
temporary directory; each stage's time is the difference between the elapsed times printed
when it and the next stage begin, the last stage ending at the closing ``[demo] ... N s``
line. There is no in-run baseline for a whole study: the table gives each stage's share of
the total, and the target is absolute (at most 60 s on the 2-core machine).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass

from .common import Row

STAGE_LINE = re.compile(r"^\[demo (\d+)/(\d+),\s*([\d.]+) s\] (.*)$")
END_LINE = re.compile(r"^\[demo\] .*; ([\d.]+) s$")


@dataclass
class DemoResult:
    wall_s: float  # the subprocess, from launch to exit (imports and start-up included)
    stages: list[tuple[str, float]]  # (stage text, seconds)


def parse_stages(stderr: str) -> tuple[list[tuple[str, float]], float]:
    """Stage names and durations (s), and the demo's own total (s), from its stderr."""
    starts: list[tuple[str, float]] = []
    total = None
    for line in stderr.splitlines():
        if m := STAGE_LINE.match(line.strip()):
            starts.append((m.group(4), float(m.group(3))))
        elif m := END_LINE.match(line.strip()):
            total = float(m.group(1))
    if not starts or total is None:
        raise RuntimeError(f"no demo stage lines in its output:\n{stderr[-2000:]}")
    ends = [t for _, t in starts[1:]] + [total]
    return [(text, end - t) for (text, t), end in zip(starts, ends, strict=True)], total


def run(out_dir: str) -> DemoResult:
    command = [sys.executable, "-m", "operando.cli", "demo",
               "--out", out_dir]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    wall_s = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"operando demo failed ({done.returncode}):\n{done.stderr[-2000:]}")
    stages, _ = parse_stages(done.stderr)
    return DemoResult(wall_s, stages)


def rows(r: DemoResult) -> list[Row]:
    out = [Row("operando demo, wall time", r.wall_s, "s", target="<= 60 s")]
    for text, seconds in r.stages:
        out.append(Row(f"  {text[:48]}", seconds, "s", ratio=seconds / r.wall_s,
                       target="(share of total)"))  # fmt: skip
    return out
