"""The local worker pool's process context: a forkserver that has imported the model.

Kept apart from the runner, which imports Mesa, pandas and pyarrow, so that the command
line can start the forkserver first and let its imports run beside the parent's own.
"""
from __future__ import annotations

import multiprocessing as mp
import os


def worker_count(workers: int | None) -> int:
    """Workers to use: ``workers`` if given, else one per core."""
    return int(workers or os.cpu_count() or 1)


#: Modules the forkserver imports once, so that each worker it forks starts with them.
PRELOAD = ["simulation.sweep.runner", "simulation.run"]
#: One thread per library in the forkserver and its workers (unless the user set otherwise):
#: a process that forks should hold no threads, and a pool wants one thread per worker.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "JE_ARROW_MALLOC_CONF": "background_thread:false"}


def warm_forkserver():
    """The forkserver context, its server started now and importing the model in the background.

    Without this every worker is a fresh interpreter importing collabsim, Mesa and pandas
    (about 1.5 s of CPU each) before its first run. With it, that import happens once, in
    the forkserver, while the parent gets on with other work, and workers are forked from
    it ready to run. Runs do not depend on any of this: each is seeded by its own seed.
    """
    from multiprocessing import forkserver
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    added = [k for k in ONE_THREAD if k not in os.environ]
    os.environ.update({k: ONE_THREAD[k] for k in added})
    try:
        forkserver.ensure_running()   # no-op if an earlier sweep started it
    finally:
        for k in added:
            os.environ.pop(k, None)
    return ctx
