"""What produced a result: software versions, platform, command line and time.

Recorded in every run's ``summary.json`` and every sweep's ``sweep.json``, so that a result
can be traced to the code and libraries that made it.
"""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import __version__

#: Libraries whose versions can change results, by distribution name.
LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "mesa")


def _version(dist: str) -> str | None:
    # Read from the installed metadata, which does not import the library.
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """collabsim, Python and the libraries of :data:`LIBRARIES`, by name."""
    return {
        "collabsim": __version__,
        "python": platform.python_version(),
        **{dist: _version(dist) for dist in LIBRARIES},
    }


def provenance() -> dict[str, Any]:
    """Versions, platform, the command line (``sys.argv``) and the time (UTC, ISO 8601).

    The command line and time differ between otherwise identical runs: keep them out of
    anything compared or hashed (a sweep's fingerprint is of its experiment only).
    """
    return {
        "versions": versions(),
        "platform": platform.platform(),
        "command": list(sys.argv),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
