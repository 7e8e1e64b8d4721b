"""The simulator's Ru K model is physics with its sources: FEFF's scattering paths (a
k-dependent phase and amplitude per pair), Shannon bond lengths, Ru4+ and Ru5+ sites mixed
by the lever rule, the literature's Ru4+ -> Ru5+ edge step; nothing taken from the shifts
or shells that the paper measured on LNRO."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from operando.analysis import exafs, xas
from operando.analysis.xas_valence import half_height_edge
from operando.sim.models import feff_paths, ru_k

# The Ru K grid of the simulated beamline's step scan: 0.5 eV across the edge, constant k
# steps above it.
E = np.concatenate(
    [np.arange(21967.0, 22097.0, 5.0), np.arange(22097.0, 22150.0, 0.5),
     22116.0 + np.arange(np.sqrt(34 * 0.2625), 14.0, 0.1) ** 2 / 0.2625]
)  # fmt: skip


def _normalized(material: str, ru5: float = 0.0) -> xas.Normalized:
    return xas.normalize(E, 0.25 + ru_k.ru_k_mu(E, material, ru5) - 2e-6 * (E - 22000.0))


def _peaks(n: xas.Normalized) -> list[float]:
    return exafs.shell_peaks(*exafs.ft_magnitude(*exafs.chi_k(n)))


def test_each_pair_has_a_k_dependent_phase_and_amplitude_from_feff():
    paths = feff_paths.paths()
    assert set(paths) == set(feff_paths.PAIRS)
    for path in paths.values():
        k = np.linspace(3.0, 12.0, 91)
        amplitude, phase, _, mean_free_path = path.at(k)
        slope = np.gradient(phase, k)
        # Not a constant shift: the phase's slope changes along k by a sizeable fraction.
        assert np.ptp(slope) > 0.1 * np.abs(slope).mean(), path.pair
        assert np.all(amplitude > 0) and np.all(mean_free_path > 2.0)
    # Light O scatters most at low k, heavy Ru at high k (the classic Z contrast).
    k_of_max = {p: float(paths[p].k[np.argmax(paths[p].amplitude_A)]) for p in ("Ru-O", "Ru-Ru")}
    assert k_of_max["Ru-O"] < 6.0 < k_of_max["Ru-Ru"]


def test_the_stored_tables_name_their_source():
    raw = json.loads(feff_paths.TABLES.read_text())
    assert raw["source"].startswith("FEFF6")
    for pair, p in raw["paths"].items():
        assert len(p["k"]) == len(p["phase_rad"]) == len(p["amplitude_A"]) > 40, pair


def test_bond_lengths_follow_the_shannon_radii():
    assert ru_k.ru_o_distance_A(4) == pytest.approx(0.62 + 1.40)
    assert ru_k.ru_o_distance_A(5) < ru_k.ru_o_distance_A(4)
    site = ru_k.layered_oxide_site(4)
    r_tm = {s.pair: s.r_A for s in site.shells}
    assert r_tm["Ru-Ru"] == pytest.approx(math.sqrt(2) * ru_k.ru_o_distance_A(4))


def test_the_edge_moves_by_the_lever_rule_of_the_ru5_fraction():
    base = half_height_edge(_normalized("lnro", 0.0))
    full = half_height_edge(_normalized("lnro", 1.0)) - base
    half = half_height_edge(_normalized("lnro", 0.5)) - base
    assert full == pytest.approx(ru_k.RU5_SITE_SHIFT_EV, abs=0.1)
    assert half == pytest.approx(full / 2, abs=0.15)


def test_references_rise_with_valence_and_lnro_ru4_reads_like_ruo2():
    edges = {m: half_height_edge(_normalized(m)) for m in ("ru", "rucl3", "ruo2")}
    assert edges["ru"] < edges["rucl3"] < edges["ruo2"]
    assert half_height_edge(_normalized("lnro")) == pytest.approx(edges["ruo2"], abs=0.1)


def test_ft_peaks_sit_below_the_distances_by_feffs_phase_and_contract_on_charge():
    """|FT| peaks without phase correction: Ru-O 0.4-0.6 A below the bond (2.02 A), the
    in-plane TM shell 0.2-0.45 A below sqrt(2) x Ru-O; both shorter with Ru5+."""
    (o, tm), (o5, tm5) = _peaks(_normalized("lnro")), _peaks(_normalized("lnro", 1.0))
    r_o = ru_k.ru_o_distance_A(4)
    assert 0.4 < r_o - o < 0.6
    assert 0.2 < math.sqrt(2) * r_o - tm < 0.45
    assert o5 < o and tm5 < tm


def test_the_metal_foil_has_its_first_inflection_at_the_tabulated_edge():
    n = xas.normalize(E, 0.25 + ru_k.metal_mu(E))
    assert n.e0 == pytest.approx(22117.0, abs=0.5)
    strongest = exafs.first_shell_peak(*exafs.ft_magnitude(*exafs.chi_k(n)))
    assert 2.2 < strongest < 2.6  # Ru-Ru 2.65/2.71 A less FEFF's phase


def test_an_unknown_material_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="ru, rucl3, ruo2"):
        ru_k.reference_site("ruo4")


@pytest.mark.slow
def test_feff_regenerates_the_stored_tables():
    fresh = feff_paths.compute()["paths"]
    stored = json.loads(feff_paths.TABLES.read_text())["paths"]
    for pair in stored:
        assert np.allclose(fresh[pair]["phase_rad"], stored[pair]["phase_rad"], atol=1e-3)
        assert np.allclose(fresh[pair]["amplitude_A"], stored[pair]["amplitude_A"], rtol=1e-3)
