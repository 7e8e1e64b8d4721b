"""The demo's X-ray part: the paper's ex situ series and in situ Ru K of LNRO (simulator).

Xu et al., Nat. Commun. 9, 947 (2018), Figs. 4-6: Ni L and O K (TEY, FY), Mn L of LNMO and
O K RIXS maps of pristine, 4.5 V, 4.8 V and 2.0 V electrodes; Ru K of LNRO against Ru,
RuCl3 and RuO2; Ru K XANES through the first LNRO cycle.
"""

from __future__ import annotations

import pathlib

from ..analysis.xray_report import (
    hard_analysis,
    hard_spectra,
    hard_xas_summary,
    in_situ_summary,
    rixs_map_of,
    rixs_map_summary,
    soft_normalized,
    soft_spectra,
    soft_xas_summary,
)
from ..plans.in_situ import in_situ_xas_cycling
from ..plans.xray import rixs_map, scan_mode, xas_series
from ..plans.xray_together import EdgeSeries, xas_series_together
from ..reports.figures import plot_exsitu_soft, plot_in_situ, plot_rixs_maps, plot_ru_k
from ..sample import Sample
from .electrodes import REFERENCE_NAMES, REFERENCE_SLOTS, REFERENCE_VALENCE, STATES
from .running import simulator_time_scale
from .xray import mount_samples

# A C/10 LNRO cycle (~18 h) then takes ~65 s and spans ~20 XANES scans, the first close to the
# pristine state even on a busy machine (at 2000, one slow scan covered a third of the charge).
IN_SITU_TIME_SCALE = 1000.0
# A fly scan's XANES sweep takes its ~2 min of instrument time whatever the machine's speed,
# and only the read-out between sweeps costs wall time: at 10000 the cycle takes ~7 s and
# still spans tens of scans.
IN_SITU_FLY_TIME_SCALE = 10000.0
IN_SITU_C_RATE = 0.1
# The paper's electrodes were cycled at C/50 (Methods) and harvested at the cutoff: at C/10
# the particles' cores lag their surface (diffusion), and a "2.0 V" electrode still holds
# oxidised lattice oxygen that a C/50 discharge reduces.
EX_SITU_C_RATE = 1 / 50


