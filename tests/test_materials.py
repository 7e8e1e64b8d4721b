"""Materials: formula -> molar mass and 1C; built-in and user TOML files; simulator refusal."""

import pytest
import xraydb

from operando.errors import BadRequest
from operando.materials import load_materials, molar_mass, parse_formula, resolve_material
from operando.sample import sample_for
from operando.studies.samples import refuse_unsimulated, study_sample


def test_molar_mass_from_xraydb_weights():
    expected = xraydb.atomic_mass("Li") + xraydb.atomic_mass("Co") + 2 * xraydb.atomic_mass("O")
    assert molar_mass("LiCoO2") == pytest.approx(expected)
    assert parse_formula("Li1.2Ni0.2Mn0.6O2") == {"Li": 1.2, "Ni": 0.2, "Mn": 0.6, "O": 2.0}


@pytest.mark.parametrize("bad", ["LiXx2", "licoo2", "Li(CoO2", ""])
def test_bad_formula_refused(bad):
    with pytest.raises(BadRequest):
        parse_formula(bad)


def test_builtin_capacities_and_one_c():
    m = load_materials()
    assert {"lnmo", "lnro", "lco", "nmc811", "lfp", "lnmo-spinel"} <= set(m)
    assert m["lfp"].capacity_per_li_mAh_g == pytest.approx(169.9, abs=0.2)  # F / 157.76 g/mol
    assert m["lco"].one_c == pytest.approx(0.5 * 273.8, abs=0.3)  # half the Li
    assert m["lnmo"].one_c == 250.0  # the Li-rich convention
    assert m["lnmo-spinel"].capacity_mAh_g == pytest.approx(146.7, abs=0.2)


def test_formula_resolves_to_known_material_or_new_one():
    assert resolve_material(formula="LiFePO4").name == "lfp"
    new = resolve_material(formula="LiNi0.6Mn0.2Co0.2O2")
    assert new.name == "LiNi0.6Mn0.2Co0.2O2"
    assert new.one_c == pytest.approx(new.capacity_per_li_mAh_g)
    with pytest.raises(BadRequest, match="known materials"):
        resolve_material("nope")
    with pytest.raises(BadRequest, match="exactly one"):
        resolve_material("lco", "LiCoO2")


def test_user_materials_directory(tmp_path):
    (tmp_path / "nca.toml").write_text(
        'name = "nca"\nformula = "LiNi0.8Co0.15Al0.05O2"\ntransferable_electrons = 0.7\n'
    )
    sample = sample_for("nca", 3.0, 1.54, materials_dir=str(tmp_path))
    assert sample.formula == "LiNi0.8Co0.15Al0.05O2"
    assert sample.molar_mass_g_mol == pytest.approx(molar_mass(sample.formula), abs=1e-3)
    assert set(sample.as_metadata()) == {
        "name", "material", "formula", "molar_mass_g_mol", "active_mass_mg", "area_cm2",
        "electrolyte",
    }  # fmt: skip
    (tmp_path / "bad.toml").write_text('name = "x"\nformula = "LiCoO2"\ncolour = "blue"\n')
    with pytest.raises(BadRequest, match="colour"):
        load_materials(tmp_path)


def test_simulator_refuses_material_without_physics():
    with pytest.raises(BadRequest, match="lco, lfp, lnmo, lnmo-spinel, lnro, nmc811"):
        study_sample(material=None, formula="LiNi0.6Mn0.2Co0.2O2", mass_mg=3, area_cm2=1.54)
    sample, one_c = study_sample(material="nmc811", formula=None, mass_mg=3, area_cm2=1.54)
    refuse_unsimulated(sample)
    assert one_c == pytest.approx(0.73 * 275.5, abs=0.5)


def test_the_materials_command_lists_every_builtin_and_says_which_are_simulated(capsys):
    import json

    from operando.cli import main

    assert main(["materials", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["materials"]}
    assert {"lnmo", "lnro", "lco", "nmc811", "lfp", "lnmo-spinel"} <= set(rows)
    assert rows["lfp"]["formula"] == "LiFePO4" and rows["lfp"]["simulated"]
    assert 165 < rows["lfp"]["capacity_mAh_g"] < 175  # 1 Li per LiFePO4 (157.8 g/mol)
