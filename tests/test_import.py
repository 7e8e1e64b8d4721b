"""operando import: real EC-Lab, Zilien and XDI files become runs like acquired ones.

Fast tests parse the files and build (and summarise) the documents without a store; the
tests marked slow go through the command line into a temporary store.
"""

from __future__ import annotations

import json
import pathlib
import shutil

import numpy as np
import pytest

from operando.analysis.document_run import DocumentRun
from operando.errors import BadRequest
from operando.io.biologic import read_eclab
from operando.io.zilien import read_zilien
from operando.studies.importing import SampleOptions, build_documents, parse_file, prepare

DATA = pathlib.Path("/work/shared/data")
BIOLOGIC = DATA / "electrochem" / "biologic"
ZILIEN = DATA / "ecms" / "zilien"
ZILIEN_OK = ZILIEN / "ok" / "2022-09-19 11_27_59 test-21.tsv"
GCPL = BIOLOGIC / "250116_kigr_gen6_01_02_GCPL_CD8.mpr"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="the shared real data are not here")

pytest.importorskip("galvani")
EC_LAB_FILES = sorted(BIOLOGIC.glob("*.mp[rt]")) if BIOLOGIC.is_dir() else []
XDI_FILES = sorted(DATA.glob("xas/*/*.xdi")) if DATA.is_dir() else []
# Files whose header has no active mass and whose summary is per gram: given a mass.
NO_MASS_IN_HEADER = {
    "commercial_cell_001__1753280829_C01.mpr",
    "dataset_with_loop_01_03_CP_DUSB0_C01.mpt",
}


def _options(path: pathlib.Path) -> SampleOptions:
    return SampleOptions(mass_mg=1.0) if path.name in NO_MASS_IN_HEADER else SampleOptions()


def _run(docs) -> DocumentRun:
    run = DocumentRun()
    for name, doc in docs:
        run(name, doc)
    return run


@pytest.mark.parametrize("path", EC_LAB_FILES, ids=lambda p: p.name)
def test_every_ec_lab_file_becomes_a_run_with_a_summary(path):
    (run,) = prepare([str(path)], _options(path))
    assert run["kind"].startswith("imported_")
    start = run["docs"][0][1]
    assert start["source"]["files"] == [path.name]
    assert len(start["source"]["sha256"][0]) == 64
    assert start["source"]["importer"] == "operando import"
    assert run["summary"].to_json()["uid"] == run["uid"]


def _ec_lab_half_cycle_capacities(path: pathlib.Path) -> list[float]:
    """EC-Lab's own Q charge/discharge at the end of each half cycle, mAh/g."""
    f = read_eclab(path)
    half, q = f.columns["half cycle"], f.columns["Q charge/discharge/mA.h"]
    return [abs(q[half == k][-1]) / f.mass_mg * 1e3 for k in np.unique(half)]


def test_gcpl_capacities_per_cycle_match_ec_labs_own_column_within_half_a_percent():
    (run,) = prepare([str(GCPL)], SampleOptions())
    cycles = run["summary"].to_json()["cycles"]
    reference = _ec_lab_half_cycle_capacities(GCPL)
    assert len(cycles) == 3 and len(reference) == 6
    for n, cycle in enumerate(cycles):
        assert cycle["charge_capacity_mAh_g"] == pytest.approx(reference[2 * n], rel=5e-3)
        assert cycle["discharge_capacity_mAh_g"] == pytest.approx(reference[2 * n + 1], rel=5e-3)
        assert 3.5 < cycle["mean_discharge_V"] < 4.9
    start = run["docs"][0][1]
    assert start["sample"]["active_mass_mg"] == pytest.approx(17.233)  # from the header
    assert start["sample"]["area_cm2"] == pytest.approx(0.95)


def test_the_primary_stream_has_the_acquired_field_names_and_units():
    docs = build_documents(parse_file(GCPL), SampleOptions())
    keys = docs[1][1]["data_keys"]
    units = {k: keys[k]["units"] for k in ("clock", "t", "Ewe", "I", "Q", "step")}
    assert units == {"clock": "s", "t": "s", "Ewe": "V", "I": "mA", "Q": "mAh", "step": ""}


