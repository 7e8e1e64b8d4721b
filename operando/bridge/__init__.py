"""The bridge IOC: the potentiostat of the instrument contract (docs/instrument-contract.md)
served over a small driver interface, so that a lab connects its own instrument by writing
the few calls of :class:`~operando.bridge.driver.PotentiostatDriver` to its vendor library.

- :mod:`.driver`: the interface a lab implements (start a procedure of steps, stop, read
  the channel's state, read the points recorded since the last read).
- :mod:`.memory`: an in-memory driver (a linear cell: OCV linear in charge plus a series
  resistance), the reference the integration tests run against.
- :mod:`.ioc`: the Channel Access server: Seq/DoneSeq, the paged buffer, compliance checks,
  LastError, exactly as the simulator serves them (the same PV groups).

``python -m operando.bridge --prefix BL7: --driver operando.bridge.memory:InMemoryPotentiostat``
"""
