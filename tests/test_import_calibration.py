"""EC-MS import with the mass spectrometer's calibration table: gas rates and amounts by the
same weighted least squares as acquired DEMS; tables that do not fit the file are refused."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

from operando.analysis.imported import ecms_gases
from operando.errors import BadRequest
from operando.io.calibration import calibration_configuration, read_calibration
from operando.studies.importing import SampleOptions, prepare

ZILIEN_OK = pathlib.Path("/work/shared/data/ecms/zilien/ok/2022-09-19 11_27_59 test-21.tsv")
TABLE = "[CO2]\n44 = 1.6e-3\n28 = 1.8e-4\n[O2]\n32 = 9.0e-4\n"


def _table(tmp_path, text: str = TABLE) -> pathlib.Path:
    path = tmp_path / "calibration.toml"
    path.write_text(text)
    return path


def test_a_known_flow_is_recovered_from_synthetic_ion_currents(tmp_path):
    """1 nmol/s of CO2 for 30 s after the step at t = 20 s: 0.030 umol, 60 nmol/min."""
    rng = np.random.default_rng(3)
    clock = np.arange(0.0, 100.0, 1.0)
    flow = np.where((clock > 30) & (clock <= 60), 1e-9, 0.0)  # mol/s over each 1 s interval
    channels = [28.0, 32.0, 44.0]
    table = read_calibration(_table(tmp_path))
    rows = calibration_configuration(table, channels, "synthetic")
    configuration = {"dems": {"data": {"dems_channels": channels, **rows}}}
    background = {28: 2e-11, 32: 5e-12, 44: 1e-12}
    ms = {"clock": clock, "interval": np.ones_like(clock)}
    for mz, sens in ((28, 1.8e-4), (32, 0.0), (44, 1.6e-3)):
        ms[f"mz{mz}"] = background[mz] + sens * flow + rng.normal(0, 1e-15, clock.size)
    gases = ecms_gases(ms, configuration, step=20.0)
    assert gases["CO2"]["amount_umol"] == pytest.approx(0.030, rel=0.01)
    assert gases["CO2"]["peak_nmol_min"] == pytest.approx(60.0, rel=0.01)
    assert abs(gases["O2"]["amount_umol"]) < 1e-4


@pytest.mark.skipif(not ZILIEN_OK.exists(), reason="the shared real data are not here")
def test_the_real_ecms_set_with_a_table_gives_rates_of_every_gas(tmp_path):
    (run,) = prepare([str(ZILIEN_OK)], SampleOptions(), str(_table(tmp_path)))
    gases = run["summary"].to_json()["gases"]
    assert set(gases) == {"CO2", "O2"}
    for values in gases.values():
        assert np.isfinite(values["amount_umol"]) and values["detection_limit_nmol_min"] > 0


@pytest.mark.skipif(not ZILIEN_OK.exists(), reason="the shared real data are not here")
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[CO2]\n46 = 1e-3\n", "needs m/z [46], which the file does not record"),
        ("[CO2]\n44 = -1\n", "must be a finite number >= 0"),
        ("[CO2]\n44 = 0\n", "no channel with a positive sensitivity"),
        ("CO2 = 44\n", "must list m/z channels"),
        ("[CO2\n", "not a TOML calibration table"),
    ],
)
def test_tables_that_do_not_fit_are_refused_naming_the_file(tmp_path, text, words):
    with pytest.raises(BadRequest, match=re.escape(words)):
        prepare([str(ZILIEN_OK)], SampleOptions(), str(_table(tmp_path, text)))


def test_a_table_for_a_file_without_a_mass_spectrometer_is_refused(tmp_path):
    xdi = pathlib.Path(__file__).parent / "data" / "xas" / "V" / "VO.xdi"
    with pytest.raises(BadRequest, match="applies to EC-MS files"):
        prepare([str(xdi)], SampleOptions(), str(_table(tmp_path)))
