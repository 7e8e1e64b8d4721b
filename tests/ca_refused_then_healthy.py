"""Run as a script by test_ca_client: a server that refuses kills caproto's search thread;
a healthy IOC must still connect afterwards. Prints one line per outcome."""

import os
import socket
import threading

import caproto as ca

from operando.devices.control_layer import configure_control_layer
from operando.sim.ioc.launch import SimulatedBeamline, ca_client_env, free_port


def answer_searches_with_a_closed_port(sock: socket.socket, closed_port: int) -> None:
    """A UDP search responder whose servers refuse every TCP connection."""
    broadcaster = ca.Broadcaster(our_role=ca.SERVER)
    while True:
        data, address = sock.recvfrom(65536)
        for command in broadcaster.recv(data, address):
            if isinstance(command, ca.SearchRequest):
                answer = ca.SearchResponse(
                    port=closed_port, ip="127.0.0.1", cid=command.cid, version=13
                )
                sock.sendto(broadcaster.send(ca.VersionResponse(13), answer), address)


def main() -> None:
    configure_control_layer("caproto")
    from caproto.threading.pyepics_compat import PV
    from ophyd import EpicsSignal

    refusing = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    refusing.bind(("127.0.0.1", 0))
    threading.Thread(
        target=answer_searches_with_a_closed_port,
        args=(refusing, free_port()),
        daemon=True,
    ).start()
    os.environ.update(ca_client_env(refusing.getsockname()[1]))
    ghost = EpicsSignal("REFUSED:PV", name="ghost")
    try:
        ghost.wait_for_connection(timeout=2)
    except Exception:
        print("refused PV: not connected")
    search_thread = PV.default_context()._process_search_results_thread
    print("search thread alive:", search_thread.is_alive())
    with SimulatedBeamline(time_scale=1.0) as sim:
        os.environ.update(sim.client_env())
        clock = EpicsSignal(f"{sim.prefix}PSTAT:Time", name="clock")
        clock.wait_for_connection(timeout=10)
        print("healthy PV connected:", clock.connected, "and read:", clock.get() >= 0)


if __name__ == "__main__":
    main()
