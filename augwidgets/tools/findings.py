"""``Finding``: one observation about a configuration or a dataset, with what to do.

``diagnose`` (settings) and ``check_dataset`` (folders) both report them; the suggestion
they share, ``resize="fast"`` for photos far larger than the target, is written here once.

Examples:
    >>> str(Finding("rescale", "error", "rescale=255 multiplies by 255."))
    'error: rescale: rescale=255 multiplies by 255.'
    >>> fast_resize_finding(2000, 3000, (224, 224)).severity
    'info'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from augwidgets.engine.scan import scan_directory

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One observation about a configuration.

    Args:
        parameter: the generator argument it is about (or ``steps_per_epoch``, ``role``;
            for ``check_dataset``, the topic: ``files``, ``classes``, ``duplicates``...).
        severity: ``"info"``, ``"warning"`` or ``"error"``.
        message: what is wrong, why, and how to fix it.
        files: the files or folders involved, if any.

    Examples:
        >>> str(Finding("rescale", "error", "rescale=255 multiplies by 255."))
        'error: rescale: rescale=255 multiplies by 255.'
    """

    parameter: str
    severity: str
    message: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.parameter}: {self.message}"


@lru_cache(maxsize=32)
def _typical_size_cached(path: str, stamp: tuple[int, ...],
                         count: int = 8) -> tuple[int, int, int] | None:
    """Median (rows, cols) of a few images spread over the tree, and how many are JPEGs."""
    del stamp  # part of the cache key only
    from augwidgets.image.decode import ImageDecodeError, check_image

    filepaths = scan_directory(path).filepaths
    picked = filepaths[:: max(1, len(filepaths) // count)][:count]
    sizes, jpegs = [], 0
    for file in picked:
        try:
            header = check_image(file)  # reads the header only
        except ImageDecodeError:
            continue
        sizes.append((header.height, header.width))
        jpegs += header.format == "JPEG"
    if not sizes:
        return None
    rows, cols = np.median(np.asarray(sizes), axis=0)
    return int(rows), int(cols), jpegs


def resize_finding(directory: str | os.PathLike,
                    target_size: tuple[int, int]) -> Finding | None:
    """The ``resize="fast"`` suggestion for a class-per-folder tree (a few headers read)."""
    path = Path(directory)
    stamp = [path.stat().st_mtime_ns]
    stamp += [entry.stat().st_mtime_ns for entry in os.scandir(path) if entry.is_dir()]
    typical = _typical_size_cached(os.fspath(path), tuple(stamp))
    if typical is None:
        return None
    rows, cols, jpegs = typical
    return fast_resize_finding(rows, cols, target_size, jpegs=jpegs)


def fast_resize_finding(rows: int, cols: int, target_size: tuple[int, int], *,
                        jpegs: int = 1, files: tuple[str, ...] = ()) -> Finding | None:
    """The ``resize="fast"`` suggestion for JPEGs of about ``rows`` x ``cols`` pixels, or
    ``None`` when they are less than 4 times ``target_size`` (or no JPEGs were seen)."""
    factor = min(rows / target_size[0], cols / target_size[1])
    if factor < 4 or not jpegs:
        return None
    return Finding(
        "resize", "info",
        f"Your images are about {cols}x{rows} pixels, {factor:.0f} times target_size "
        f"{tuple(target_size)}: most of each epoch goes into decoding pixels that the resize "
        "throws away. With augwidgets you can pass flow_from_directory(..., resize='fast'): "
        "JPEGs are then decoded at 1/2, 1/4 or 1/8 scale and the resize is folded into the "
        "warp, several times faster on photos. The pixels then differ slightly from the "
        "legacy generator's (the default, resize='legacy', matches them exactly).", files)