def test_peis_gives_a_nyquist_figure(tmp_path):
    from operando.reports.import_figures import plot_nyquist

    (run,) = prepare([str(BIOLOGIC / "PEIS.mpr")], SampleOptions())
    spectra = run["summary"].to_json()["spectra"]
    assert len(spectra) == 4 and all(s["hf_intercept_ohm"] > 0 for s in spectra)
    keys = run["docs"][1][1]["data_keys"]
    assert {keys[k]["units"] for k in ("Re_Z", "minus_Im_Z")} == {"Ohm"}
    assert keys["frequency"]["units"] == "Hz"
    path = plot_nyquist(_run(run["docs"]), tmp_path / "nyquist.png", run["summary"])
    assert path.stat().st_size > 10_000


def test_each_real_peis_spectrum_gets_a_two_arc_circuit_fit_and_an_inductive_one_a_reason():
    (run,) = prepare([str(BIOLOGIC / "PEIS.mpr")], SampleOptions())
    for s in run["summary"].to_json()["spectra"]:
        fit = s["fit"]
        assert fit is not None, s["fit_refused"]
        assert fit["fit_rms_rel"] < 0.03  # the circuit describes a real cell's spectrum
        assert fit["film_frequency_Hz"] > fit["ct_frequency_Hz"]
        assert 0 < fit["r_s_ohm"] <= s["hf_intercept_ohm"]
        assert all(isinstance(w, str) for w in fit["warnings"])
    (run,) = prepare(
        [str(BIOLOGIC / "dataset_with_loop_01_05_PEIS_DUSB0_C01.mpt")], SampleOptions()
    )
    (spectrum,) = run["summary"].to_json()["spectra"]
    assert spectrum["fit"] is None and "inductive" in spectrum["fit_refused"]


def test_the_zilien_set_is_one_ecms_run_on_one_clock():
    (run,) = prepare([str(ZILIEN_OK)], SampleOptions())
    assert run["kind"] == "imported_ecms"
    doc_run = _run(run["docs"])
    assert set(doc_run) == {"primary", "dems"}
    z = read_zilien(ZILIEN_OK)
    primary = doc_run["primary"].read()
    clock = np.asarray(primary["clock"].values)
    # EC-Lab's time zero sits at Zilien's offset: the points Zilien merged agree to 1 ms
    merged = z.series["EC-lab"].columns["time/s"]
    assert clock[0] - z.start_unix == pytest.approx(merged[0], abs=1e-3)
    # Zilien's own reading of the potentiostat follows the EC-Lab record on the shared clock
    pot = z.series["pot"]
    ewe = np.interp(z.start_unix + pot.time, clock, primary["Ewe"].values)
    aligned = np.median(np.abs(ewe - pot.columns["Voltage"]))
    shifted = np.interp(z.start_unix + pot.time + 0.5, clock, primary["Ewe"].values)
    assert aligned < 0.002 < 0.05 < np.median(np.abs(shifted - pot.columns["Voltage"]))
    # the mass spectrometer starts first, then the potential step, then any M32 response
    s = run["summary"].to_json()
    assert s["ms_first_s"] < s["first_potential_step_s"] < s["ms_last_s"]
    responses = [s["channels"][k]["first_response_s"] for k in ("mz32", "mz44")]
    assert any(r is not None for r in responses)
    assert all(r > s["first_potential_step_s"] for r in responses if r is not None)
    assert len(doc_run["dems"].read()["mz32"]) == 18


def test_the_broken_zilien_sets_are_refused_with_a_clear_line():
    missing, no_ec = sorted((ZILIEN / "broken").glob("*.tsv"), key=lambda p: "no-ec" in p.name)
    with pytest.raises(BadRequest, match=r"ec-included-mpt-missing\.tsv: .*\.mpt files"):
        prepare([str(missing)], SampleOptions())
    with pytest.raises(BadRequest, match=r"no-ec-included\.tsv: the potentiostat series is all"):
        prepare([str(no_ec)], SampleOptions())


def test_an_ok_zilien_set_without_its_mpt_files_is_refused(tmp_path):
    shutil.copy(ZILIEN_OK, tmp_path)
    with pytest.raises(BadRequest, match=r"test-21\.tsv: .*\.mpt files .* not beside it"):
        prepare([str(tmp_path / ZILIEN_OK.name)], SampleOptions())


def _copy_mpt(tmp_path, edit) -> pathlib.Path:
    source = BIOLOGIC / "dataset_with_loop_01_01_OCV_DUSB0_C01.mpt"
    target = tmp_path / source.name
    target.write_bytes(edit(source.read_bytes()))
    return target


