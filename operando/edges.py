"""Absorption edges and how to scan them: energies (eV), grids, stations.

What plans scan, the analysis normalises against and the commands accept; it imports
nothing of operando's but the error types.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import BadRequest

ETOK = 0.2624682917  # k^2 (1/A^2) per eV above E0


@dataclass(frozen=True)
class Edge:
    """An absorption edge and how to scan it (energies in eV, k in 1/A)."""

    label: str
    station: str  # "soft" or "hard"
    e0_eV: float
    start_eV: float  # first point
    fine_from_eV: float  # fine steps from here ...
    fine_to_eV: float  # ... to here
    end_eV: float  # last point of the XANES grid (soft) or start of the k grid (hard)
    coarse_step_eV: float
    fine_step_eV: float
    post_step_eV: float = 0.5
    k_max: float = 0.0  # hard X-ray EXAFS: up to this k, 0 for none
    k_step: float = 0.05

    def grid(self, dwell_s: float, max_dwell_factor: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
        """Energies (eV) and dwell times (s) of the scan."""
        pre = np.arange(self.start_eV, self.fine_from_eV, self.coarse_step_eV)
        fine = np.arange(self.fine_from_eV, self.fine_to_eV, self.fine_step_eV)
        if self.k_max <= 0:
            post = np.arange(self.fine_to_eV, self.end_eV + 1e-9, self.post_step_eV)
            energies = np.concatenate([pre, fine, post])
            return energies, np.full(energies.size, dwell_s)
        k_start = np.sqrt(ETOK * (self.fine_to_eV - self.e0_eV))
        k = np.arange(k_start, self.k_max + 1e-9, self.k_step)
        exafs = self.e0_eV + k**2 / ETOK
        energies = np.concatenate([pre, fine, exafs])
        dwell = np.concatenate(
            [
                np.full(pre.size + fine.size, dwell_s),
                dwell_s * np.minimum(k / k_start, max_dwell_factor),  # dwell rising with k
            ]
        )
        return energies, dwell


EDGES: dict[str, Edge] = {
    "ni-l": Edge("Ni L3,2", "soft", 853.0, 845.0, 850.0, 858.0, 880.0, 1.0, 0.1, 0.4),
    "o-k": Edge("O K", "soft", 530.0, 520.0, 526.0, 536.0, 560.0, 0.5, 0.1, 0.5),
    "mn-l": Edge("Mn L3,2", "soft", 643.0, 630.0, 638.0, 658.0, 665.0, 1.0, 0.2, 0.5),
    "ru-k": Edge(
        "Ru K", "hard", 22117.0, 21967.0, 22097.0, 22150.0, 0.0, 5.0, 0.5, k_max=14.0, k_step=0.1
    ),
}


def edge_named(name: str, station: str | None = None) -> Edge:
    """The edge called ``name`` ("ni-l", "ru-k", ...), measured at ``station`` ("soft" or
    "hard") if given; refuses others, naming those that are."""
    edge = EDGES.get(name)
    if edge is None or (station is not None and edge.station != station):
        known = sorted(k for k, e in EDGES.items() if station in (None, e.station))
        where = f"{station} X-ray " if station else ""
        raise BadRequest(f"unknown {where}edge {name!r}; choose one of {known}")
    return edge
