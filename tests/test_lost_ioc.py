"""A lost IOC mid-run: the run fails cleanly and everything read before is stored."""

from __future__ import annotations

import pytest

from operando.plans import galvanostatic
from operando.sample import sample_for
from operando.session import make_session
from operando.sim.ioc.launch import SimulatedBeamline
from operando.storage import read_log

pytestmark = pytest.mark.slow  # through the simulated IOC


def test_a_lost_ioc_fails_the_run_without_losing_what_was_read(tmp_path, monkeypatch):
    # Its own IOC, since this test kills it; the CA client environment is restored after.
    sim = SimulatedBeamline(time_scale=100_000).start()
    for key, value in sim.client_env().items():
        monkeypatch.setenv(key, value)
    session = make_session(
        str(tmp_path / "data"), prefix=sim.prefix, ca_port=sim.port, operator="pytest"
    )
    sample = sample_for("lnmo", 3.85)
    pages = []

    def kill_ioc_after_first_page(name, doc):
        if name == "event_page":
            pages.append(len(doc["seq_num"]))
            if len(pages) == 1:
                sim.process.kill()

    session.RE.subscribe(kill_ioc_after_first_page)
    session.assemble_sim_cell(sample)
    try:
        with pytest.raises(Exception):  # noqa: B017  whatever the control layer raises
            session.RE(galvanostatic(session.potentiostat, sample, cutoff_V=4.8, c_rate=0.005))
    finally:
        sim.stop()
    run = session.store.run(-1)
    assert run.metadata["stop"]["exit_status"] == "fail"
    n_stored = len(run["primary"].read()["t"])
    assert n_stored == sum(pages) > 0
    names = [
        n for n, _ in read_log(session.store.log_dir / f"{run.metadata['start']['uid']}.jsonl")
    ]
    assert names[-1] == "stop"
