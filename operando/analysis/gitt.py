"""GITT: the chemical diffusion coefficient per current pulse (Weppner-Huggins; pure).

Weppner & Huggins, J. Electrochem. Soc. 124, 1569 (1977): for a pulse of length tau much
shorter than the diffusion time, with the potential rising linearly in sqrt(t),

    D = 4 / (pi tau) (V_M / S)^2 (dE_s / dE_t)^2

where dE_s is the change of the rested (steady) potential across the pulse and dE_t the
change during the pulse without its ohmic and charge-transfer step, here the slope of E
against sqrt(t) over the pulse times sqrt(tau). For spheres of radius r, V_M / S = r / 3.
The particle radius is a parameter of the analysis (from microscopy), not a measured
quantity.

The formula holds only for pulses short against the diffusion time over V_M/S,
tau << (V_M/S)^2 / D, and for a transient that moves the same way as the rested potential.
Each pulse's result is checked against both with its own D: a pulse whose D says
tau > (V_M/S)^2 / D (``SHORT_PULSE_LIMIT``), typically one that crossed a step of the
titration curve (a large dE_s against a small dE_t), or whose dE_s and dE_t differ in sign,
gets no D (None) and the reason in ``weppner_huggins_invalid``, rather than a number that
can be orders of magnitude off. With the formula's own D, D tau / (V_M/S)^2 =
(4/pi) (dE_s/dE_t)^2, so the limit is |dE_s/dE_t| <= sqrt(pi)/2 = 0.89, whatever the radius.

Each rest is also fitted with the spherical-diffusion relaxation after a pulse of length
tau (:mod:`.relaxation`): its time constant r^2/D gives a second D per pulse that does not
need the short-pulse limit of Weppner-Huggins (the rest should last a good share of r^2/D).
"""

from __future__ import annotations

import numpy as np

from .electrochem import li_equivalents
from .relaxation import fit_relaxation

COMPLETE = 0.95  # a pulse that lasted less than this share of the longest is cut short
# Largest D tau / (V_M/S)^2 a Weppner-Huggins result may imply: beyond it the pulse was not
# short against the diffusion time its own D gives, which the formula assumes.
SHORT_PULSE_LIMIT = 1.0


def pulses(t_s: np.ndarray, i_mA: np.ndarray, step: np.ndarray) -> list[np.ndarray]:
    """Indices of the points of each current pulse (a step with a current)."""
    out = []
    for s in np.unique(step):
        idx = np.flatnonzero(step == s)
        if np.any(i_mA[idx] != 0):
            out.append(idx[i_mA[idx] != 0])
    return out


def weppner_huggins_cm2_s(
    tau_s: float, delta_es_V: float, slope_V_sqrt_s: float, radius_um: float
) -> float:
    """D (cm2/s) from the pulse length (s), rested potential step (V), the slope of E
    against sqrt(t) during the pulse (V s^-1/2) and the particle radius (um)."""
    v_over_s_cm = radius_um * 1e-4 / 3.0
    delta_et = slope_V_sqrt_s * np.sqrt(tau_s)
    return float(4.0 / (np.pi * tau_s) * v_over_s_cm**2 * (delta_es_V / delta_et) ** 2)


def weppner_huggins_invalid(
    tau_s: float, delta_es_V: float, delta_et_V: float, d_cm2_s: float, radius_um: float
) -> str | None:
    """Why a pulse's Weppner-Huggins D cannot stand (None if it can): the transient and the
    rested potential moved in opposite directions, or the pulse (tau, s) was not short
    against the diffusion time (V_M/S)^2 / D (s) that its own D implies."""
    if delta_es_V * delta_et_V <= 0:
        return (
            f"dE_s ({delta_es_V:+.4g} V) and dE_t ({delta_et_V:+.4g} V) differ in sign: the "
            "potential did not rise as sqrt(t) with the rested potential"
        )
    diffusion_time_s = (radius_um * 1e-4 / 3.0) ** 2 / d_cm2_s
    if tau_s > SHORT_PULSE_LIMIT * diffusion_time_s:
        return (
            f"the pulse ({tau_s:.4g} s) is not short against the diffusion time its D implies "
            f"((r/3)^2/D = {diffusion_time_s:.3g} s); dE_s/dE_t = {delta_es_V / delta_et_V:.3g} "
            "suggests the pulse crossed a step of the titration curve"
        )
    return None


def gitt_analysis(
    t_s: np.ndarray,
    ewe_V: np.ndarray,
    i_mA: np.ndarray,
    step: np.ndarray,
    *,
    radius_um: float,
    active_mass_mg: float,
    formula: str,
    li_pristine: float,
) -> list[dict]:
    """Per complete pulse: ``pulse``, ``x_li`` (Li per formula unit after it),
    ``diffusion_coefficient_cm2_s`` (Weppner-Huggins; None where the formula's assumptions
    fail, with the reason in ``weppner_huggins_invalid``), ``delta_es_V``, ``delta_et_V``,
    ``rested_V``, and from the rest after it ``relaxation_tau_s`` (r^2/D, s) and
    ``relaxation_diffusion_coefficient_cm2_s`` (None if the rest cannot be fitted)."""
    t_s, ewe_V, i_mA, step = (np.asarray(a, dtype=float) for a in (t_s, ewe_V, i_mA, step))
    found = pulses(t_s, i_mA, step)
    if not found:
        return []
    lengths = [t_s[idx[-1]] - t_s[idx[0]] for idx in found]
    longest = max(lengths)
    q_mAh = np.concatenate(([0.0], np.cumsum(np.diff(t_s) * i_mA[:-1] / 3600.0)))
    out = []
    for n, (idx, tau) in enumerate(zip(found, lengths, strict=True), 1):
        before = idx[0] - 1  # the rested point before the pulse
        rest = np.flatnonzero((step == step[idx[-1]] + 1) & (i_mA == 0))  # the rest after
        if before < 0 or i_mA[before] != 0 or rest.size == 0 or tau < COMPLETE * longest:
            continue
        e0, e1 = ewe_V[before], ewe_V[rest[-1]]
        within = idx[1:]  # after the ohmic and charge-transfer step
        if within.size < 3:
            continue
        root_t = np.sqrt(t_s[within] - t_s[idx[0]])
        slope = float(np.polyfit(root_t, ewe_V[within], 1)[0])
        if slope == 0 or e1 == e0:
            continue
        capacity_mAh_g = q_mAh[rest[-1]] / (active_mass_mg * 1e-3)
        try:
            relax = fit_relaxation(t_s[rest] - t_s[rest[0]], ewe_V[rest], charge_s=tau)
            relax_tau, relax_d = relax.tau_s, relax.diffusion_coefficient_cm2_s(radius_um)
        except ValueError:
            relax_tau = relax_d = None
        d = weppner_huggins_cm2_s(tau, e1 - e0, slope, radius_um)
        delta_et = slope * float(np.sqrt(tau))
        invalid = weppner_huggins_invalid(tau, float(e1 - e0), delta_et, d, radius_um)
        out.append({
            "pulse": n,
            "x_li": li_pristine - li_equivalents(capacity_mAh_g, formula),
            "diffusion_coefficient_cm2_s": None if invalid else d,
            "weppner_huggins_invalid": invalid,
            "delta_es_V": float(e1 - e0),
            "delta_et_V": delta_et,
            "rested_V": float(e1),
            "relaxation_tau_s": relax_tau,
            "relaxation_diffusion_coefficient_cm2_s": relax_d,
        })  # fmt: skip
    return out
