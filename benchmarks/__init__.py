"""minigrad's benchmark suite: minigrad against torch (CPU) and NumPy-based peers on the same work.

`python -m benchmarks --help` for the report; `pytest benchmarks --benchmark-only` for pytest-benchmark.
"""
