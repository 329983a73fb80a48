"""Benchmarks: figures printed, never asserted in tests (run with `make bench`)."""
