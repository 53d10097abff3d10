"""Which Prefect task runner runs the batch tasks: local worker processes, or an existing Dask cluster.

- `--dask-address tcp://host:8786`: prefect-dask's `DaskTaskRunner(address=...)` sends each batch to the
  cluster. The workers need the same installation (sealreview + ja_ginza) and must see the input and
  output folders at the same paths (shared storage). Remote workers also need a real Prefect API
  (`prefect server start`, PREFECT_API_URL): a run's temporary 127.0.0.1 server is reachable only from
  the same machine (a LocalCluster).
- otherwise `--workers N` local processes (GiNZA loaded once per process), or one thread for N = 1.
"""

from __future__ import annotations

from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from flows.pipeline import warm_worker


def task_runner(workers: int, dask_address: str | None = None):
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=workers, initializer=warm_worker)


def describe(workers: int, dask_address: str | None = None) -> str:
    """How the run is parallelised, in words for the log and the run record."""
    if dask_address:
        return f"Dask クラスタ {dask_address}"
    return f"ローカル {workers} プロセス" if workers > 1 else "ローカル 1 プロセス"
