"""Atomic writes: the target holds the complete old or new content, and no temporary is left."""

import fnmatch
import os

import pytest

from simulation import files


class Boom(Exception):
    pass


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    files.write_text(target, "old\n")
    files.write_text(target, "new\n")
    assert target.read_text() == "new\n" and leftovers(tmp_path) == []


def test_failure_mid_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "part-00000.parquet"
    target.write_bytes(b"old")
    with pytest.raises(Boom), files.atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the ne")
        assert tmp.parent == tmp_path and tmp.exists()
        raise Boom
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_temporary_names_are_hidden_and_ignored_by_git(tmp_path):
    # .gitignore ignores ".*.tmp*"; Parquet readers skip names starting with a dot.
    name = files.temp_name(tmp_path / "runs.csv").name
    assert name.startswith(".") and fnmatch.fnmatch(name, ".*.tmp*")
    assert str(os.getpid()) in name


def test_atomic_dir_replaces_a_whole_directory(tmp_path):
    out = tmp_path / "run"
    with files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("1")
        (tmp / "b.txt").write_text("1")
        assert fnmatch.fnmatch(tmp.name, ".*.tmp*")
    with files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    assert (out / "a.txt").read_text() == "2" and leftovers(tmp_path) == []


def test_atomic_dir_failure_keeps_the_old_directory(tmp_path):
    out = tmp_path / "run"
    with files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("old")
    with pytest.raises(Boom), files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("new")
        raise Boom
    assert (out / "a.txt").read_text() == "old" and leftovers(tmp_path) == []


def test_atomic_dir_puts_the_old_directory_back_if_the_swap_fails(tmp_path, monkeypatch):
    out = tmp_path / "run"
    with files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("old")
    real = type(out).rename

    def rename(self, target):
        if self.name.startswith(".run.tmp") and not self.name.endswith(".old"):
            raise OSError("disk gone")  # the new directory cannot be moved into place
        return real(self, target)

    monkeypatch.setattr(type(out), "rename", rename)
    with pytest.raises(OSError), files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("new")
    assert (out / "a.txt").read_text() == "old" and leftovers(tmp_path) == []


def test_atomic_dir_gives_the_directory_normal_permissions(tmp_path):
    """Not mkdtemp's private 0700: what any new directory gets under the umask."""
    old = os.umask(0o027)
    try:
        with files.atomic_dir(tmp_path / "run") as tmp:
            (tmp / "a.txt").write_text("1")
        assert (tmp_path / "run").stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(old)
