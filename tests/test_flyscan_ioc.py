"""Fly scans through Channel Access: the ``Fly:`` records refuse what the monochromator
cannot do (LastError says why), and a fly spectrum, stored, analyses as the step scan."""

from __future__ import annotations

import math

import pytest
from sync_ca import CA_TIMEOUT_S

pytestmark = pytest.mark.slow


def _last_error(prefix: str) -> str:
    from caproto.sync.client import read

    return bytes(read(f"{prefix}LastError", timeout=CA_TIMEOUT_S).data).rstrip(b"\0").decode()


def _refused(pv: str, value, prefix: str, says: str) -> None:
    from caproto.sync.client import write

    try:
        write(pv, value, notify=True, timeout=CA_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the refusal (ECA_PUTFAIL)
        pass
    reason = _last_error(prefix)
    assert says in reason, f"{pv} <- {value!r}: LastError {reason!r}"


def test_fly_records_refuse_what_the_monochromator_cannot_do(beamline):
    from caproto.sync.client import read, write

    p = f"{beamline.prefix}HXR:"
    f = f"{p}Fly:"
    for pv, value, says in [
        ("EStart", math.nan, "nan"),
        ("EStop", math.inf, "inf"),
        ("EStart", 100.0, "outside the monochromator's range"),
        ("EStop", 99999.0, "outside the monochromator's range"),
        ("Speed", 0.0, "speed 0.0 eV/s outside"),
        ("Speed", 1000.0, "outside (0, 50]"),
        ("Dwell", 0.0, "dwell 0.0 s outside"),
        ("Points", 1, "2 to 4000 points"),
        ("TrajN", 5000, "0 to 4000"),
        ("TrajDwell", [1.0, -1.0], "dwells must be positive"),
    ]:
        _refused(f + pv, value, p, says)
    # A trajectory too fast for the monochromator is refused when started.
    write(f + "Mode", "Trajectory", notify=True, timeout=CA_TIMEOUT_S)
    write(f + "TrajE", [22000.0, 22500.0], notify=True, timeout=CA_TIMEOUT_S)
    write(f + "TrajDwell", [1.0, 1.0], notify=True, timeout=CA_TIMEOUT_S)
    write(f + "TrajN", 2, notify=True, timeout=CA_TIMEOUT_S)
    seq = read(f + "Seq", timeout=CA_TIMEOUT_S).data[0]
    _refused(f + "Start", 1, p, "at most 50 eV/s")
    assert read(f + "Seq", timeout=CA_TIMEOUT_S).data[0] == seq  # nothing started
    # While a (long) sweep runs: no second start, no monochromator or holder move.
    write(f"{p}Holder", 19, notify=True, timeout=CA_TIMEOUT_S)
    write(f + "Mode", "Uniform", notify=True, timeout=CA_TIMEOUT_S)
    for pv, value in (("EStart", 22000.0), ("EStop", 22100.0), ("Points", 4000),
                      ("Dwell", 600.0)):  # fmt: skip
        write(f + pv, value, notify=True, timeout=CA_TIMEOUT_S)
    assert read(f + "Speed", timeout=CA_TIMEOUT_S).data[0] == pytest.approx(100 / 3999 / 600)
    write(f + "Start", 1, notify=True, timeout=CA_TIMEOUT_S)
    try:
        assert read(f + "Busy", timeout=CA_TIMEOUT_S).data[0] == 1
        _refused(f + "Start", 1, p, "a sweep is under way")
        _refused(f"{p}Mono", 23000.0, p, "sweeping")
        _refused(f"{p}Holder", 17, p, "holder stays put")
    finally:
        write(f + "Stop", 1, notify=True, timeout=CA_TIMEOUT_S)
    assert read(f + "Busy", timeout=CA_TIMEOUT_S).data[0] == 0
    done_seq = read(f + "DoneSeq", timeout=CA_TIMEOUT_S).data[0]
    assert done_seq == read(f + "Seq", timeout=CA_TIMEOUT_S).data[0]


def test_a_fly_spectrum_analyses_as_the_step_scan(session):
    """Ru K of RuO2 (slot 19), step then fly, stored: the same data keys and, within the
    counting noise, the same edge and EXAFS shells."""
    from operando.analysis.run_kinds import summarize
    from operando.plans import xas_scan

    assert session.hard_xray.fly is not None
    runs = {}
    for scan in ("step", "fly"):
        (uid,) = session.RE(xas_scan(session.hard_xray, "ru-k", 19, scan=scan))
        run = session.store.run(uid)
        assert run.metadata["start"]["protocol"]["parameters"]["scan"] == scan
        runs[scan] = (run, run["primary"].read(), summarize(run).to_json())
    (_, step, s_step), (_, fly, s_fly) = runs["step"], runs["fly"]
    assert sorted(fly.data_vars) == sorted(step.data_vars)
    assert fly["hxr_energy"].values.tolist() == pytest.approx(step["hxr_energy"].values.tolist())
    assert set(fly["hxr_holder_sample"].values) == {"RuO2"}
    a, b = s_step["samples"]["RuO2"], s_fly["samples"]["RuO2"]
    assert b["edge_energy_eV"] == pytest.approx(a["edge_energy_eV"], abs=0.1)
    assert b["exafs_peaks_A"] == pytest.approx(a["exafs_peaks_A"], abs=0.03)
