"""Fly scans through Channel Access: the ``Fly:`` records refuse what the monochromator
cannot do (LastError says why), and a fly spectrum, stored, analyses as the step scan."""

from __future__ import annotations

import math

import pytest
from sync_ca import CA_TIMEOUT_S

pytestmark = pytest.mark.slow


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


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


def test_soft_and_hard_endstations_measure_together_each_in_its_own_run(session):
    """Ni L of a pristine LNMO electrode (soft) while Ru K of RuO2 and RuCl3 (hard): two
    runs open at once, each stored and logged apart, each as its endstation alone writes it;
    the instrument time of a step is that of the longer sweep, not the sum."""
    from operando.analysis.run_kinds import summarize
    from operando.plans import xas_series
    from operando.plans.xray_together import EdgeSeries, xas_series_together
    from operando.storage import read_log
    from operando.studies.electrodes import prepare_electrode
    from operando.studies.running import simulator_time_scale

    prepare_electrode(session, "lnmo", "pristine", 2, c_rate=0.1)
    soft, hard = session.soft_xray, session.hard_xray
    # The simulator's clock slowed so that a Ni L sweep (141 s of instrument time) takes
    # 0.7 s: long enough for both sweeps to be seen under way at once.
    busy: dict[str, list] = {"sxr": [], "hxr": []}
    for station in (soft, hard):
        station.fly.busy.subscribe(
            lambda value, timestamp, name=station.name, **kw: busy[name].append(
                (timestamp, value)
            ),
            run=False,
        )  # fmt: skip
    with simulator_time_scale(session, 200.0):
        uids = session.RE(xas_series_together(
            EdgeSeries(soft, "ni-l", [2]), EdgeSeries(hard, "ru-k", [19, 18]),
        ))  # fmt: skip
    assert len(uids) == 2
    soft_run, hard_run = (session.store.run(uid) for uid in uids)
    assert soft_run.metadata["start"]["edge"]["name"] == "ni-l"
    assert hard_run.metadata["start"]["edge"]["name"] == "ru-k"
    for run in (soft_run, hard_run):
        assert run.metadata["stop"]["exit_status"] == "success"
    hard_data = hard_run["primary"].read()
    assert sorted(set(hard_data["hxr_holder_sample"].values)) == ["RuCl3", "RuO2"]
    assert set(soft_run["primary"].read()["sxr_holder_sample"].values) == {"lnmo pristine"}
    # Each run's document log holds that run only, complete.
    for uid in uids:
        docs = list(read_log(session.document_log.log_dir / f"{uid}.jsonl"))
        assert docs[0][0] == "start" and docs[-1][0] == "stop"
        assert {d["run_start"] for n, d in docs if n in ("descriptor", "stop")} == {uid}
    # The same spectra as each endstation alone gives.
    alone = session.RE(xas_series(hard, "ru-k", [19, 18], scan="fly"))
    a = summarize(session.store.run(alone[0])).to_json()["samples"]
    b = summarize(hard_run).to_json()["samples"]
    for name in ("RuO2", "RuCl3"):
        assert b[name]["edge_energy_eV"] == pytest.approx(a[name]["edge_energy_eV"], abs=0.1)

    # The sweeps ran at the same time: the soft one started and ended while the first hard
    # one was under way (Fly:Busy of each, time-stamped by the instrument).
    def sweeps(name):  # (start, end) of each sweep: Busy 1, then the next Busy 0
        out, start = [], None
        for t, value in busy[name]:
            if value == 1 and start is None:
                start = t
            elif value == 0 and start is not None:
                out.append((start, t))
                start = None
        return out

    ni = sweeps("sxr")[0]
    ru_first = sweeps("hxr")[0]
    assert ru_first[0] < ni[1] and ni[0] < ru_first[1]
    # The live summary is that of the run that stopped last.
    assert session.run_summary.summary is not None
