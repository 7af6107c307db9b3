"""Benchmarks of the template: render time, time to first result, rerun cost, environment
size and test time, measured on this machine and published to docs/benchmarks.md.

Run ``make bench`` (or ``python -m benchmarks.run --help`` for quick partial runs).
"""
