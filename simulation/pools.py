"""Local process pools: a forkserver that has imported the model, shared by sweeps, the
validator and the sensitivity screen.

Light on purpose (no Mesa, pandas or pyarrow here), so that a command can start the
forkserver first and let its imports run beside the parent's own.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
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


def cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under ``taskset`` or Slurm)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def worker_count(workers: int | None) -> int:
    """Workers to use: ``workers`` if given, else one per core this process may use."""
    return int(workers or cores())


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux; elsewhere nothing).

    A pool worker's parent is the forkserver, which exits when the process that started it
    does, so a killed sweep leaves no workers behind.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


#: Where a worker announces the task it starts (set by :func:`worker_init`), or None.
_started = None


def worker_init(started=None) -> None:
    """Initializer of a pool worker: dies with its parent, leaves Ctrl-C to the parent (which
    ends the workers itself) and, given a queue, announces each task it starts there."""
    global _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def announce(key: str) -> None:
    """In a worker: tell the parent that task ``key`` starts now, in this process."""
    if _started is not None:
        import time

        _started.put((key, os.getpid(), time.monotonic()))


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
