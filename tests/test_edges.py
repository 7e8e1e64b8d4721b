"""Edges of any element (xraydb) and the generic simulated absorption."""

import numpy as np
import pytest
import xraydb

from operando.edges import check_element_in, resolve_edge
from operando.errors import BadRequest
from operando.plans.checks import state_steps
from operando.sim.models.materials import MATERIALS
from operando.sim.models.xas_generic import element_valence, mass_mu
from operando.sim.models.xray import ElectrodeState
from operando.studies.electrodes import parse_sample


def test_paper_edges_keep_their_grids_and_any_edge_resolves():
    from operando.plans.xray import EDGES

    assert resolve_edge("ru-k") is EDGES["ru-k"]
    co = resolve_edge("co-k")
    assert co.station == "hard" and co.e0_eV == xraydb.xray_edge("Co", "K").energy
    energies, dwell = co.grid(1.0)
    k = np.sqrt(0.2624683 * (energies[energies > co.e0_eV + 31] - co.e0_eV))
    assert np.allclose(np.diff(k), 0.1, atol=1e-6)  # EXAFS in constant k steps
    assert dwell[-1] > dwell[0]  # dwell rising with k
    assert resolve_edge("fe-l3").station == "soft"
    assert resolve_edge("co-k", {"k_max": 14}).k_max == 14.0
    with pytest.raises(BadRequest):
        resolve_edge("co-q")
    with pytest.raises(BadRequest, match="unknown settings"):
        resolve_edge("co-k", {"colour": 1})


def test_element_absent_refused():
    check_element_in("co-k", "LiCoO2", "lco:pristine")
    with pytest.raises(BadRequest, match="no Ru"):
        check_element_in("ru-k", "LiCoO2", "lco:pristine")


def test_states():
    assert parse_sample("lco:4.2V") == ("lco", "4.2V")
    assert parse_sample("lfp:4.0v-2.5v") == ("lfp", "4.0V-2.5V")
    assert state_steps("2.0V", "lnmo") == (4.8, 2.0)  # the paper's meaning
    assert state_steps("4.2V", "lco") == (4.2, None)
    assert state_steps("4.8V-2.0V", "nmc811") == (4.8, 2.0)
    with pytest.raises(BadRequest):
        parse_sample("lco:charged")
    with pytest.raises(BadRequest):
        parse_sample("lco:2.0V-4.0V")


def _charged(name: str, cutoff: float) -> ElectrodeState:
    x = {p.name: float(p.e_charge_V < cutoff) for p in MATERIALS[name].processes}
    return ElectrodeState("charged", name, x, {})


def _half_height(e, mu):
    n = (mu - mu[0]) / (mu[-1] - mu[0])
    return e[np.argmax(n >= 0.5)]


@pytest.mark.parametrize("name, el, cutoff", [("lco", "Co", 4.2), ("lfp", "Fe", 4.0),
                                              ("nmc811", "Ni", 4.3)])  # fmt: skip
def test_generic_edge_shifts_with_oxidation_state(name, el, cutoff):
    e0 = xraydb.xray_edge(el, "K").energy
    e = np.arange(e0 - 30, e0 + 40, 0.25)
    pristine = ElectrodeState("pristine", name, {}, {})
    charged = _charged(name, cutoff)
    assert element_valence(charged, el) > element_valence(pristine, el)
    shift = _half_height(e, mass_mu(e, charged)) - _half_height(e, mass_mu(e, pristine))
    assert 1.0 <= shift <= 4.0
    assert abs(_half_height(e, mass_mu(e, pristine)) - e0) < 15.0
    # the jump comes from tabulated cross-sections: well above the pre-edge
    assert mass_mu([e0 + 50], pristine)[0] > 2 * mass_mu([e0 - 50], pristine)[0]