def test_bad_ec_lab_files_are_refused_naming_the_file_and_the_problem(tmp_path):
    truncated = tmp_path / "truncated.mpr"
    truncated.write_bytes(GCPL.read_bytes()[:20000])
    cases = {
        truncated: r"truncated\.mpr: a damaged or truncated \.mpr",
        _copy_mpt(tmp_path, lambda b: b[:-30]): r"OCV_DUSB0_C01\.mpt: data line 21 has",
    }
    xdi_as_mpr = tmp_path / "spectrum.mpr"
    shutil.copy(XDI_FILES[0], xdi_as_mpr)
    cases[xdi_as_mpr] = r"spectrum\.mpr: not an EC-Lab binary file"
    xdi_as_mpt = tmp_path / "spectrum.mpt"
    shutil.copy(XDI_FILES[0], xdi_as_mpt)
    cases[xdi_as_mpt] = r"spectrum\.mpt: not an EC-Lab text export"
    for path, message in cases.items():
        with pytest.raises(BadRequest, match=message):
            prepare([str(path)], SampleOptions())


def test_an_unknown_technique_and_an_all_nan_series_are_refused(tmp_path):
    unknown = _copy_mpt(tmp_path, lambda b: b.replace(b"Open Circuit Voltage", b"Magic Sweep"))
    with pytest.raises(BadRequest, match=r"technique 'Magic Sweep' is not one operando imports"):
        prepare([str(unknown)], SampleOptions())

    def nan_ewe(raw: bytes) -> bytes:
        head, _, body = raw.partition(b"mode\terror\ttime/s\tEwe/V\tEce/V\tEwe-Ece/V\t\r\n")
        rows = [r.split(b"\t") for r in body.split(b"\r\n") if r]
        body = b"\r\n".join(b"\t".join([*r[:3], b"NaN", *r[4:]]) for r in rows)
        return head + b"mode\terror\ttime/s\tEwe/V\tEce/V\tEwe-Ece/V\t\r\n" + body + b"\r\n"

    with pytest.raises(BadRequest, match=r"OCV_DUSB0_C01\.mpt: the potentiostat series is all NaN"):
        prepare([str(_copy_mpt(tmp_path, nan_ewe))], SampleOptions())


def test_a_per_gram_summary_without_a_mass_is_refused_and_a_conflicting_mass_too():
    with pytest.raises(BadRequest, match=r"commercial_cell.*no active mass: give --mass-mg"):
        prepare([str(BIOLOGIC / "commercial_cell_001__1753280829_C01.mpr")], SampleOptions())
    with pytest.raises(BadRequest, match=r"header gives mass 17.233 mg, --mass-mg says 5"):
        prepare([str(GCPL)], SampleOptions(mass_mg=5.0))


def test_a_material_gives_the_formula_and_li_equivalents():
    (run,) = prepare([str(GCPL)], SampleOptions(material="lnmo-spinel", name="cell 7"))
    sample = run["docs"][0][1]["sample"]
    assert sample["name"] == "cell 7" and sample["formula"]
    assert run["summary"].to_json()["li_removed"] > 0


@pytest.mark.parametrize("path", XDI_FILES, ids=lambda p: p.name)
def test_every_xdi_file_becomes_a_run(path):
    parsed = parse_file(path)
    docs = build_documents(parsed, SampleOptions())
    start = docs[0][1]
    assert start["element"] and start["edge"] == "K"
    keys = docs[1][1]["data_keys"]
    assert keys["energy"]["units"] == "eV" and "mu" in keys
    assert docs[-1][0] == "stop"


def test_an_xdi_summary_has_e0_and_edge_step():
    (run,) = prepare([str(DATA / "xas" / "V" / "V_foil.xdi")], SampleOptions())
    (spectrum,) = run["summary"].to_json()["spectra"]
    assert spectrum["element"] == "V" and 5460 < spectrum["e0_eV"] < 5470