def exsitu_series(session, out: pathlib.Path, scan: str | None = None) -> dict:
    """The paper's ex situ series of both materials: Ni L and O K (TEY, FY), Mn L of LNMO,
    RIXS maps and, for LNRO, the Ru K edge against Ru metal, RuCl3 and RuO2; figures into
    out. scan: XAS as "fly" or "step" scans (None: fly where the endstation can)."""
    materials = ("lnmo", "lnro")
    samples = [f"{m}:{s}" for m in materials for s in STATES]
    slots = mount_samples(session, samples, c_rate=EX_SITU_C_RATE)
    uids = {}
    for edge in ("ni-l", "o-k"):
        plan = xas_series(session.soft_xray, edge, list(slots.values()), scan=scan)
        (uids[edge],) = session.RE(plan)
    lnmo = [slot for name, slot in slots.items() if name.startswith("lnmo")]  # LNRO has no Mn
    lnro = [slot for name, slot in slots.items() if name.startswith("lnro")]
    ru = lnro + sorted(REFERENCE_SLOTS.values())
    mn_l = EdgeSeries(session.soft_xray, "mn-l", lnmo)
    ru_k = EdgeSeries(session.hard_xray, "ru-k", ru, md={"references": REFERENCE_VALENCE})
    if all(scan_mode(s.station, scan) == "fly" for s in (mn_l, ru_k)):
        # Mn L of the LNMO electrodes (soft) while Ru K of the LNRO ones (hard).
        uids["mn-l"], uids["ru-k"] = session.RE(xas_series_together(mn_l, ru_k))
    else:
        for key, s in (("mn-l", mn_l), ("ru-k", ru_k)):
            (uids[key],) = session.RE(xas_series(s.station, s.edge, s.slots, md=s.md, scan=scan))
    rixs_uids = {}
    for name, slot in slots.items():
        (rixs_uids[name],) = session.RE(rixs_map(session.soft_xray, slot))

    # Each run is read once and serves its summary and its figure.
    store = session.store
    runs = {key: store.run(uid) for key, uid in uids.items()}
    soft = {edge: soft_normalized(runs[edge]) for edge in ("ni-l", "o-k", "mn-l")}
    ni = soft_xas_summary(runs["ni-l"], normalized=soft["ni-l"])
    mn = soft_xas_summary(runs["mn-l"], normalized=soft["mn-l"])
    ru_analysed = hard_analysis(runs["ru-k"])
    ru_k = hard_xas_summary(runs["ru-k"], analysed=ru_analysed)
    maps = {name: rixs_map_of(store.run(uid)) for name, uid in rixs_uids.items()}
    summary: dict = {m: {"xray": {}} for m in materials}
    for name in slots:
        material, state = name.split(" ", 1)
        rixs = rixs_map_summary(maps[name])
        summary[material]["xray"][state] = {
            "ni_l3_ratio_tey": ni[name]["tey"]["ni_l3_ratio"],
            "ni_l3_ratio_fy": ni[name]["fy"]["ni_l3_ratio"],
            "rixs_feature_intensity": rixs["feature_intensity"],
            "rixs_feature_intensity_sigma": rixs["feature_intensity_sigma"],
        }
        if name in mn:
            summary[material]["xray"][state].update(
                mn_l3_centroid_eV_tey=mn[name]["tey"]["mn_l3_centroid_eV"],
                mn_l3_centroid_eV_fy=mn[name]["fy"]["mn_l3_centroid_eV"],
            )
    keys = ("edge_energy_eV", "e0_eV", "valence", "exafs_peaks_A")
    summary["lnro"]["ru_k"] = {
        name.split(" ", 1)[1]: {k: v for k, v in entry.items() if k in keys}
        for name, entry in ru_k["samples"].items()
        if name.startswith("lnro")
    }
    summary["lnro"]["ru_k"]["references"] = {
        name: {k: v for k, v in entry.items() if k in keys}
        for name, entry in ru_k["samples"].items()
        if name in REFERENCE_VALENCE
    }
    summary["lnro"]["ru_k"]["calibration"] = ru_k["calibration"]

    plot_exsitu_soft(
        {edge: soft_spectra(runs[edge], normalized=spectra) for edge, spectra in soft.items()},
        out / "exsitu_soft_xas.png",
    )
    plot_ru_k(hard_spectra(runs["ru-k"], analysed=ru_analysed), out / "ru_k.png")
    plot_rixs_maps(maps, out / "rixs_maps.png")
    summary["uids"] = {**uids, "rixs": rixs_uids}
    return summary


def in_situ_ru_cycle(
    session,
    cell: Sample,
    out: pathlib.Path,
    *,
    time_scale: float | None = None,
    scan: str | None = None,
) -> list[dict]:
    """In situ Ru K XANES through the first cycle of ``cell`` (references in the same run).
    On the simulator, its clock runs at ``time_scale`` meanwhile, so that each half-cycle
    spans several scans (None: IN_SITU_TIME_SCALE for step scans, IN_SITU_FLY_TIME_SCALE
    for fly scans). scan: "fly" or "step" (None: fly where the endstation can)."""
    mode = scan_mode(session.hard_xray, scan)
    if time_scale is None:
        time_scale = IN_SITU_FLY_TIME_SCALE if mode == "fly" else IN_SITU_TIME_SCALE
    session.assemble_sim_cell(cell)
    refs = {REFERENCE_NAMES[k]: slot for k, slot in REFERENCE_SLOTS.items()}
    with simulator_time_scale(session, time_scale):
        plan = in_situ_xas_cycling(
            session.potentiostat, session.hard_xray, cell, c_rate=IN_SITU_C_RATE,
            reference_slots=refs, md={"references": REFERENCE_VALENCE}, scan=mode,
        )  # fmt: skip
        (uid,) = session.RE(plan)
    run = session.store.run(uid)
    scans = in_situ_summary(run)
    plot_in_situ(run, scans, out / "in_situ_ru_k.png")
    return scans
