"""What a user watches while a run goes on: a progress line and live figures."""

from .live_plots import LivePlots
from .progress import ProgressDisplay

__all__ = ["LivePlots", "ProgressDisplay"]
