"""The benchmark command runs end to end (a smoke run: no timing thresholds)."""

import json
import math
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEYS = ("acquisition_overhead_ratio", "xray_points_per_s", "replay_docs_per_s",
        "replay_ratio_vs_jsonl", "reanalysis_ratio_vs_parquet")  # fmt: skip


@pytest.mark.slow
def test_quick_benchmark_prints_every_figure():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    for key in KEYS:
        assert math.isfinite(result[key]) and result[key] > 0, (key, result[key])
    # Memory may legitimately shrink along a short run: finite, of either sign.
    assert "rss_growth_mb_per_million_points" in result
    rss = result["rss_growth_mb_per_million_points"]
    assert rss is None or math.isfinite(rss)
    assert result["demo_wall_s"] is None  # not run without --demo
