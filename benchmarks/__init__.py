"""Benchmarks of operando: ``python -m benchmarks`` prints every measurement against a baseline
measured in the same run (see benchmarks/README.md)."""
