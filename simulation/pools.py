"""Local process pools: a forkserver that has imported the model, shared by sweeps (and so
the sensitivity analysis) and the validator.

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


def die_with(owner: int) -> None:
    """End this process soon after process ``owner`` ends, however it ends.

    A pool worker's parent is the forkserver, and the forkserver lives as long as any of its
    workers, so neither notices when the process that uses the pool is killed. A thread
    waits on that process (a pidfd on Linux, else polling); and the kernel is asked to
    SIGKILL this process if its own parent, the forkserver, dies (Linux).
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    import select
    import threading

    def watch() -> None:
        try:
            fd = os.pidfd_open(owner)
        except (AttributeError, OSError):
            fd = None
        while True:
            if fd is not None:
                select.select([fd], [], [])  # readable once ``owner`` has ended
                os._exit(1)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="collabsim-die-with-owner", daemon=True).start()


#: Where a worker announces the task it starts (set by :func:`worker_init`), or None.
_started = None


def worker_init(owner: int, started=None) -> None:
    """Initializer of a pool worker: ends with process ``owner`` (the one using the pool),
    leaves Ctrl-C to it (it ends the workers itself) and, given a queue, announces each task
    it starts there."""
    global _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(owner)


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
