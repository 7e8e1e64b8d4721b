"""``operando xas valence|normalize`` on measured files, in process."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from operando.cli import main
from operando.io.xas_files import read_spectrum

DATA = pathlib.Path(__file__).resolve().parent / "data" / "xas"
FE = DATA / "Fe"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["xas", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_valence_of_magnetite_from_the_two_other_iron_oxides_as_json(capsys):
    code, out, _ = _run(
        capsys, "valence", "--reference", f"{FE / 'FeO_rt_01.xdi'}=2",
        "--reference", f"{FE / 'Fe2O3_rt_01.xdi'}=3", "--sample", str(FE / "Fe3O4_rt_01.xdi"),
        "--json",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["method"] == "integral"
    assert result["calibration"]["slope_eV_per_valence"] > 1.0
    assert result["calibration"]["linearity_checked"] is False
    (sample,) = result["samples"]
    assert set(sample) >= {"file", "valence", "uncertainty", "edge_eV", "extrapolated"}
    # Measured: 2.62 +/- 0.03 (Fe3O4 is formally 2.67).
    assert sample["valence"] == pytest.approx(8 / 3, abs=0.2) and not sample["extrapolated"]
    assert 0 < sample["uncertainty"] < 0.2 and 7110 < sample["edge_eV"] < 7130


def test_valence_with_another_method_prints_a_line_per_sample(capsys):
    code, out, _ = _run(
        capsys, "valence", "--reference", f"{FE / 'FeO_rt_01.xdi'}=2",
        "--reference", f"{FE / 'Fe2O3_rt_01.xdi'}=3", "--sample", str(FE / "Fe3O4_rt_01.xdi"),
        "--method", "fraction",
    )  # fmt: skip
    assert code == 0 and "method fraction" in out and "Fe3O4_rt_01.xdi: valence 2.6" in out
    assert "line is not checked" in out  # two valences


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reference", "missing.xdi=2", "--reference", "x.xdi=3"], "no such file"),
        (["--reference", f"{FE / 'FeO_rt_01.xdi'}=2"], "at least two references"),
        (["--reference", f"{FE / 'FeO_rt_01.xdi'}"], "expected FILE=VALENCE"),
        (
            ["--reference", f"{DATA / 'Ni' / 'NiOH2_rt_01.xdi'}=2",
             "--reference", f"{DATA / 'Ni' / 'Ni2O3_rt_01.xdi'}=3"],
            "Ni2O3_rt_01.xdi (valence 3",
        ),
        (
            ["--reference", f"{FE / 'FeO_rt_01.xdi'}=3",
             "--reference", f"{FE / 'Fe2O3_rt_01.xdi'}=2"],
            "does not rise with valence",
        ),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    sample = DATA / "Ni" / "Ni_metal_rt_01.xdi" if "Ni" in str(argv) else FE / "Fe3O4_rt_01.xdi"
    code, out, err = _run(capsys, "valence", *argv, "--sample", str(sample))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_a_sample_with_no_energy_overlap_is_refused(capsys, tmp_path):
    v = read_spectrum(DATA / "V" / "VO2.xdi")  # no element in a plain file: only energies
    plain = tmp_path / "v.dat"
    plain.write_text(
        "energy mutrans\n" + "\n".join(f"{e} {m}" for e, m in zip(v.energy_eV, v.mu, strict=True))
    )
    code, _, err = _run(
        capsys, "valence", "--reference", f"{FE / 'FeO_rt_01.xdi'}=2",
        "--reference", f"{FE / 'Fe2O3_rt_01.xdi'}=3", "--sample", str(plain),
    )  # fmt: skip
    assert code == 2 and "no overlap" in err


def test_normalize_writes_xdi_that_reads_back(capsys, tmp_path):
    code, out, _ = _run(
        capsys, "normalize", str(DATA / "formats" / "SrO_rt_01.xdi"), "--out", str(tmp_path),
        "--mode", "fluorescence",
    )  # fmt: skip
    assert code == 0
    written = pathlib.Path(out.strip())
    text = written.read_text()
    assert "# Column.2: norm" in text and "# Element.symbol: Sr" in text
    assert "# Operando.mode: fluorescence" in text
    back = read_spectrum(written)  # its mufluor column is the raw mu
    assert back.mode == "fluorescence" and back.element == "Sr"
    norm, flat = np.loadtxt(written, comments="#")[:, 1:3].T
    assert abs(norm[:10]).max() < 0.05 and flat[-50:].mean() == pytest.approx(1.0, abs=0.05)
    code, _, err = _run(capsys, "normalize", str(tmp_path / "none.xdi"), "--out", str(tmp_path))
    assert code == 2 and "no such file" in err
