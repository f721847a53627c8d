"""Benchmarks, kept out of the test run: run one with ``python -m benchmarks.<module>``."""
