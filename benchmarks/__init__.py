"""Benchmarks run by `make bench`: each bench_* module's run() returns lines to print."""
