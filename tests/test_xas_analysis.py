"""XAS normalisation, E0 and EXAFS against xraylarch run directly, on simulated Ru K spectra
and on every measured file of tests/data/xas (see data/README.md)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from larch import Group
from larch import xafs as larch_xafs

from operando.analysis import exafs, xas
from operando.analysis.xas_valence import half_height_edge
from operando.errors import BadRequest
from operando.io.xas_files import read_spectrum
from operando.sim.models.xray import REFERENCES, ElectrodeState, ru_k_mu

DATA = pathlib.Path(__file__).resolve().parent / "data" / "xas"
FILES = sorted(DATA.glob("*/*.xdi"))


def _larch(energy, mu, **kwargs):
    g = Group(energy=np.asarray(energy, float), mu=np.asarray(mu, float))
    larch_xafs.pre_edge(g, **kwargs)
    return g


def _ru_spectrum(x: float) -> tuple[np.ndarray, np.ndarray]:
    e = np.concatenate(
        [np.arange(21967.0, 22097.0, 5.0), np.arange(22097.0, 22150.0, 0.5),
         22116.0 + np.arange(np.sqrt(34 * 0.2625), 14.0, 0.1) ** 2 / 0.2625]
    )  # fmt: skip
    state = ElectrodeState("lnro", "lnro", {"Ru4+/Ru5+": x}, {})
    return e, 0.25 + ru_k_mu(e, state) - 2e-6 * (e - 22000.0)


def test_every_shared_file_is_here():
    # V 5, Fe 4, Cr 5, Cu 4, Ni 3, formats 2 (copies of ../shared/data/xas, data/README.md)
    assert len(FILES) == 23


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_normalised_mu_within_0_02_of_larch_with_the_same_parameters(path):
    s = read_spectrum(path)
    ours = xas.normalize(s.energy_eV, s.mu)
    g = _larch(ours.energy, ours.mu, e0=ours.e0, **ours.ranges)
    # Same engine, same parameters: the normalised spectra agree to rounding; our E0
    # (larch's find_e0 on the sorted, de-duplicated scan) is larch's.
    assert np.max(np.abs(ours.norm - g.norm)) < 0.02
    assert np.max(np.abs(xas.flattened(ours) - g.flat)) < 0.02
    assert ours.edge_step == pytest.approx(g.edge_step, rel=1e-6)
    assert xas.find_e0(s.energy_eV, s.mu) == pytest.approx(_larch(ours.energy, ours.mu).e0)


@pytest.mark.parametrize("x", [0.0, 1.0])
def test_simulated_ru_k_normalises_like_larch(x):
    e, mu = _ru_spectrum(x)
    g = _larch(e, mu)
    ours = xas.normalize(e, mu)
    assert ours.e0 == pytest.approx(g.e0, abs=1e-6)
    assert np.max(np.abs(ours.norm - g.norm)) < 0.02


def test_ru_k_edge_shift_and_shells_of_lnro_through_the_analysis():
    """Simulated LNRO through the analysis chain (autobk + xftf, Athena's defaults): the
    half-height edge moves up with Ru5+, |FT| shows a Ru-O shell near 1.4-1.5 A and a
    Ru-TM shell beyond it, both shorter when charged."""
    (e, mu4), (_, mu5) = _ru_spectrum(0.0), _ru_spectrum(1.0)
    n4, n5 = xas.normalize(e, mu4), xas.normalize(e, mu5)
    assert 1.0 < half_height_edge(n5) - half_height_edge(n4) < 2.0
    (o, tm), (o5, tm5) = (exafs.shell_peaks(*exafs.ft_magnitude(*exafs.chi_k(n))) for n in (n4, n5))
    assert o == pytest.approx(1.45, abs=0.1) and 2.2 < tm < 2.8
    assert o5 < o and tm5 < tm


def test_xanes_only_scan_normalises_and_says_what_it_covers():
    """V2O5 cut at E0 + 86 eV (the issue's example): larch's adaptive ranges normalise it
    (a line over +25..+85 eV: the step is 15 % larger than with the full scan's quadratic,
    measured, as any XANES-only normalisation is); a scan that stops at the edge is
    refused with what it covers."""
    s = read_spectrum(DATA / "V" / "V2O5.xdi")
    full = xas.normalize(s.energy_eV, s.mu)
    keep = s.energy_eV < full.e0 + 86.0
    short = xas.normalize(s.energy_eV[keep], s.mu[keep])
    assert short.ranges["norm2"] <= 86.0 and short.ranges["nnorm"] <= 1
    edge = (full.energy > full.e0 - 10) & (full.energy < full.e0 + 40)
    difference = np.interp(full.energy[edge], short.energy, short.norm) - full.norm[edge]
    assert np.max(np.abs(difference)) < 0.2
    assert short.edge_step == pytest.approx(full.edge_step, rel=0.2)
    # measured: 0.41 eV higher (the larger step moves the half-height point up the edge)
    assert half_height_edge(short) == pytest.approx(half_height_edge(full), abs=0.5)
    stop = s.energy_eV < full.e0 + 8.0
    with pytest.raises(BadRequest, match=r"no post-edge.*the scan covers .* eV around E0"):
        xas.normalize(s.energy_eV[stop], s.mu[stop])
    with pytest.raises(BadRequest, match=r"post-edge range \[\+150, \+400\] eV holds 0 points"):
        xas.normalize(s.energy_eV[keep], s.mu[keep], norm1=150, norm2=400)


def test_an_absorption_that_falls_across_the_edge_is_refused():
    s = read_spectrum(DATA / "Fe" / "Fe2O3_rt_01.xdi")
    with pytest.raises(BadRequest, match="not positive"):
        xas.normalize(s.energy_eV, -s.mu)


@pytest.mark.parametrize(
    "path", [DATA / "V" / "V2O5.xdi", DATA / "Fe" / "Fe2O3_rt_01.xdi"], ids=lambda p: p.stem
)
def test_first_shell_peak_matches_larch_xftf_on_the_same_parameters(path):
    """Our pipeline (reader, normalize, chi_k, ft_magnitude) against larch's own
    pre_edge/autobk/xftf with rbkg 1, kweight 2, Hanning window dk 1, k 3-12."""
    s = read_spectrum(path)
    n = xas.normalize(s.energy_eV, s.mu)
    r, magnitude = exafs.ft_magnitude(*exafs.chi_k(n))
    ours = exafs.first_shell_peak(r, magnitude)
    g = Group(energy=s.energy_eV, mu=s.mu)
    larch_xafs.autobk(g, rbkg=1.0, kweight=2)
    larch_xafs.xftf(g, kmin=3, kmax=12, dk=1, kweight=2, window="hanning")
    inside = g.r > 0.9
    theirs = float(g.r[inside][np.argmax(g.chir_mag[inside])])
    assert ours == pytest.approx(theirs, abs=0.05)
    assert 1.0 < ours < 2.0  # the metal-oxygen shell, without phase correction


def test_fourier_transform_finds_a_single_shell_where_it_was_put():
    k = np.arange(0.0, 15.0, 0.05)
    r_true, phase_shift = 2.5, 0.3  # A; the FT peak sits phase_shift below r_true
    chi = np.exp(-0.01 * k**2) * np.sin(2 * k * (r_true - phase_shift)) / np.maximum(k, 1)
    r, magnitude = exafs.ft_magnitude(k, chi)
    assert exafs.shell_peaks(r, magnitude, n=1)[0] == pytest.approx(r_true - phase_shift, abs=0.02)
    assert REFERENCES["ruo2"].ru_valence == 4.0


def test_exafs_refuses_a_xanes_only_scan():
    s = read_spectrum(DATA / "V" / "V2O5.xdi")
    keep = s.energy_eV < 5500.0
    n = xas.normalize(s.energy_eV[keep], s.mu[keep])
    with pytest.raises(BadRequest, match="no EXAFS"):
        exafs.chi_k(n)
