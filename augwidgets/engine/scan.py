"""Scan a class-per-folder tree exactly as the legacy ``DirectoryIterator`` does.

The walk, sort order, class indices, relative ``filenames`` and the per-class
``validation_split`` slicing are the legacy ones, so the same tree gives the same
attributes. Four deliberate fixes, each reported rather than silent:

- hidden files and folders (``.ipynb_checkpoints``, ``.DS_Store``, macOS ``._*`` files)
  are skipped, and listed in ``DirectoryListing.ignored``;
- with ``follow_links=True`` a symlink loop is visited once instead of forever;
- a folder that cannot be listed (no permission, a path longer than the OS allows, gone
  mid-scan) and a symbolic link whose target is missing are listed in ``ignored`` with the
  reason, and a warning names them (``os.walk``, and so legacy, drops them without a word);
- a missing directory raises ``ValueError`` naming the path.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.shapes("data/shapes", num_per_class=10)
    >>> listing = scan_directory(root / "train")
    >>> listing.class_indices
    {'circle': 0, 'square': 1, 'triangle': 2}
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

#: The legacy extension white list (matched case-insensitively).
WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


def _hidden(name: str) -> bool:
    return name.startswith(".")


@dataclass
class DirectoryListing:
    """The images found under a directory, in the legacy order.

    Attributes:
        directory: the scanned directory, as given.
        class_indices: class name -> index.
        filenames: paths relative to ``directory`` ("class/sub/file.png").
        classes: class index of every file (int32).
        ignored: ``(relative path, reason)`` for entries that were not read: hidden ones,
            symlink loops, folders that cannot be listed and broken symbolic links.
    """

    directory: str
    class_indices: dict[str, int]
    filenames: list[str]
    classes: np.ndarray
    ignored: list[tuple[str, str]] = field(default_factory=list)

    @property
    def filepaths(self) -> list[str]:
        return [os.path.join(self.directory, name) for name in self.filenames]

    @property
    def num_classes(self) -> int:
        return len(self.class_indices)


def _walk(top: str, follow_links: bool, ignored: list[tuple[str, str]], base: str):
    """os.walk without hidden entries, visiting each real directory once."""
    seen: set[tuple[int, int]] = set()

    def unlisted(error: OSError) -> None:
        path = error.filename if error.filename is not None else top
        ignored.append((os.path.relpath(path, base), _UNLISTED + _reason(error)))

    for root, dirs, files in os.walk(top, followlinks=follow_links, onerror=unlisted):
        try:
            stat = os.stat(root)
        except OSError as error:  # gone, or not reachable, since it was listed
            unlisted(error)
            dirs[:] = []
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            ignored.append((os.path.relpath(root, base), "symlink loop (already visited)"))
            dirs[:] = []
            continue
        seen.add(key)
        for name in [d for d in dirs if _hidden(d)]:
            ignored.append((os.path.relpath(os.path.join(root, name), base), "hidden folder"))
        dirs[:] = [d for d in dirs if not _hidden(d)]
        hidden_files = [f for f in files if _hidden(f)]
        for name in hidden_files:
            ignored.append((os.path.relpath(os.path.join(root, name), base), "hidden file"))
        visible = [f for f in files if not _hidden(f)]
        broken = [f for f in visible if _dangling(os.path.join(root, f))]
        for name in broken:
            ignored.append((os.path.relpath(os.path.join(root, name), base), _BROKEN_LINK))
        yield root, [f for f in visible if f not in broken]


_UNLISTED = "cannot be listed: "
_BROKEN_LINK = "broken symbolic link (its target does not exist)"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _dangling(path: str) -> bool:
    # os.walk lists a link to a missing target among the files: it is neither.
    return os.path.islink(path) and not os.path.exists(path)


def _warn_unreadable(directory: str, ignored: list[tuple[str, str]]) -> None:
    unreadable = [(path, reason) for path, reason in ignored
                  if reason.startswith(_UNLISTED) or reason == _BROKEN_LINK]
    if unreadable:
        shown = "; ".join(f"{path} ({reason})" for path, reason in unreadable[:5])
        more = f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else ""
        warnings.warn(f"{len(unreadable)} path(s) under {directory!r} could not be read and "
                      f"are not in the listing: {shown}{more}. All are in `.ignored`.",
                      stacklevel=4)


def _class_files(directory: str, class_name: str, follow_links: bool,
                 split: tuple[float, float] | None,
                 ignored: list[tuple[str, str]]) -> list[str]:
    class_dir = os.path.join(directory, class_name)
    # Legacy: sorted(os.walk(...), key=root), then sorted files in each root.
    walked = sorted(_walk(class_dir, follow_links, ignored, directory), key=lambda item: item[0])
    found = [
        os.path.join(class_name, os.path.relpath(os.path.join(root, name), class_dir))
        for root, files in walked
        for name in sorted(files)
        if name.lower().endswith(WHITE_LIST_FORMATS)
    ]
    if split:
        start, stop = int(split[0] * len(found)), int(split[1] * len(found))
        found = found[start:stop]
    return found


def scan_directory(
    directory: str | os.PathLike,
    *,
    classes: list[str] | None = None,
    follow_links: bool = False,
    split: tuple[float, float] | None = None,
) -> DirectoryListing:
    """List the images of a class-per-folder tree in the legacy order.

    Args:
        directory: the tree's root; each sub-folder is a class.
        classes: explicit class names (and their order), as in ``flow_from_directory``.
        follow_links: follow symlinked folders (loops are visited once).
        split: ``(start, stop)`` fractions of each class's files to keep, as the legacy
            ``subset`` does with ``validation_split``.

    Raises:
        ValueError: if ``directory`` is not a directory, or a named class folder is missing.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` must be an existing folder with one sub-folder per "
                         f"class. Received: directory={directory!r}")
    ignored: list[tuple[str, str]] = []
    if not classes:
        classes = []
        for name in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, name)):
                if _hidden(name):
                    ignored.append((name, "hidden folder"))
                else:
                    classes.append(name)
            elif _dangling(os.path.join(directory, name)) and not _hidden(name):
                ignored.append((name, _BROKEN_LINK))
    else:
        missing = [c for c in classes if not os.path.isdir(os.path.join(directory, c))]
        if missing:
            raise ValueError(f"`classes` names folders that do not exist under {directory!r}: "
                             f"{missing}. Received: classes={list(classes)!r}")
    class_indices = {name: index for index, name in enumerate(classes)}
    filenames: list[str] = []
    labels: list[int] = []
    for name in classes:
        files = _class_files(directory, name, follow_links, split, ignored)
        filenames += files
        labels += [class_indices[name]] * len(files)
    _warn_unreadable(directory, ignored)
    return DirectoryListing(directory, class_indices, filenames,
                            np.asarray(labels, dtype="int32"), ignored)
