"""A fixed, seeded, class-balanced subset of a class-per-folder tree.

Small training sets are where "too little augmentation" becomes visible, so experiments
train on ``per_class`` images of every class. ``balanced_subset`` picks them (the same
files for the same seed, whatever the machine) and ``subset_tree`` lays them out as a
class-per-folder tree of links, so any ``flow_from_directory`` (ours or the legacy one)
reads the subset without copying the images.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")
    >>> names = balanced_subset(root / "train", 20, seed=0)
    >>> len(names)
    200
"""

from __future__ import annotations

import numbers
import os
import shutil
from pathlib import Path

import numpy as np

from augwidgets.engine.scan import scan_directory


def balanced_subset(directory: str | os.PathLike, per_class: int, *, seed: int = 0
                    ) -> list[str]:
    """``per_class`` files of every class, drawn without replacement with ``seed``.

    Args:
        directory: a class-per-folder tree.
        per_class: how many files of each class; at most the smallest class's count.
        seed: seeds the draw; each class's pick depends only on the seed and its files.

    Returns:
        Paths relative to ``directory`` (``"class/file.png"``), in the legacy listing order.

    Raises:
        ValueError: for a ``per_class`` that is not a positive int or exceeds a class.
    """
    if (not isinstance(per_class, numbers.Integral) or isinstance(per_class, bool)
            or per_class < 1):
        raise ValueError(f"`per_class` must be a positive int. Received: per_class={per_class!r}")
    listing = scan_directory(directory)
    chosen: list[str] = []
    for name, index in listing.class_indices.items():
        files = [f for f, c in zip(listing.filenames, listing.classes) if c == index]
        if len(files) < per_class:
            raise ValueError(
                f"`per_class` must be at most the size of the smallest class; class {name!r} "
                f"has {len(files)} images. Received: per_class={per_class!r}")
        # One generator per class, keyed by its index, so adding a class changes no other pick.
        rng = np.random.default_rng([int(seed), index])
        picked = np.sort(rng.choice(len(files), size=int(per_class), replace=False))
        chosen += [files[i] for i in picked]
    return chosen


def subset_tree(directory: str | os.PathLike, filenames: list[str],
                target: str | os.PathLike) -> Path:
    """Lays ``filenames`` (relative to ``directory``) out under ``target`` as links.

    Symbolic links where the system allows them, copies elsewhere. Empty class folders of
    ``directory`` are created too, so the class indices stay those of the whole tree.

    Returns:
        ``target`` as a ``Path``.
    """
    source, target = Path(directory), Path(target)
    for name in scan_directory(source).class_indices:
        (target / name).mkdir(parents=True, exist_ok=True)
    for name in filenames:
        link = target / name
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.symlink(os.path.abspath(source / name), link)
        except OSError:  # e.g. Windows without the symlink privilege
            shutil.copyfile(source / name, link)
    return target
