"""What produced a result: software versions, a digest of the package's code, platform,
command line and time.

Recorded in every run's ``summary.json`` and every sweep's ``sweep.json``, so that a result
can be traced to the code and libraries that made it. A sweep or a calibration is resumed
only by the code that began it: the version string alone would let an edited checkout add
results from another model to it.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
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


#: Sub-packages that cannot change a result (the browser app), left out of the digest.
NOT_MODEL = ("viz",)


def source_digest(root: str | Path | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the package's Python files apart from
    :data:`NOT_MODEL`, each by its path inside the package and its text with line endings
    made ``\\n`` (so a checkout with Windows line endings gives the same digest); ``root``
    is the package folder (this package's by default). Hidden files and folders (editor
    backups, notebook checkpoints) and anything but regular files are left out. Any other
    edit, a comment included, changes it.

    This package's digest is taken once, at the first call in a process: code edited after
    that is recorded under the digest it was started with.
    """
    if root is None:
        return _own_source_digest()
    root = Path(root)
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root)
        if rel.parts[0] in NOT_MODEL or any(part.startswith(".") for part in rel.parts):
            continue
        if f.is_symlink() or not f.is_file():
            continue
        text = f.read_bytes().replace(b"\r\n", b"\n")
        h.update(rel.as_posix().encode() + b"\0" + text + b"\0")
    return h.hexdigest()[:16]


@cache
def _own_source_digest() -> str:
    return source_digest(Path(__file__).parent)


def provenance() -> dict[str, Any]:
    """Versions, the source digest, platform, the command line (``sys.argv``) and the time
    (UTC, ISO 8601).

    The command line and time differ between otherwise identical runs: keep them out of
    anything compared or hashed (a sweep's fingerprint is of its experiment only).
    """
    return {
        "versions": versions(),
        "source_digest": source_digest(),
        "platform": platform.platform(),
        "command": list(sys.argv),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
