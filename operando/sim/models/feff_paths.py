"""Single-scattering paths of the Ru K-edge EXAFS, computed ab initio by FEFF.

Each path is one absorber-scatterer pair (Ru-O, Ru-Ru, Ru-Ni, Ru-Cl): the effective
scattering amplitude |f_eff(k)| (A), the total phase 2 delta_c(k) + phi(k) (rad), the
reduction factor of many-body losses and the photoelectron's mean free path lambda(k) (A),
on FEFF's k grid (1/A). ``ru_k.chi`` puts them into the EXAFS equation with the
coordination numbers, distances and disorder of each compound's shells, so the phase and
amplitude vary with k as the scatterer's physics says, not by a constant shift.

The tables are computed by FEFF6 (feff6l, shipped with xraylarch; J. J. Rehr & R. C.
Albers, Rev. Mod. Phys. 72, 621 (2000)) for small clusters of the compounds (the
``CLUSTERS`` below: the RuO6 octahedron of a layered oxide with its edge-sharing
transition-metal neighbours, hcp Ru metal, the RuCl6 octahedron of alpha-RuCl3) and
stored as package data (``ru_k_paths.json``) so the simulator neither runs FEFF nor needs
its binary. A phase and amplitude belong to the pair and change little with the distance,
which is why one table per pair serves every compound with that pair (standard practice
in EXAFS fitting).

Regenerate the tables (needs xraylarch's feff6l): ``python -m operando.sim.models.feff_paths``.
"""

from __future__ import annotations

import functools
import json
import math
import pathlib
import tempfile
from dataclasses import dataclass

import numpy as np

TABLES = pathlib.Path(__file__).with_name("ru_k_paths.json")

# Atomic number of each species in the clusters (FEFF's POTENTIALS card).
_POTENTIALS = {"Ru": 44, "O": 8, "Ni": 28, "Cl": 17, "Li": 3}


def _octahedron(r: float) -> list[tuple[float, float, float]]:
    return [(r, 0, 0), (-r, 0, 0), (0, r, 0), (0, -r, 0), (0, 0, r), (0, 0, -r)]


def _hexagon(r: float) -> list[tuple[float, float, float]]:
    angles = (i * math.pi / 3 + 0.1 for i in range(6))
    return [(r * math.cos(a), r * math.sin(a), 0.0) for a in angles]


def _layered_oxide() -> list[tuple[str, tuple[float, float, float]]]:
    """Ru in the TM layer of a Li-rich layered oxide: six O at 2.00 A, six in-plane
    neighbours at 2.87 A (ideal edge-sharing octahedra: sqrt(2) x Ru-O), Ru, Ni and Li."""
    neighbours = ["Ru", "Ni", "Ru", "Li", "Ru", "Ni"]
    atoms = [("O", p) for p in _octahedron(2.00)]
    atoms += list(zip(neighbours, _hexagon(2.00 * math.sqrt(2)), strict=True))
    return atoms


def _ru_metal() -> list[tuple[str, tuple[float, float, float]]]:
    """hcp Ru (a = 2.706 A, c = 4.282 A): six neighbours in the basal plane at a, six
    above and below at sqrt(a^2/3 + c^2/4) = 2.65 A."""
    a, c = 2.706, 4.282
    atoms = [("Ru", p) for p in _hexagon(a)]
    for z in (c / 2, -c / 2):
        for i in range(3):
            t = (2 * i + (0 if z > 0 else 1)) * math.pi / 3 + math.pi / 6
            r = a / math.sqrt(3)
            atoms.append(("Ru", (r * math.cos(t), r * math.sin(t), z)))
    return atoms


def _rucl3() -> list[tuple[str, tuple[float, float, float]]]:
    """The RuCl6 octahedron of alpha-RuCl3 (Ru-Cl 2.35 A) with an outer shell of Cl for the
    muffin-tin potentials (FEFF6 stops on the sparse honeycomb with its Ru neighbours; their
    Ru-Ru path is the layered oxide's)."""
    atoms = [("Cl", p) for p in _octahedron(2.35)]
    for z, turn in ((2.0, 0.5), (-2.0, 1.5)):
        atoms += [
            ("Cl", (3.3 * math.cos(turn + a), 3.3 * math.sin(turn + a), z))
            for a in (0.0, 2 * math.pi / 3, 4 * math.pi / 3)
        ]
    return atoms


