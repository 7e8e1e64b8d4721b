"""Reports of stored runs: figures, the markdown report, the published values it compares with."""
