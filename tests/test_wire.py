"""Documents on the wire: NATS JetStream (durable) and bluesky's 0MQ proxy."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from bluesky import RunEngine
from bluesky import plan_stubs as bps
from ophyd.sim import det

N_EVENTS = 240


class ConsumerThread:
    """A DurableConsumer in a thread of its own, started and stopped as a process would be."""

    def __init__(self, servers: str, name: str, received: list, subject: str, stream: str):
        from operando.wire.jetstream import DurableConsumer

        self.consumer = DurableConsumer(
            servers, name, lambda n, d: received.append((n, d)), from_start=True,
            subject=subject, stream=stream,
        )  # fmt: skip
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        async def main():
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self.consumer.run(self._stop)

        asyncio.run(main())

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)
        assert not self._thread.is_alive()


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def as_sent(docs):
    """The documents as a consumer unpacks them (msgpack: arrays become lists)."""
    from ormsgpack import unpackb

    from operando.wire.jetstream import _pack

    return [(n, unpackb(_pack(d))) for n, d in docs]


def run_with_hooks(publisher, hooks: dict) -> list:
    """One RunEngine run of N_EVENTS events of ophyd.sim's det; hooks[i]() runs before
    event i. Returns every document the RunEngine emitted."""
    RE = RunEngine({})
    emitted: list = []
    RE.subscribe(lambda n, d: emitted.append((n, d)))
    RE.subscribe(publisher)

    def plan():
        yield from bps.open_run(md={"plan_name": "wire_test"})
        for i in range(N_EVENTS):
            if i in hooks:
                hooks[i]()
            yield from bps.trigger_and_read([det])
        yield from bps.close_run()

    RE(plan())
    return emitted


@pytest.mark.slow
def test_a_durable_consumer_down_for_the_middle_third_gets_every_document_once(nats_service):
    from operando.wire.jetstream import JetStreamPublisher

    subject, stream = "t1.docs", "T1"
    publisher = JetStreamPublisher(nats_service.uri, subject=subject, stream=stream)
    received: list = []
    state: dict = {}

    def start_consumer():
        state["c"] = ConsumerThread(nats_service.uri, "middle-third", received, subject, stream)

    def stop_consumer():  # once it has what was published so far, as a process that exits
        assert publisher.flush(20)
        wait_until(lambda: len(received) >= 2 + N_EVENTS // 3)
        state["c"].stop()
        state["at_stop"] = len(received)

    hooks = {0: start_consumer, N_EVENTS // 3: stop_consumer, 2 * N_EVENTS // 3: start_consumer}
    emitted = run_with_hooks(publisher, hooks)
    assert publisher.flush(30)
    wait_until(lambda: len(received) >= len(emitted))
    time.sleep(0.5)  # a duplicate, if any, would arrive now
    state["c"].stop()
    publisher.close()
    assert received == as_sent(emitted)  # every document, once, in order
    caught_up = state["c"].consumer.delivered
    print(f"{len(emitted)} documents published; consumer received {state['at_stop']} before "
          f"it stopped, {caught_up} after its restart (catch-up included), "
          f"{len(received)} in all, 0 duplicates")  # fmt: skip
    assert caught_up == len(emitted) - state["at_stop"]


@pytest.mark.slow
def test_a_broker_restarted_mid_run_loses_nothing(nats_service, tmp_path):
    """The publisher retries until acknowledged; a durable consumer connected throughout
    resumes: every document once, in order."""
    from operando.services import start_nats
    from operando.wire.jetstream import JetStreamPublisher

    broker = start_nats(tmp_path)
    subject, stream = "t2.docs", "T2"
    publisher = JetStreamPublisher(broker.uri, subject=subject, stream=stream)
    received: list = []
    state: dict = {}

    def start_consumer():
        state["c"] = ConsumerThread(broker.uri, "through-restart", received, subject, stream)

    def restart_broker():
        broker.stop()
        state["down"] = len(received)
        state["broker"] = start_nats(port=broker.port, directory=broker.directory)

    try:
        emitted = run_with_hooks(publisher, {0: start_consumer, N_EVENTS // 2: restart_broker})
        assert publisher.flush(60)
        wait_until(lambda: len(received) >= len(emitted), 60)
        time.sleep(0.5)
        state["c"].stop()
        publisher.close()
    finally:
        state.get("broker", broker).stop()
    assert received == as_sent(emitted)
    events = sum(1 for n, _ in emitted if n == "event")
    got = sum(1 for n, _ in received if n == "event")
    print(f"broker restarted mid-run: {events} events recorded, {got} received by the durable "
          f"consumer ({publisher.retries} publish retries)")  # fmt: skip


@pytest.mark.slow
def test_the_zmq_proxy_carries_a_run_to_a_remote_dispatcher():
    import multiprocessing

    from bluesky.callbacks.zmq import RemoteDispatcher

    from operando.services import free_port, wait_for_port
    from operando.wire import run_zmq_proxy, zmq_publisher

    in_port, out_port = free_port(), free_port()
    proxy = multiprocessing.get_context("spawn").Process(
        target=run_zmq_proxy, args=(in_port, out_port), daemon=True
    )
    proxy.start()
    received: list = []
    loop = asyncio.new_event_loop()
    dispatcher = RemoteDispatcher(f"127.0.0.1:{out_port}", loop=loop)
    dispatcher.subscribe(lambda n, d: received.append(n))

    def listen():
        try:
            dispatcher.start()
        except asyncio.CancelledError:
            pass  # stopped by the test

    listener = threading.Thread(target=listen, daemon=True)
    try:
        wait_for_port("127.0.0.1", in_port, 30)
        wait_for_port("127.0.0.1", out_port, 30)
        listener.start()
        publisher = zmq_publisher(f"127.0.0.1:{in_port}")

        # 0MQ is live only: a subscriber not yet joined misses documents. Probe until one
        # arrives (the subscription has reached the proxy), then start from a clean list.
        def joined() -> bool:
            publisher("start", {"uid": "probe", "time": 0.0})
            return bool(received)

        wait_until(joined, 30)
        wait_until(lambda: received.count("start") == len(received))  # probes only
        received.clear()
        run_with_hooks(publisher, {})
        wait_until(lambda: "stop" in received)
    finally:
        loop.call_soon_threadsafe(dispatcher._task.cancel)
        listener.join(5)
        # Close the 0MQ sockets now (linger 0): a context left to the garbage collector
        # blocks in term() on a socket that still holds unsent messages.
        dispatcher._socket.close(linger=0)
        dispatcher._context.destroy(linger=0)
        if "publisher" in locals():
            publisher._socket.close(linger=0)
            publisher.close()
        proxy.terminate()
        proxy.join(5)
    assert received[0] == "start" and received[-1] == "stop"
    assert received.count("event") == N_EVENTS


@pytest.mark.slow
def test_operando_listen_analyses_a_sessions_run_in_another_process(
    nats_service, beamline, tmp_path
):
    import subprocess
    import sys

    from served import operando_env

    from operando.plans import ocv_rest
    from operando.sample import sample_for
    from operando.session import make_session

    lnro = sample_for("lnro", 3.85, 1.54)
    with make_session(str(tmp_path / "data"), prefix=beamline.prefix, ca_port=beamline.port,
                      progress=False, brokers={"nats": nats_service.uri}) as s:  # fmt: skip
        s.assemble_sim_cell(lnro)
        (uid,) = s.RE(ocv_rest(s.potentiostat, lnro, 3600.0, record_dt_s=60.0))
        local = s.run_summary.summary.to_json()
    # The session has gone; a listener started now catches up from the broker.
    out = subprocess.run(
        [sys.executable, "-m", "operando.cli", "listen", "--nats", nats_service.uri,
         "--from-start", "--runs", "1", "--json", "--no-progress", "--name", "t-listen"],
        env=operando_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    remote = json.loads(out.stdout.strip().splitlines()[-1])
    assert remote == json.loads(json.dumps(local))  # the same summary, computed elsewhere
    assert uid in out.stdout and "listened: 1 runs" in out.stderr