CLUSTERS = {"layered oxide": _layered_oxide, "ru metal": _ru_metal, "rucl3": _rucl3}
# Which cluster's path stands for each pair.
PAIRS = {
    "Ru-O": "layered oxide",
    "Ru-Ni": "layered oxide",
    "Ru-Ru": "layered oxide",
    "Ru-Ru metal": "ru metal",
    "Ru-Cl": "rucl3",
}


@dataclass(frozen=True)
class ScatteringPath:
    """One absorber-scatterer pair; arrays on the k grid (1/A)."""

    pair: str
    reff_A: float  # the distance FEFF computed it at
    k: np.ndarray
    amplitude_A: np.ndarray  # |f_eff(k)|
    phase_rad: np.ndarray  # 2 delta_c(k) + phi(k)
    reduction: np.ndarray  # many-body amplitude reduction
    mean_free_path_A: np.ndarray

    def at(self, k: np.ndarray) -> tuple[np.ndarray, ...]:
        """(amplitude, phase, reduction, mean free path) interpolated at k."""
        return tuple(
            np.interp(k, self.k, column)
            for column in (self.amplitude_A, self.phase_rad, self.reduction, self.mean_free_path_A)
        )


_COLUMNS = ("k", "amplitude_A", "phase_rad", "reduction", "mean_free_path_A")


@functools.cache
def paths() -> dict[str, ScatteringPath]:
    """The tabulated paths, by pair (read once, on first use)."""
    raw = json.loads(TABLES.read_text())
    return {
        pair: ScatteringPath(pair, p["reff_A"], *(np.asarray(p[c], float) for c in _COLUMNS))
        for pair, p in raw["paths"].items()
    }


def _feff_input(title: str, atoms: list[tuple[str, tuple[float, float, float]]]) -> str:
    # ipot 0: the absorber; every species (Ru neighbours included) gets its own ipot.
    ipots = {s: i + 1 for i, s in enumerate(sorted({s for s, _ in atoms}))}
    lines = [f"TITLE {title}", "HOLE 1 1.0", "CONTROL 1 1 1 1", "PRINT 0 0 0 0", "RMAX 3.6"]
    lines += ["POTENTIALS", f"  0 {_POTENTIALS['Ru']} Ru"]
    lines += [f"  {i} {_POTENTIALS[s]} {s}" for s, i in ipots.items()]
    lines += ["ATOMS", "  0.00000 0.00000 0.00000 0 Ru"]
    lines += [f"  {x:.5f} {y:.5f} {z:.5f} {ipots[s]} {s}" for s, (x, y, z) in atoms]
    return "\n".join(lines + ["END", ""])


def compute() -> dict:
    """Run FEFF6 on each cluster and collect the single-scattering path of each pair."""
    from larch.xafs import feff6l  # a development tool: only needed to regenerate
    from larch.xafs.feffdat import FeffDatFile

    found: dict[str, dict] = {}
    for name, build in CLUSTERS.items():
        with tempfile.TemporaryDirectory() as folder:
            inp = pathlib.Path(folder) / "feff.inp"
            inp.write_text(_feff_input(f"Ru K: {name}", build()))
            feff6l(folder=folder, feffinp="feff.inp", verbose=False)
            for dat in sorted(pathlib.Path(folder).glob("feff0*.dat")):
                f = FeffDatFile(str(dat))
                if f.nleg != 2:
                    continue
                scatterer = f.geom[1][0].strip()
                pair = f"Ru-{scatterer}" + (" metal" if name == "ru metal" else "")
                if PAIRS.get(pair) != name or pair in found:
                    continue
                found[pair] = {
                    "reff_A": float(f.reff),
                    "k": f.k.tolist(),
                    "amplitude_A": f.mag_feff.tolist(),
                    "phase_rad": (f.real_phc + f.pha_feff).tolist(),
                    "reduction": f.red_fact.tolist(),
                    "mean_free_path_A": f.lam.tolist(),
                }
    missing = set(PAIRS) - set(found)
    if missing:
        raise RuntimeError(f"FEFF gave no single-scattering path for {sorted(missing)}")
    return {
        "source": "FEFF6 (feff6l of xraylarch), clusters in operando/sim/models/feff_paths.py",
        "paths": found,
    }


def main() -> None:
    TABLES.write_text(json.dumps(compute(), indent=0) + "\n")
    print(f"wrote {TABLES}")


if __name__ == "__main__":
    main()
