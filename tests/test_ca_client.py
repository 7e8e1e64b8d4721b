"""Channel Access clients keep finding servers: servers' ports lie outside the ephemeral
range (operando.sim.ioc.launch.free_port), and caproto's shared client keeps connecting new
PVs after a server refused a connection (operando.devices.ca_search)."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("ca_refused_then_healthy.py")


def test_server_ports_lie_outside_the_ports_client_sockets_are_given():
    from operando.sim.ioc.launch import ephemeral_port_range, free_port

    low, high = ephemeral_port_range()
    ports = [free_port() for _ in range(50)]
    assert not any(low <= port <= high for port in ports), (low, high, ports)
    assert len(set(ports)) > 40  # drawn at random: two processes rarely draw the same


@pytest.mark.slow  # run in a subprocess: the fault ends a thread of the process
def test_a_healthy_ioc_connects_after_another_server_refused_a_connection():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    # The fault happened: caproto's own search thread ended on the refusal.
    assert "ConnectionRefusedError" in done.stderr
    assert "refused PV: not connected" in done.stdout
    assert "search thread alive: True" in done.stdout
    assert "healthy PV connected: True and read: True" in done.stdout


def test_a_closed_session_keeps_no_thread_and_no_channel_access_callback(beamline, tmp_path):
    """Sessions made one after another in one process (a shell that reconnects, this test
    suite) do not pile up: caproto runs every callback of a shared PV again for each new
    one, so a session that kept its callbacks made every later one slower."""
    import gc
    import threading

    from operando.session import make_session

    def new_session(name):
        return make_session(str(tmp_path / name), prefix=beamline.prefix,
                            ca_port=beamline.port, progress=False)  # fmt: skip

    def shared_pvs(s):
        """Two of the process's shared caproto PVs: a device's component, and a LastError
        signal made beside a motor's components (which ophyd's destroy does not reach)."""
        return [s.potentiostat.ewe._read_pv._caproto_pv,
                s.hard_xray.mono.last_error._read_pv._caproto_pv]  # fmt: skip

    def callbacks_on(pvs):
        return [len(pv.connection_state_callback.callbacks) for pv in pvs]

    with new_session("first") as s:
        pvs = shared_pvs(s)
    del s
    gc.collect()
    callbacks = callbacks_on(pvs)
    threads = {t.ident for t in threading.enumerate()}
    for i in range(2):
        with new_session(f"again{i}") as s:
            assert s.potentiostat.ewe.get() is not None
        del s
    gc.collect()
    # (at most: callbacks of other tests' devices in this process may be collected meanwhile)
    after = callbacks_on(pvs)
    assert all(now <= then for now, then in zip(after, callbacks, strict=True)), (after, callbacks)
    deadline = time.monotonic() + 5.0
    while {t.ident for t in threading.enumerate()} - threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.ident not in threads] == []


def test_closing_a_session_with_a_paused_run_stores_it_as_aborted(beamline, tmp_path):
    """A run left paused (Ctrl-C, then the shell closed) is ended before the session
    releases its storage: its stop document is stored, exit status abort."""
    import bluesky.plan_stubs as bps
    import bluesky.preprocessors as bpp
    from bluesky.utils import RunEngineInterrupted

    from operando.session import make_session
    from operando.storage import open_store

    s = make_session(str(tmp_path / "data"), prefix=beamline.prefix, ca_port=beamline.port,
                     progress=False)  # fmt: skip

    @bpp.run_decorator(md={"purpose": "paused, then the session closed"})
    def paused():
        yield from bps.checkpoint()
        yield from bps.pause()

    with pytest.raises(RunEngineInterrupted):
        s.RE(paused())
    assert s.RE.state == "paused"
    s.close()
    with open_store(tmp_path / "data") as store:
        assert store.run(-1).metadata["stop"]["exit_status"] == "abort"
