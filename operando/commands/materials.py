"""``operando materials``: the materials a sample can name (built in, and a lab's own)."""

from __future__ import annotations

import argparse
import json


def cmd_materials(args: argparse.Namespace) -> int:
    from ..materials import load_materials
    from ..studies.samples import simulated_materials

    simulated = set(simulated_materials())
    rows = [
        {
            "name": m.name,
            "formula": m.formula,
            "molar_mass_g_mol": round(m.molar_mass_g_mol, 3),
            "capacity_mAh_g": round(m.capacity_mAh_g, 1),  # 1C, per transferable electron
            "simulated": m.name in simulated,
            "source": m.source,
        }
        for m in sorted(load_materials(args.materials_dir).values(), key=lambda m: m.name)
    ]
    if args.json:
        print(json.dumps({"materials": rows}))
        return 0
    for r in rows:
        sim = "simulator" if r["simulated"] else "real instruments only"
        print(f"{r['name']:<12} {r['formula']:<22} {r['capacity_mAh_g']:>7} mAh/g (1C)  {sim}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("materials", help="list the materials a sample can name")
    p.add_argument("--materials-dir", help="also a directory of the lab's material TOML files")
    p.add_argument("--json", action="store_true", help='print {"materials": [...]}')
    p.set_defaults(func=cmd_materials)
