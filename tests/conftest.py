"""Fixtures: one simulated beamline IOC for the whole test session, a store per test.

The IOC runs in a subprocess on a free port with a random PV prefix, on loopback only; the
Channel Access client of this process is pointed at that port alone.
"""

from __future__ import annotations

import os

import pytest

from operando.sim.ioc.launch import SimulatedBeamline

# Fixtures of real services (PostgreSQL, the served store, Redis, NATS): tests/served.py
pytest_plugins = ["served"]

# Tests that need the simulated IOC (Channel Access) are integration tests: marked slow.
IOC_FIXTURES = {"beamline", "session"}


# Seconds the slowest files took (pytest -n 3 on the 2-core machine, summed per file). The
# workers are handed files heaviest first (with --no-loadscope-reorder, in pyproject.toml),
# so that no long file starts last while the other workers sit idle; the rest follow in
# collection order. Refresh from a run's durations when a file's cost changes much.
SLOWEST_FILES_S = {
    "test_demo.py": 69, "test_recover.py": 65, "test_protocols.py": 58,
    "test_served_store.py": 58, "test_xray.py": 52, "test_bridge.py": 48,
    "test_reliability_ioc.py": 41, "test_queue.py": 40, "test_cli.py": 40, "test_dems.py": 33,
    "test_benchmarks.py": 24, "test_cell_physics_ioc.py": 22, "test_techniques_ioc.py": 22,
    "test_flyscan_ioc.py": 21, "test_shell.py": 20, "test_column_copy.py": 17,
    "test_faults.py": 16, "test_ca_client.py": 14,
}  # fmt: skip


def pytest_collection_modifyitems(config, items):
    for item in items:
        if IOC_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # stable: the tests of a file keep their order
    items.sort(key=lambda item: -SLOWEST_FILES_S.get(item.path.name, 0))


TEST_TIME_SCALE = 100_000.0  # a C/50 cycle (about 110 h) takes about 4 s of wall time


@pytest.fixture(scope="session")
def beamline():
    sim = SimulatedBeamline(time_scale=TEST_TIME_SCALE)
    saved = {k: os.environ.get(k) for k in sim.client_env()}
    os.environ.update(sim.client_env())
    sim.start()
    yield sim
    sim.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _ca_client_at_the_beamline(request):
    """A test of the session's beamline searches it, whatever an earlier test in this
    process pointed the Channel Access client at (make_session with a private simulator
    points it at that simulator's port, which is gone once the simulator stops)."""
    if "beamline" in request.fixturenames:
        os.environ.update(request.getfixturevalue("beamline").client_env())


@pytest.fixture
def store(tmp_path):
    """An in-process tiled over a temporary directory (no network)."""
    from operando.storage import open_store

    with open_store(tmp_path / "data") as store:
        yield store


@pytest.fixture
def session(request, beamline, tmp_path):
    """RunEngine + storage + devices against the session's simulated beamline: one per
    test, or the module's (:func:`shared_session`) where the module sets
    ``ONE_SESSION_PER_MODULE = True``."""
    if getattr(request.module, "ONE_SESSION_PER_MODULE", False):
        yield request.getfixturevalue("shared_session")
        return
    from operando.session import make_session

    s = make_session(
        str(tmp_path / "data"), prefix=beamline.prefix, ca_port=beamline.port, operator="pytest"
    )
    yield s
    # Whatever a test did, leave the shared simulated cell at open circuit.
    s.potentiostat.open_circuit()
    s.close()


@pytest.fixture(scope="module")
def module_session(beamline, tmp_path_factory):
    """One session for a module whose tests each set up their own cell or electrode and
    find their run by uid or as the latest: making a session (store, devices, RunEngine)
    takes about a second. Modules use it through :func:`shared_session`."""
    from operando.session import make_session

    data = tmp_path_factory.mktemp("module") / "data"
    s = make_session(str(data), prefix=beamline.prefix, ca_port=beamline.port, operator="pytest")
    yield s
    s.potentiostat.open_circuit()
    s.close()


@pytest.fixture
def shared_session(module_session):
    """The module's session, left as a fresh one would be for the next test: what the test
    subscribed unsubscribed, its metadata and beam policies restored, the RunEngine idle,
    the shared simulated cell at open circuit. A module opts in with
    ``ONE_SESSION_PER_MODULE = True`` (see :func:`session`)."""
    import dataclasses

    s = module_session
    RE = s.RE
    tokens = set(RE.dispatcher._token_mapping)
    metadata = dict(RE.md)
    stations = [st for st in (s.soft_xray, s.hard_xray) if st is not None]
    beams = [dataclasses.replace(st.beam) for st in stations]
    yield s
    for token in set(RE.dispatcher._token_mapping) - tokens:
        RE.unsubscribe(token)
    if RE.state != "idle":
        RE.abort("left by a failed test")
    scan_id = RE.md.get("scan_id")  # runs of the store keep counting, as in one session
    RE.md.clear()
    RE.md.update(metadata)
    if scan_id is not None:
        RE.md["scan_id"] = scan_id
    for station, beam in zip(stations, beams, strict=True):
        station.beam = beam
    s.potentiostat.open_circuit()
