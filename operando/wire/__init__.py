"""Documents on the wire: every document of the session to a broker, for other processes.

- 0MQ (bluesky's own): the session's :func:`zmq_publisher` sends to a ``bluesky-0MQ-proxy``
  (or :func:`run_zmq_proxy`); consumers use ``bluesky.callbacks.zmq.RemoteDispatcher``. Live
  only: a consumer that is down misses what was sent meanwhile.
- NATS JetStream (durable, :mod:`.jetstream`): a consumer that was down catches up.

Which brokers a session publishes to: ``[broker] zmq = "host:port"`` and ``nats =
"nats://host:port"`` in the configuration, or ``$OPERANDO_ZMQ`` / ``$OPERANDO_NATS``.
"""

from __future__ import annotations

import os
from typing import Any


def configured_brokers() -> dict[str, str]:
    """The brokers to publish to (``{"zmq": ..., "nats": ...}``, either may be absent)."""
    out = {}
    for kind in ("zmq", "nats"):
        value = os.environ.get(f"OPERANDO_{kind.upper()}")
        if value:
            out[kind] = value
    if len(out) < 2:
        from ..storage.credentials import _config_section

        for kind, value in _config_section("broker").items():
            out.setdefault(kind, str(value))
    return out


def zmq_publisher(address: str) -> Any:
    """bluesky's 0MQ Publisher to a proxy's input at ``host:port``."""
    from bluesky.callbacks.zmq import Publisher

    return Publisher(address)


def run_zmq_proxy(in_port: int, out_port: int) -> None:
    """Run bluesky's 0MQ proxy (publishers connect to in_port, consumers to out_port)."""
    from bluesky.callbacks.zmq import Proxy

    Proxy(in_port, out_port).start()


def make_publishers(brokers: dict[str, str] | None = None) -> dict[str, Any]:
    """The session's broker callbacks, by kind."""
    brokers = configured_brokers() if brokers is None else brokers
    out: dict[str, Any] = {}
    if brokers.get("zmq"):
        out["zmq"] = zmq_publisher(brokers["zmq"])
    if brokers.get("nats"):
        from .jetstream import JetStreamPublisher

        out["nats"] = JetStreamPublisher(brokers["nats"])
    return out
