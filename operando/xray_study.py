"""X-ray measurements as the command line and the demo run them: prepare ex situ electrodes
with the potentiostat, mount them, measure, and summarise from storage.

    run_xas(session, "ru-k", ["lnro:pristine", "lnro:4.8V"])   -> summary dict
    run_rixs(session, "lnmo:4.8V")                              -> summary dict
    exsitu_series(session, out_dir)                             -> the demo's X-ray part
"""

from __future__ import annotations

import pathlib

from .analysis.xray_report import (
    hard_xas_summary,
    rixs_map_of,
    rixs_summary,
    soft_spectra,
    soft_xas_summary,
)
from .edges import check_element_in, resolve_edge
from .electrodes import (
    REFERENCE_NAMES,
    REFERENCE_SLOTS,
    REFERENCE_VALENCE,
    STATES,
    parse_sample,
    prepare_electrode,
)
from .plans.xray import rixs_map, xas_series


def _station(session, edge: str):
    kind = resolve_edge(edge).station
    station = session.soft_xray if kind == "soft" else session.hard_xray
    if station is None:
        raise ValueError(f"this beamline has no {kind} X-ray endstation")
    return station


def check_xas_request(edge: str, samples: list[str]) -> None:
    """Refuse, before anything moves, an unknown edge or a sample without its element."""
    from .materials import load_materials

    resolve_edge(edge)
    known = load_materials()
    for text in samples:
        material, state = parse_sample(text)
        if state != "reference":
            check_element_in(edge, known[material].formula, text)


def mount_samples(
    session, samples: list[str], first_slot: int = 1, c_rate: float = 0.1
) -> dict[str, int]:
    """Prepare and mount each ``material:state`` sample; references go to their positions.

    Returns the holder position of each sample, by its name in the holder.
    """
    parsed = [parse_sample(s) for s in samples]  # refuse bad names before anything moves
    slots: dict[str, int] = {}
    slot = first_slot
    for material, state in parsed:
        if state == "reference":
            slots[REFERENCE_NAMES[material]] = REFERENCE_SLOTS[material]
            continue
        slots[prepare_electrode(session, material, state, slot, c_rate)] = slot
        slot += 1
    return slots


def run_xas(
    session, edge: str, samples: list[str], *, dwell_s: float = 1.0, prep_c_rate: float = 0.1
) -> dict:
    """Measure an edge of the samples in one run (Ru K: with the three Ru references);
    ex situ electrodes are prepared at prep_c_rate (1/h)."""
    check_xas_request(edge, samples)
    station = _station(session, edge)
    hard = resolve_edge(edge).station == "hard"
    ru_k = edge.strip().lower() == "ru-k"
    if ru_k:
        samples = list(samples) + [r for r in REFERENCE_SLOTS if r not in samples]
    slots = mount_samples(session, samples, c_rate=prep_c_rate)
    md = {"references": REFERENCE_VALENCE} if ru_k else {}
    (uid,) = session.RE(xas_series(station, edge, list(slots.values()), dwell_s=dwell_s, md=md))
    run = session.store.run(uid)
    if hard:
        return {"uid": uid, "edge": edge, **hard_xas_summary(run)}
    return {"uid": uid, "edge": edge, "samples": soft_xas_summary(run)}


def run_rixs(session, sample: str, *, exposure_s: float = 10.0) -> dict:
    """An O K RIXS map of one sample and its oxidised-oxygen feature intensity."""
    if session.soft_xray is None:
        raise ValueError("this beamline has no soft X-ray endstation")
    ((name, slot),) = mount_samples(session, [sample]).items()
    (uid,) = session.RE(rixs_map(session.soft_xray, slot, exposure_s=exposure_s))
    return {"uid": uid, "sample": name, **rixs_summary(session.store.run(uid))}


def exsitu_series(session, out: pathlib.Path) -> dict:
    """The paper's ex situ series of both materials: Ni L and O K (TEY, FY), Mn L of LNMO,
    RIXS maps and, for LNRO, the Ru K edge against Ru metal, RuCl3 and RuO2; figures into
    out."""
    from .analysis.report import plot_exsitu_soft, plot_rixs_maps, plot_ru_k
    from .analysis.xray_report import hard_spectra

    materials = ("lnmo", "lnro")
    slots = mount_samples(session, [f"{m}:{s}" for m in materials for s in STATES])
    uids = {}
    for edge in ("ni-l", "o-k"):
        plan = xas_series(session.soft_xray, edge, list(slots.values()))
        (uids[edge],) = session.RE(plan)
    lnmo = [slot for name, slot in slots.items() if name.startswith("lnmo")]  # LNRO has no Mn
    (uids["mn-l"],) = session.RE(xas_series(session.soft_xray, "mn-l", lnmo))
    rixs_uids = {}
    for name, slot in slots.items():
        (rixs_uids[name],) = session.RE(rixs_map(session.soft_xray, slot))
    lnro = [slot for name, slot in slots.items() if name.startswith("lnro")]
    ru = lnro + sorted(REFERENCE_SLOTS.values())
    md = {"references": REFERENCE_VALENCE}
    (uids["ru-k"],) = session.RE(xas_series(session.hard_xray, "ru-k", ru, md=md))

    store = session.store
    ni = soft_xas_summary(store.run(uids["ni-l"]))
    mn = soft_xas_summary(store.run(uids["mn-l"]))
    ru_k = hard_xas_summary(store.run(uids["ru-k"]))
    summary: dict = {m: {"xray": {}} for m in materials}
    for name in slots:
        material, state = name.split(" ", 1)
        rixs = rixs_summary(store.run(rixs_uids[name]))
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
        {edge: soft_spectra(store.run(uids[edge])) for edge in ("ni-l", "o-k", "mn-l")},
        out / "exsitu_soft_xas.png",
    )
    plot_ru_k(hard_spectra(store.run(uids["ru-k"])), out / "ru_k.png")
    maps = {name: rixs_map_of(store.run(uid)) for name, uid in rixs_uids.items()}
    plot_rixs_maps(maps, out / "rixs_maps.png")
    summary["uids"] = {**uids, "rixs": rixs_uids}
    return summary


IN_SITU_TIME_SCALE = 2500.0  # a C/10 LNRO cycle (~18 h, ~26 s) then spans ~10 XANES scans
IN_SITU_C_RATE = 0.1


def in_situ_ru_cycle(session, out: pathlib.Path) -> list[dict]:
    """In situ Ru K XANES through the first LNRO cycle (references in the same run); the
    simulator's clock slows down for it so that each half-cycle spans several scans."""
    from .analysis.report import plot_in_situ
    from .analysis.xray_report import in_situ_summary
    from .plans.in_situ import in_situ_xas_cycling
    from .sample import sample_for

    cell = sample_for("lnro", 3.85, 1.54, name="lnro in situ cell")
    session.assemble_sim_cell(cell)
    refs = {REFERENCE_NAMES[k]: slot for k, slot in REFERENCE_SLOTS.items()}
    scale = session.sim_control.time_scale
    before = scale.get()
    scale.put(IN_SITU_TIME_SCALE, wait=True)
    try:
        plan = in_situ_xas_cycling(
            session.potentiostat, session.hard_xray, cell, c_rate=IN_SITU_C_RATE,
            reference_slots=refs, md={"references": REFERENCE_VALENCE},
        )  # fmt: skip
        (uid,) = session.RE(plan)
    finally:
        scale.put(before, wait=True)
    run = session.store.run(uid)
    scans = in_situ_summary(run)
    plot_in_situ(run, scans, out / "in_situ_ru_k.png")
    return scans
