"""Imported once by multiprocessing's forkserver (`set_forkserver_preload`, output/pipeline/workers.py): loads
GiNZA there, so that every worker process forked from it — the run's two, and each one started again after a
file was ended at its limits — has the model without loading it (≈4 CPU-s and 3–4 s each).

The forkserver forks its workers from its only thread, so nothing loaded here may start a thread: numpy's
OpenBLAS starts one per extra core when it is loaded, unless OPENBLAS_NUM_THREADS says 1 (its documented
setting). It is set for that import only and the forkserver's environment put back; each worker then takes its
own environment from the process that asked for it (`workers._init_worker`).

Whatever goes wrong here only costs the preload: a worker that finds no model loads it itself (`warm_worker`).
"""

from __future__ import annotations

import os

MODEL_LOADED_IN = 0  # the process id that loaded the detector here (0: not loaded by the preload)
DETECTOR_ID = 0  # id() of that detector: a forked worker's detector is the same object


def _without_blas_threads() -> None:
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy  # noqa: F401  (OpenBLAS reads the setting when it is loaded)
    finally:
        if before is None:
            del os.environ["OPENBLAS_NUM_THREADS"]
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = before


def _load() -> None:
    global MODEL_LOADED_IN, DETECTOR_ID
    _without_blas_threads()
    from classifiers.engine import get_detector
    from output.pipeline.steps import warm_worker

    warm_worker()  # quiet loggers, the detector and GiNZA, then gc.freeze(): the forked workers share it all
    MODEL_LOADED_IN, DETECTOR_ID = os.getpid(), id(get_detector())


try:
    _load()
except Exception:  # noqa: BLE001 — the forkserver must start anyway; each worker then loads the model itself
    MODEL_LOADED_IN = 0
