"""Atomic file writes: a reader sees the complete old file or the complete new one, never part.

Everything is written under a hidden temporary name beside its target (``.NAME.tmpPID``,
which ``.gitignore`` and Parquet readers skip), made durable with fsync, and renamed into
place; a failure removes the temporary and leaves the target as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temp_name(path: Path) -> Path:
    """The hidden temporary name beside ``path`` that this process writes to."""
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (the directory entry itself is data too)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def umask() -> int:
    """This process's umask (read without changing it where the system allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_file(path: Path) -> None:
    # Reopened, so that it works whoever wrote the file (pyarrow, matplotlib, DuckDB).
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; on leaving the block, the
    file there replaces ``path`` atomically. Writers that guess the format from the name
    should be told the format explicitly."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_bytes(path, text.encode())


@contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yield a new temporary directory to fill; on leaving the block it replaces ``path``
    whole, so ``path`` holds either the complete old or the complete new set of files.

    A directory cannot be renamed over a non-empty one, so the old one is first moved aside
    (and moved back if the swap fails); between those two renames ``path`` is briefly absent.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp", dir=path.parent))
    # mkdtemp makes it private (0700); the result should be like any other new directory.
    tmp.chmod(0o777 & ~umask())
    try:
        yield tmp
        for f in tmp.iterdir():
            if f.is_file():
                _fsync_file(f)
        fsync_dir(tmp)
        old = path.with_name(f".{path.name}.tmp{os.getpid()}.old")
        if path.exists():
            path.rename(old)
            try:
                tmp.rename(path)
            except BaseException:
                old.rename(path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(path.parent)
