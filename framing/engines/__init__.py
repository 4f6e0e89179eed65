"""Engines run batch tasks and yield their records in input order: `local` (worker processes on this
machine) and `dask` (a Dask cluster; imported only when asked for, its packages are an optional extra).

Both take `(tasks, analyzer, with_text)` and turn every document problem into an error record through
`local.analyze_task`; only the machinery failing raises (BrokenProcessPool, errors.EngineError).
"""
