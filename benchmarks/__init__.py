"""ehrsim's benchmarks: `python -m benchmarks` measures the engine and writes RESULTS.md.

One module per measurement (:mod:`benchmarks.mm3`, :mod:`benchmarks.throughput`,
:mod:`benchmarks.backlog`, :mod:`benchmarks.memory`, :mod:`benchmarks.parallel`,
:mod:`benchmarks.overheads`, :mod:`benchmarks.profiling`), the shared timing helpers in
:mod:`benchmarks.common`, the bare heapq M/M/c loop in :mod:`benchmarks.heapq_mm3`, and the
report in :mod:`benchmarks.report`.  Nothing here is imported by the engine.
"""
