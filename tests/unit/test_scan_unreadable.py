"""Paths the scan cannot enter are reported in ``ignored`` with the reason, and a warning.

``os.walk`` (and so the legacy iterator) drops a folder it cannot list without a word: its
images are in neither ``filenames`` nor any report.
"""

from __future__ import annotations

import os

import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import write_tree


def _scan(root, **kwargs):
    with pytest.warns(UserWarning, match="could not be read") as caught:
        iterator = ImageDataGenerator().flow_from_directory(str(root), target_size=(8, 8),
                                                            **kwargs)
    return iterator, " ".join(str(w.message) for w in caught)


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch, legacy):
    root = write_tree(tmp_path / "t", {"cat": ["a.png", "locked/b.png"], "dog": ["c.png"]})
    locked = os.path.join(str(root), "cat", "locked")
    scandir = os.scandir

    def refuse(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    theirs = legacy().flow_from_directory(str(root), target_size=(8, 8))
    iterator, message = _scan(root)
    assert iterator.filenames == theirs.filenames == ["cat/a.png", "dog/c.png"]
    assert dict(iterator.ignored)["cat/locked"] == "cannot be listed: Permission denied"
    assert "cat/locked" in message and "Permission denied" in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="chmod does not keep root out of a folder")
def test_a_folder_without_permissions_is_reported(tmp_path):
    root = write_tree(tmp_path / "t", {"cat": ["a.png", "locked/b.png"], "dog": ["c.png"]})
    os.chmod(root / "cat" / "locked", 0)
    try:
        iterator, _ = _scan(root)
    finally:
        os.chmod(root / "cat" / "locked", 0o755)
    assert dict(iterator.ignored)[os.path.join("cat", "locked")].startswith("cannot be listed")


def test_a_path_longer_than_the_os_allows_is_reported(tmp_path):
    """A folder whose path is over PATH_MAX: made with directory descriptors, which is how
    such trees come about (an unpacked archive, a sync tool)."""
    root = write_tree(tmp_path / "t", {"cat": ["a.png"], "dog": ["c.png"]})
    limit = os.pathconf(str(tmp_path), "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
    name = "d" * 200
    fd = os.open(root / "cat", os.O_RDONLY)
    depth = 0
    try:
        while len(str(root / "cat")) + depth * (len(name) + 1) <= limit + len(name):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = inner, depth + 1
        image = os.open("deep.png", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(image, (root / "cat" / "a.png").read_bytes())
        os.close(image)
    finally:
        os.close(fd)
    iterator, _ = _scan(root)
    assert iterator.filenames == ["cat/a.png", "dog/c.png"]
    reasons = [reason for path, reason in iterator.ignored if path.startswith("cat/" + name)]
    assert reasons and all(r.startswith("cannot be listed: File name too long") for r in reasons)


@pytest.mark.parametrize("follow_links", [True, False])
def test_a_broken_symbolic_link_is_reported(tmp_path, follow_links):
    root = write_tree(tmp_path / "t", {"cat": ["a.png"], "dog": ["c.png"]})
    os.symlink(tmp_path / "gone", root / "cat" / "more")  # a moved dataset folder
    os.symlink(tmp_path / "gone.png", root / "dog" / "d.png")
    os.symlink(tmp_path / "gone", root / "bird")  # a class folder
    iterator, message = _scan(root, follow_links=follow_links)
    assert iterator.filenames == ["cat/a.png", "dog/c.png"]
    ignored = dict(iterator.ignored)
    for path in ("cat/more", "dog/d.png", "bird"):
        assert ignored[path].startswith("broken symbolic link"), path
        assert path in message


def test_a_readable_tree_warns_nothing(tmp_path, recwarn):
    root = write_tree(tmp_path / "t", {"cat": ["a.png"], "dog": ["c.png"]})
    iterator = ImageDataGenerator().flow_from_directory(str(root), target_size=(8, 8))
    assert iterator.ignored == []
    assert not [w for w in recwarn if "could not be read" in str(w.message)]
