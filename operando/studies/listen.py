"""Live analysis in another process: consume the documents a session publishes.

``operando listen`` feeds whatever runs (any session publishing to the broker) to the same
live callbacks an acquisition session has: the progress line, the run summary (printed at
each stop document) and, with ``--figures DIR``, the live figure saved per run.
"""

from __future__ import annotations

import asyncio
import getpass
import pathlib
from collections.abc import Callable
from typing import Any

from ..errors import BadRequest


class Listener:
    """Routes documents to the live callbacks; calls on_summary(uid, summary, error) at
    each stop document."""

    def __init__(self, on_summary: Callable[[str, Any, str | None], None], *,
                 progress: bool = True, figures: str | None = None):  # fmt: skip
        from ..analysis.run_summary import RunSummary
        from ..display.progress import ProgressDisplay

        self.summary = RunSummary()
        self.progress = ProgressDisplay() if progress else None
        self.figures = None
        self.figures_dir = pathlib.Path(figures) if figures else None
        if self.figures_dir is not None:
            from ..display.live_plots import LivePlots

            self.figures_dir.mkdir(parents=True, exist_ok=True)
            self.figures = LivePlots(min_interval_s=1e9)  # drawn once, at the stop
        self.on_summary = on_summary
        self.documents = 0
        self.runs = 0

    def __call__(self, name: str, doc: dict) -> None:
        self.documents += 1
        for cb in (self.summary, self.progress, self.figures):
            if cb is not None:
                cb(name, doc)
        if name == "stop":
            uid = doc["run_start"]  # runs may interleave (two endstations): this stop's run
            self.runs += 1
            if self.figures is not None:
                self.figures.draw()
                self.figures.save(self.figures_dir / f"{uid}.png")
            self.on_summary(uid, self.summary.summary, self.summary.error)


def listen_nats(servers: str, listener: Listener, *, name: str | None = None,
                from_start: bool = False, runs: int | None = None,
                idle_exit_s: float | None = None) -> int:  # fmt: skip
    """Consume JetStream as the durable consumer ``name`` until interrupted, ``runs`` stop
    documents, or idle_exit_s seconds without a document. Returns documents delivered."""
    from ..wire.jetstream import DurableConsumer

    durable = name or f"listen-{getpass.getuser()}"
    stop = asyncio.Event()

    def route(n: str, doc: dict) -> None:
        listener(n, doc)
        if runs is not None and listener.runs >= runs:
            stop.set()

    consumer = DurableConsumer(servers, durable, route, from_start=from_start)
    asyncio.run(_run(consumer, stop, idle_exit_s))
    return consumer.delivered


async def _run(consumer, stop, idle_exit_s) -> None:
    await consumer.run(stop, idle_stop_s=idle_exit_s)


def listen_zmq(address: str, listener: Listener, *, runs: int | None = None) -> None:
    """Consume bluesky's 0MQ proxy (live only) until interrupted or ``runs`` stops."""
    from bluesky.callbacks.zmq import RemoteDispatcher

    dispatcher = RemoteDispatcher(address)

    def route(n: str, doc: dict) -> None:
        listener(n, doc)
        if runs is not None and listener.runs >= runs:
            dispatcher.stop()

    dispatcher.subscribe(route)
    dispatcher.start()


def choose_broker(nats: str | None, zmq: str | None) -> tuple[str, str]:
    """("nats"|"zmq", address) from the options, else the configuration."""
    if nats and zmq:
        raise BadRequest("listen to one broker: --nats or --zmq, not both")
    if nats or zmq:
        return ("nats", nats) if nats else ("zmq", zmq)
    from ..wire import configured_brokers

    brokers = configured_brokers()
    if "nats" in brokers:
        return "nats", brokers["nats"]
    if "zmq" in brokers:
        return "zmq", brokers["zmq"]
    raise BadRequest(
        "no broker: give --nats nats://HOST:PORT or --zmq HOST:PORT (or [broker] in the "
        "configuration, or $OPERANDO_NATS / $OPERANDO_ZMQ)"
    )
