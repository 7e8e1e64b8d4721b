"""Documents on a durable broker: NATS JetStream, in bluesky-nats' message format.

Every document goes to subject ``<subject>.<document name>`` (default ``operando.docs``) of a
file-backed stream, packed with ormsgpack as bluesky-nats does, with its ``run_id`` header,
so bluesky-nats' ``NATSDispatcher`` reads the same stream. On top of that:

- :class:`JetStreamPublisher` never blocks acquisition: documents are queued and published
  in order by a thread of their own, each retried until the broker acknowledges it (a broker
  restarted mid-run loses nothing), with a ``Nats-Msg-Id`` (run uid + document number) so a
  retried document is stored once.
- :class:`DurableConsumer` is a named JetStream consumer: the broker remembers what it has
  acknowledged, so a consumer that was down resumes where it stopped. Each document is
  delivered to the callback once, in stream order (redeliveries are recognised by their
  stream sequence and dropped).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

STREAM = "OPERANDO"
SUBJECT = "operando.docs"
RETRY_S = 0.2


def _pack(doc: dict) -> bytes:
    from ormsgpack import OPT_NAIVE_UTC, OPT_SERIALIZE_NUMPY, packb

    return packb(doc, option=OPT_NAIVE_UTC | OPT_SERIALIZE_NUMPY)


async def _connect(servers: str | list[str]):
    import nats

    return await nats.connect(
        servers=servers if isinstance(servers, list) else [servers],
        allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=RETRY_S,
        connect_timeout=2, error_cb=_quiet, disconnected_cb=_noted, reconnected_cb=_noted,
    )  # fmt: skip


async def _quiet(exc: Exception) -> None:
    """nats-py prints a traceback per failed reconnection attempt by default."""
    logger.debug("nats: %s", exc)


async def _noted() -> None:
    logger.info("nats connection state changed")


async def ensure_stream(js, stream: str = STREAM, subject: str = SUBJECT) -> None:
    """Create the file-backed stream of documents if the broker does not have it."""
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(name=stream, subjects=[f"{subject}.>"], storage=StorageType.FILE)
        )


class JetStreamPublisher:
    """A RunEngine callback publishing every document to JetStream (see the module doc).

    Parameters
    ----------
    servers : ``nats://host:port`` (or a list).
    subject, stream : where the documents go.
    """

    def __init__(self, servers: str | list[str], subject: str = SUBJECT, stream: str = STREAM):
        self.servers, self.subject, self.stream = servers, subject, stream
        self._queue: queue.Queue = queue.Queue()
        self._counter = itertools.count()
        self._run_uid = "none"
        self.published = 0
        self.retries = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, daemon=True, name="jetstream-pub")
        self._thread.start()

    def __call__(self, name: str, doc: dict) -> None:
        if name == "start":
            self._run_uid, self._counter = doc["uid"], itertools.count()
        msg_id = f"{self._run_uid}:{next(self._counter)}"
        self._queue.put((name, _pack(doc), self._run_uid, msg_id))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued document is acknowledged (True) or timeout s pass."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def close(self, timeout: float = 30.0) -> bool:
        done = self.flush(timeout)
        self._stop.set()
        self._queue.put(None)
        self._thread.join(5)
        return done

    def _work(self) -> None:
        asyncio.run(self._publish_forever())

    async def _publish_forever(self) -> None:
        nc = None
        while nc is None and not self._stop.is_set():
            try:
                nc = await _connect(self.servers)
                await ensure_stream(nc.jetstream(), self.stream, self.subject)
            except Exception as exc:  # noqa: BLE001 - the broker is not up yet: retry
                logger.warning("document broker %s not reachable (%s); retrying", self.servers, exc)
                nc = None
                await asyncio.sleep(1.0)
        js = nc.jetstream()
        loop = asyncio.get_running_loop()
        while True:
            item = await loop.run_in_executor(None, self._queue.get)
            if item is None:
                self._queue.task_done()
                break
            name, payload, run_uid, msg_id = item
            headers = {"run_id": run_uid, "Nats-Msg-Id": msg_id}
            while True:  # until acknowledged: a broker outage delays documents, loses none
                try:
                    await js.publish(f"{self.subject}.{name}", payload, headers=headers, timeout=2)
                    self.published += 1
                    break
                except Exception as exc:  # noqa: BLE001 - timeouts, reconnecting, no responders
                    self.retries += 1
                    if self.retries % 25 == 1:
                        logger.warning("publishing %s failed (%s); retrying", name, exc)
                    await asyncio.sleep(RETRY_S)
            self._queue.task_done()
        await nc.drain()


class DurableConsumer:
    """Deliver the stream's documents to a callback, once each and in order, resuming where
    this consumer (by name) last acknowledged.

    from_start : for a consumer the broker does not know yet, begin with the first document
        the stream holds (else: with the next one published).
    """

    def __init__(
        self,
        servers: str | list[str],
        durable: str,
        callback: Callable[[str, dict], Any],
        *,
        from_start: bool = False,
        subject: str = SUBJECT,
        stream: str = STREAM,
    ):
        self.servers, self.durable, self.callback = servers, durable, callback
        self.from_start, self.subject, self.stream = from_start, subject, stream
        self.last_sequence = 0
        self.delivered = 0
        self.duplicates = 0

    async def run(self, stop: asyncio.Event, idle_stop_s: float | None = None) -> None:
        """Consume until stop is set (or nothing came for idle_stop_s seconds)."""
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from ormsgpack import unpackb

        nc = await _connect(self.servers)
        js = nc.jetstream()
        await ensure_stream(js, self.stream, self.subject)
        config = ConsumerConfig(
            durable_name=self.durable, ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL if self.from_start else DeliverPolicy.NEW,
            ack_wait=30,
        )  # fmt: skip
        sub = await js.pull_subscribe(
            f"{self.subject}.>", durable=self.durable, stream=self.stream, config=config
        )
        idle_since = time.monotonic()
        try:
            while not stop.is_set():
                try:
                    messages = await sub.fetch(256, timeout=0.5)
                except (TimeoutError, NatsTimeout):
                    if idle_stop_s is not None and time.monotonic() - idle_since > idle_stop_s:
                        break
                    continue
                except Exception as exc:  # noqa: BLE001 - broker restarting: try again
                    logger.warning("fetching from the broker failed (%s); retrying", exc)
                    await asyncio.sleep(RETRY_S)
                    continue
                idle_since = time.monotonic()
                for msg in messages:
                    seq = msg.metadata.sequence.stream
                    if seq <= self.last_sequence:
                        self.duplicates += 1  # a redelivery of what was handled: ack only
                    else:
                        self.callback(msg.subject.rsplit(".", 1)[-1], unpackb(msg.data))
                        self.last_sequence = seq
                        self.delivered += 1
                    await msg.ack()
        finally:
            await nc.close()  # acknowledgements already sent; nothing pending to drain
