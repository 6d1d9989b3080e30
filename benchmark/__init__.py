"""Benchmarks: the ESCO-sized import, and the page load and search latency of a large organisation (run.py)."""
