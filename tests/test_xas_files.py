"""Reading XAS files: XDI with any standard columns, Athena projects, named-column text."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from operando.errors import BadRequest
from operando.io.xas_files import HC_EV_A, read_spectrum

DATA = pathlib.Path(__file__).resolve().parent / "data" / "xas"


def test_transmission_from_i0_and_itrans_with_header_fields():
    s = read_spectrum(DATA / "V" / "VO2.xdi")
    assert s.mode == "transmission" and s.element == "V" and s.edge == "K"
    assert s.metadata["reader.mu"] == "ln(i0/itrans)" and s.source.endswith("VO2.xdi")
    assert s.energy_eV.size == s.mu.size > 100 and 5360 < s.energy_eV[0] < 5370


def test_precomputed_mutrans_mufluor_murefer_columns():
    path = DATA / "formats" / "SrO_rt_01.xdi"
    trans, fluor = read_spectrum(path), read_spectrum(path, "fluorescence")
    refer = read_spectrum(path, "reference")
    assert (trans.mode, fluor.mode, refer.mode) == ("transmission", "fluorescence", "reference")
    assert trans.metadata["reader.mu"] == "mutrans" and fluor.metadata["reader.mu"] == "mufluor"
    assert not np.allclose(trans.mu, fluor.mu) and trans.element == "Sr"
    only = read_spectrum(DATA / "formats" / "cu_metal_10K.xdi")  # energy and mutrans only
    assert only.mode == "transmission" and only.energy_eV.size > 500
    with pytest.raises(BadRequest, match=r"no fluorescence data .* modes available: transmission"):
        read_spectrum(DATA / "formats" / "cu_metal_10K.xdi", "fluorescence")


def test_fluorescence_from_ifluor_is_the_default_when_there_is_no_transmission(tmp_path):
    v = read_spectrum(DATA / "V" / "VO2.xdi")
    i0 = np.full(v.energy_eV.size, 1e5)
    rows = "\n".join(
        f"{e:.3f} {a:.1f} {a * m:.4f}" for e, a, m in zip(v.energy_eV, i0, v.mu, strict=True)
    )
    path = tmp_path / "fluo.xdi"
    path.write_text(
        "# XDI/1.0\n# Column.1: energy eV\n# Column.2: i0\n# Column.3: ifluor\n"
        "# Element.symbol: V\n# Element.edge: K\n#----\n# energy i0 ifluor\n" + rows + "\n"
    )
    s = read_spectrum(path)
    assert s.mode == "fluorescence" and s.metadata["reader.mu"] == "ifluor/i0"
    assert np.allclose(s.mu, v.mu, atol=1e-6)
    with pytest.raises(BadRequest, match="no transmission data"):
        read_spectrum(path, "transmission")


def test_reference_channel_and_unknown_mode():
    s = read_spectrum(DATA / "Cr" / "cr2o3_rt_001.xdi", "reference")
    assert s.metadata["reader.mu"] == "ln(itrans/irefer)"
    with pytest.raises(BadRequest, match="mode 'tey' is not one of"):
        read_spectrum(DATA / "Cr" / "cr2o3_rt_001.xdi", "tey")


def test_athena_project_groups(tmp_path):
    from larch import Group
    from larch.io import create_athena

    project = create_athena(str(tmp_path / "v.prj"))
    for name in ("VO2", "V2O5"):
        s = read_spectrum(DATA / "V" / f"{name}.xdi")
        project.add_group(Group(energy=s.energy_eV, mu=s.mu, label=name, filename=name))
    project.save()
    s = read_spectrum(tmp_path / "v.prj", group="V2O5")
    assert s.name == "V2O5" and np.allclose(s.mu, read_spectrum(DATA / "V" / "V2O5.xdi").mu)
    with pytest.raises(BadRequest, match=r"holds 2 groups; pick one of \['V2O5', 'VO2'\]"):
        read_spectrum(tmp_path / "v.prj")


def test_named_column_text_with_units_in_the_names(tmp_path):
    v = read_spectrum(DATA / "V" / "V2O3.xdi")
    csv = tmp_path / "v.csv"
    lines = [f"{e / 1000:.6f},{np.exp(m):.6f},1.0" for e, m in zip(v.energy_eV, v.mu, strict=True)]
    csv.write_text("energy (keV),i0,itrans\n" + "\n".join(lines) + "\n")
    s = read_spectrum(csv)
    assert s.mode == "transmission" and np.allclose(s.energy_eV, v.energy_eV, atol=1e-3)
    assert np.allclose(s.mu, v.mu, atol=1e-5)
    plain = tmp_path / "v.dat"
    plain.write_text(
        "# energy xmu\n" + "\n".join(f"{e} {m}" for e, m in zip(v.energy_eV, v.mu, strict=True))
    )
    assert read_spectrum(plain).mode == "mu"


def test_energy_units_are_checked(tmp_path):
    v = read_spectrum(DATA / "V" / "V2O3.xdi")
    kev = tmp_path / "kev.dat"
    kev.write_text(
        "energy mutrans\n"
        + "\n".join(f"{e / 1e3} {m}" for e, m in zip(v.energy_eV, v.mu, strict=True))
    )
    with pytest.raises(BadRequest, match="look like keV; declare the unit"):
        read_spectrum(kev)
    d = 3.13555  # Si(111), the file's Mono.d_spacing
    angle = np.degrees(np.arcsin(HC_EV_A / (2 * d * v.energy_eV)))
    deg = tmp_path / "deg.xdi"
    deg.write_text(
        "# XDI/1.0\n# Column.1: angle degrees\n# Column.2: mutrans\n"
        f"# Mono.d_spacing: {d}\n#----\n"
        + "\n".join(f"{a:.8f} {m}" for a, m in zip(angle, v.mu, strict=True))
    )
    assert np.allclose(read_spectrum(deg).energy_eV, v.energy_eV, atol=0.01)
    bad = tmp_path / "bad.xdi"
    bad.write_text("# XDI/1.0\n# Column.1: energy furlongs\n# Column.2: mutrans\n1 2\n")
    with pytest.raises(BadRequest, match="energy unit 'furlongs' not understood"):
        read_spectrum(bad)


def test_unreadable_inputs_say_what_is_wrong(tmp_path):
    with pytest.raises(BadRequest, match="no such file"):
        read_spectrum(tmp_path / "missing.xdi")
    empty = tmp_path / "e.xdi"
    empty.write_text("# XDI/1.0\n# Column.1: energy eV\n")
    with pytest.raises(BadRequest, match="no data rows"):
        read_spectrum(empty)
    cols = tmp_path / "c.dat"
    cols.write_text("energy counts\n7000 2\n7010 4\n")
    with pytest.raises(BadRequest, match="no absorption columns"):
        read_spectrum(cols)
