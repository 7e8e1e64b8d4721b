"""The client classes tiled gives the store's nodes, private to each client.

tiled picks a node's client class from a map shared by every client in the process
(``DEFAULT_STRUCTURE_CLIENT_DISPATCH``). bluesky-tiled-plugins' ``.v2`` accessors (used by
databroker's ``Broker``, i.e. ``session.db``) "copy" that map with ``copy.copy``, which shares
its storage, and set ``BlueskyRun`` to the v2 class: after one ``db[-1]`` every later client
in the process would present runs as ``BlueskyRunV2SQL``, without the v3 streams the writer,
the in-place completion and replay read. Each client therefore gets its own map, with
``BlueskyRun`` fixed to the v3 class.
"""

from __future__ import annotations


def _bluesky_run_v3():
    from bluesky_tiled_plugins.clients.bluesky_run import BlueskyRunV3

    return BlueskyRunV3


def structure_clients():
    """A private copy of tiled's numpy client map (entry points included), ``BlueskyRun``
    presented as ``BlueskyRunV3``."""
    from tiled.client.container import DEFAULT_STRUCTURE_CLIENT_DISPATCH, Container
    from tiled.utils import OneShotCachedMap

    Container.discover_clients_from_entrypoints()  # idempotent: adds BlueskyRun & co.
    clients = OneShotCachedMap()
    # __getstate__/__setstate__ is the map's own (shallow) copy protocol; the dict() makes
    # the storage this map's own.
    clients.__setstate__(dict(DEFAULT_STRUCTURE_CLIENT_DISPATCH["numpy"].__getstate__()))
    clients.set("BlueskyRun", _bluesky_run_v3)
    return clients