# --- through the command line, into a store ---------------------------------------------
def _cli(capsys, *argv) -> tuple[int, str, str]:
    from operando.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_a_file_is_imported_once(capsys, data: str) -> None:
    """Importing the same file again names the stored run instead of storing a copy;
    --again stores a new run. (Also run against the served store, test_served_store.)"""
    from tiled.queries import Contains

    from operando.storage import open_store
    from operando.studies.importing import sha256

    peis = BIOLOGIC / "PEIS.mpr"
    runs = []
    for extra in ([], [], ["--again"]):
        code, out, _ = _cli(capsys, "import", peis, peis, "--data", data, "--json", *extra)
        assert code == 0
        runs.append(json.loads(out)["runs"])
    first = runs[0][0]["uid"]
    assert "already_imported" not in runs[0][0]
    # the same file twice in one command, then again later: all name the first run
    assert [(r["uid"], r.get("already_imported")) for r in runs[0][1:] + runs[1]] == [
        (first, True)
    ] * 3
    assert all(r["uid"] != first and "already_imported" not in r for r in runs[2])
    with open_store(data) as store:
        stored = list(store.client.search(Contains("start.source.sha256", sha256(peis))))
        assert first in stored and len(stored) == 3  # the first, and two with --again


@pytest.mark.slow
def test_a_file_already_in_the_catalog_is_not_imported_twice(tmp_path, capsys):
    check_a_file_is_imported_once(capsys, str(tmp_path / "data"))


@pytest.mark.slow
def test_import_then_report_gives_per_cycle_capacities_and_a_nyquist_figure(tmp_path, capsys):
    data = tmp_path / "data"
    code, out, _ = _cli(capsys, "import", GCPL, BIOLOGIC / "PEIS.mpr", "--data", data, "--json")
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [r["kind"] for r in runs] == ["imported_cycling", "imported_impedance"]
    code, _, _ = _cli(capsys, "report", *(r["uid"] for r in runs), "--data", data,
                      "--out", tmp_path / "rep")  # fmt: skip
    assert code == 0
    summary = json.loads((tmp_path / "rep" / f"{runs[0]['uid'][:8]}_summary.json").read_text())
    reference = _ec_lab_half_cycle_capacities(GCPL)
    assert [c["discharge_capacity_mAh_g"] for c in summary["cycles"]] == pytest.approx(
        reference[1::2], rel=5e-3
    )
    assert (tmp_path / "rep" / f"{runs[1]['uid'][:8]}_nyquist.png").exists()


@pytest.mark.slow
def test_a_bad_file_among_good_ones_stores_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    broken = next((ZILIEN / "broken").glob("*mpt-missing.tsv"))
    code, out, err = _cli(capsys, "import", GCPL, broken, "--data", data)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "mpt-missing.tsv" in err
    assert not (data / "document-log").exists() or not list((data / "document-log").iterdir())


def test_an_athena_project_is_a_series_in_one_run(tmp_path):
    from larch import Group
    from larch.io import AthenaProject

    from operando.io.xas_files import read_spectrum

    project = AthenaProject(str(tmp_path / "two.prj"))
    for name in ("V_foil", "VO"):
        s = read_spectrum(DATA / "xas" / "V" / f"{name}.xdi")
        project.add_group(Group(energy=s.energy_eV, mu=s.mu, label=name, filename=name))
    project.save()
    (run,) = prepare([str(tmp_path / "two.prj")], SampleOptions())
    spectra = run["summary"].to_json()["spectra"]
    assert [s["name"] for s in spectra] == ["V_foil", "VO"]
    assert spectra[0]["e0_eV"] < spectra[1]["e0_eV"]  # V metal below VO


def test_voltammetry_finds_a_synthetic_redox_pair_and_not_the_turning_points():
    from operando.analysis.imported import voltammetry

    up = np.linspace(3.0, 4.5, 300)
    e = np.concatenate([up, up[::-1]])
    capacitive = np.concatenate([np.full(300, 0.01), np.full(300, -0.01)])
    anodic = np.exp(-(((up - 3.9) / 0.03) ** 2))
    cathodic = -np.exp(-(((up - 3.8) / 0.03) ** 2))[::-1]
    peak = np.concatenate([anodic, cathodic])
    run = DocumentRun()
    run.start({"uid": "u", "time": 0.0, "plan_name": "import_eclab_voltammetry"})
    run.descriptor({"uid": "d", "name": "primary", "data_keys": {"Ewe": {}, "I": {}}})
    run.event_page({"descriptor": "d", "data": {"Ewe": list(e), "I": list(capacitive + peak)},
                    "seq_num": list(range(1, 601))})  # fmt: skip
    s = voltammetry(run).to_json()
    assert s["anodic_peaks_V"] == [pytest.approx(3.9, abs=0.01)]
    assert s["cathodic_peaks_V"] == [pytest.approx(3.8, abs=0.01)]
