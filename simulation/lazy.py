"""Package attributes that load their module on first use (PEP 562).

The package roots re-export the model, the sweep runner and the validator, which import
Mesa, pandas and SciPy (about two seconds). Loading those on first use keeps
`collabsim --help` instant and lets `collabsim sweep` start its worker pool before the
parent has imported them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def exports(package: str, where: dict[str, str]) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package``: ``name`` comes from module ``where[name]``."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{where[name]}", package), name)
        namespace[name] = value  # later look-ups are ordinary attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
