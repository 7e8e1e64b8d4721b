"""Readers of measured data files (no analysis here: ``operando.analysis`` computes)."""
