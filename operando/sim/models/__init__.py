"""Physics of the simulated beamline: cell, gas, spectra, instruments (no Channel Access)."""
