"""The model's compiled kernels, loaded on first use.

The kernels themselves are in :mod:`simulation.compiled`. Importing numba takes about a third
of a second, so this module stands in for it: the state and the mechanisms import
``kernels`` freely, and numba loads only when a kernel is first called (commands that never
step a model, such as ``collabsim --help`` or reading a sweep, never load it).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from . import compiled

    kernel = getattr(compiled, name)
    globals()[name] = kernel  # later look-ups find it directly
    return kernel
