"""caproto's shared client keeps connecting new PVs after a server refused a connection
(operando.devices.ca_search). Run in a subprocess: the fault ends a thread of the process."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("ca_refused_then_healthy.py")


@pytest.mark.slow
def test_a_healthy_ioc_connects_after_another_server_refused_a_connection():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    # The fault happened: caproto's own search thread ended on the refusal.
    assert "ConnectionRefusedError" in done.stderr
    assert "refused PV: not connected" in done.stdout
    assert "search thread alive: True" in done.stdout
    assert "healthy PV connected: True and read: True" in done.stdout
