"""Channel Access clients keep finding servers: servers' ports lie outside the ephemeral
range (operando.sim.ioc.launch.free_port), and caproto's shared client keeps connecting new
PVs after a server refused a connection (operando.devices.ca_search)."""

import subprocess
import sys
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
