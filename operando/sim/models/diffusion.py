"""Solid-state diffusion of Li in spherical particles: a few-shell finite-volume model.

The particle (radius r) is cut into ``n`` shells of equal thickness. Each shell holds a
concentration, counted as oxidised charge per gram of active material (mAh/g) so that the
volume-weighted mean is the charge the particles have taken. Fick's law between shells,

    V_k du_k/dt = G_k (u_{k+1} - u_k) - G_{k-1} (u_k - u_{k-1}),  G_k = 3 rho_k^2 / d_rho,

in the dimensionless radius rho = r_phys / r (volumes V_k = rho_{k+1}^3 - rho_k^3, which sum
to one), times D / r^2; the current enters the outer shell. The linear system is solved
exactly for a constant current over a step of any length through its eigenmodes (symmetric
after scaling by V^1/2), so long steps are as stable as short ones. Only the deviation of
the surface shell from the particle mean is kept (the mean mode is the charge itself, which
the cell's redox processes hold): ``surface_excess`` in mAh/g.

Checks (see tests): at constant current the surface excess tends to ``r^2/(15 D) * i`` (the
parabolic profile of Subramanian et al., J. Electrochem. Soc. 152, A2002 (2005)); at rest
it decays with the slowest mode, ``exp(-4.4934^2 D t / r^2)`` (first root of tan x = x).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

LAMBDA1_SQUARED = 4.493409457909064**2  # first non-zero eigenvalue of the sphere, x D / r^2


@lru_cache(maxsize=8)
def _modes(n: int) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Eigenvalues (per D/r^2), input weights and surface read-out of the non-zero modes."""
    edges = np.linspace(0.0, 1.0, n + 1)
    volumes = edges[1:] ** 3 - edges[:-1] ** 3
    d_rho = 1.0 / n
    g = 3.0 * edges[1:-1] ** 2 / d_rho  # conductance of the faces between shells
    k = np.zeros((n, n))
    for j, gj in enumerate(g):
        k[j, j] += gj
        k[j + 1, j + 1] += gj
        k[j, j + 1] -= gj
        k[j + 1, j] -= gj
    m_half = np.sqrt(volumes)
    s = k / np.outer(m_half, m_half)
    lam, q = np.linalg.eigh(s)
    drive = q[-1, :] / m_half[-1]  # Q^T M^-1/2 e_N: the current enters the outer shell
    readout = q[-1, :] / m_half[-1]  # u_N = (M^-1/2 Q w)_N
    keep = lam > 1e-9 * lam.max()  # drop the mean mode (the charge itself)
    return tuple(lam[keep]), tuple(drive[keep]), tuple(readout[keep])


class SphereDiffusion:
    """Concentration deviation inside a spherical particle, in mAh/g, advanced exactly."""

    def __init__(self, n_shells: int = 10):
        self.n_shells = n_shells
        self.lam, self.drive, self.readout = (np.array(a) for a in _modes(n_shells))
        self.w = np.zeros(self.lam.size)
        self.gradient = 0.0  # (du/drho at the surface) * d_rho / 2 of the last step, mAh/g

    @property
    def slowest_rate(self) -> float:
        """The model's slowest decay rate, per D/r^2 (4.4934^2 = 20.19 for the sphere)."""
        return float(self.lam.min())

    def step(self, rate_mAh_g_s: float, h_s: float, d_over_r2_per_s: float) -> None:
        """Let charge enter the particles at rate_mAh_g_s (mAh/g per s) for h_s seconds."""
        if h_s <= 0:
            return
        # The surface lies half a shell beyond the outer shell's centre: the flux there,
        # i r^2 / (3 D), times d_rho / 2, extrapolates the outer shell to the surface.
        self.gradient = rate_mAh_g_s / d_over_r2_per_s / (6.0 * self.n_shells)
        a = self.lam * d_over_r2_per_s
        decay = np.exp(-a * h_s)
        self.w = self.w * decay + self.drive * rate_mAh_g_s * (-np.expm1(-a * h_s)) / a

    def response(self, h_s: float, d_over_r2_per_s: float) -> tuple[float, float]:
        """(A, B): the surface excess after h_s seconds at a constant rate i is A + B i
        (A in mAh/g, B in mAh/g per mAh/g/s); for an implicit step."""
        a = self.lam * d_over_r2_per_s
        decay = np.exp(-a * h_s)
        free = float(self.readout @ (self.w * decay))
        gain = float(self.readout @ (self.drive * (-np.expm1(-a * h_s)) / a))
        return free, gain + 1.0 / (d_over_r2_per_s * 6.0 * self.n_shells)

    @property
    def surface_excess(self) -> float:
        """Surface concentration minus the particle mean (mAh/g)."""
        return float(self.readout @ self.w) + self.gradient

    def state(self) -> tuple:
        return self.w.copy(), self.gradient

    def set_state(self, state: tuple) -> None:
        w, self.gradient = state
        self.w = w.copy()

    def reset(self) -> None:
        self.w[:] = 0.0
        self.gradient = 0.0


def steady_surface_excess(rate_mAh_g_s: float, diffusion_time_s: float) -> float:
    """Parabolic-profile surface excess r^2/(15 D) * i (mAh/g) at a constant rate."""
    return diffusion_time_s / 15.0 * rate_mAh_g_s


def relaxation_time_s(diffusion_time_s: float) -> float:
    """Time constant of the slowest mode at open circuit: r^2 / (4.4934^2 D)."""
    return diffusion_time_s / LAMBDA1_SQUARED if math.isfinite(diffusion_time_s) else math.inf
