"""Local process pools: a forkserver that has imported the model, shared by sweeps, the
validator and the sensitivity screen.

Light on purpose (no Mesa, pandas or pyarrow here), so that a command can start the
forkserver first and let its imports run beside the parent's own.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext

#: One thread per library in the forkserver and its workers (unless the user set otherwise):
#: a process that forks should hold no threads, and a pool wants one thread per worker.
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


def worker_count(workers: int | None) -> int:
    """Workers to use: ``workers`` if given, else one per core."""
    return int(workers or os.cpu_count() or 1)


def warm_forkserver(preload: Sequence[str]) -> BaseContext:
    """The forkserver context, its server started now and importing ``preload`` in the background.

    Without this every worker is a fresh interpreter importing collabsim, Mesa and pandas
    (about 1.5 s of CPU each) before its first task. With it, that import happens once, in
    the forkserver, while the parent gets on with other work, and workers are forked from
    it ready to run. Results do not depend on any of this: each task is seeded by its own seed.
    The server lives as long as the parent, so only the first call's ``preload`` counts; a
    later pool's workers import whatever else they need when its first task arrives.
    """
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    added = [k for k in ONE_THREAD if k not in os.environ]
    os.environ.update({k: ONE_THREAD[k] for k in added})
    try:
        forkserver.ensure_running()  # no-op if an earlier pool started it
    finally:
        for k in added:
            os.environ.pop(k, None)
    return ctx


@contextmanager
def process_pool(workers: int, preload: Sequence[str]) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` processes forked from the warm forkserver, or None for one worker
    (run in this process). ``pool.map`` keeps the order of its inputs."""
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=warm_forkserver(preload))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
