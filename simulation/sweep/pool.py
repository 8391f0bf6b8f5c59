"""The sweep's local worker pool: the shared forkserver (:mod:`simulation.pools`), preloaded
with the sweep runner.

Kept apart from the runner, which imports Mesa, pandas and pyarrow, so that the command
line can start the forkserver first and let its imports run beside the parent's own.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from .. import pools
from ..pools import ONE_THREAD, worker_count

__all__ = ["ONE_THREAD", "PRELOAD", "warm_forkserver", "worker_count"]

#: Modules the forkserver imports once, so that each worker it forks starts with them.
PRELOAD = ["simulation.sweep.runner", "simulation.run"]


def warm_forkserver() -> BaseContext:
    """The forkserver context, started now and importing the sweep runner in the background."""
    return pools.warm_forkserver(PRELOAD)
