"""The explorer's images: a class-per-folder directory listed once, samples kept decoded.

Each sample is decoded and resized exactly as the iterator does it (``image.pipeline``), so
a slider move only warps a few small images.

Examples:
    >>> ImageSource("/no/such/dir")
    Traceback (most recent call last):
    ...
    ValueError: No such directory: '/no/such/dir'. Pass the folder that holds one \
subfolder per class, e.g. 'data/train'.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from augwidgets.engine.scan import WHITE_LIST_FORMATS, scan_directory
from augwidgets.image.decode import ImageDecodeError
from augwidgets.image.pipeline import ImageSettings, load_image, resize_image

_CACHE_SIZE = 64


@dataclass(frozen=True)
class SampleImage:
    """One decoded source image and its class.

    Args:
        filename: the legacy relative name, ``"class/file.png"``.
        label: the class name.
        pixels: uint8, decoded and resized as the iterator does it (``ImageSource``); RGB
            may carry a fourth padding channel, as the pipeline's decoder gives it.
    """

    filename: str
    label: str
    pixels: np.ndarray = field(repr=False)


def _scan(directory: str | os.PathLike) -> tuple[list[str], list[str], list[str]]:
    """Filenames, paths and class names in the legacy order, with a clear message for a
    missing path, a folder without class folders, and class folders without images."""
    path = Path(directory)
    if not path.exists():
        raise ValueError(f"No such directory: '{directory}'. Pass the folder that holds one "
                         "subfolder per class, e.g. 'data/train'.")
    if not path.is_dir():
        raise ValueError(f"'{directory}' is a file, not a directory. Pass the folder that "
                         "holds one subfolder per class.")
    listing = scan_directory(str(directory))
    if not listing.class_indices:
        raise ValueError(f"'{directory}' has no class subfolders. flow_from_directory expects "
                         "directory/<class name>/<image file>: put each class's images into "
                         "its own subfolder.")
    if not listing.filenames:
        classes = list(listing.class_indices)
        raise ValueError(f"'{directory}' has {len(classes)} class folder(s) "
                         f"({', '.join(classes[:5])}) but no images "
                         f"(.{', .'.join(WHITE_LIST_FORMATS)}).")
    names = {index: name for name, index in listing.class_indices.items()}
    labels = [names[int(c)] for c in listing.classes]
    return list(listing.filenames), [str(p) for p in listing.filepaths], labels


class ImageSource:
    """A class-per-folder directory, listed once, with its decoded images cached.

    Args:
        directory: the folder with one subfolder per class.
        target_size: ``(height, width)``; cached images keep at most twice this size.

    Raises:
        ValueError: with a clear message for a missing path, a directory without class
            folders, or class folders without images.

    Examples:
        >>> ImageSource("/no/such/dir")
        Traceback (most recent call last):
        ...
        ValueError: No such directory: '/no/such/dir'. Pass the folder that holds one \
subfolder per class, e.g. 'data/train'.
    """

    def __init__(self, directory: str | os.PathLike, target_size: tuple[int, int] = (224, 224),
                 *, color_mode: str = "rgb", interpolation: str = "nearest",
                 keep_aspect_ratio: bool = False, resize: str = "legacy"):
        self.directory = str(directory)
        self.settings = ImageSettings(target_size=tuple(target_size), color_mode=color_mode,
                                      interpolation=interpolation,
                                      keep_aspect_ratio=keep_aspect_ratio, resize=resize)
        self.target_size = self.settings.target_size
        self.filenames, self.filepaths, self.labels = _scan(directory)
        self.skipped: list[tuple[str, str]] = []
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self.filenames)

    @property
    def class_names(self) -> list[str]:
        return sorted(set(self.labels))

    def pixels(self, index: int) -> np.ndarray:
        """Image ``index`` decoded and resized as the iterator does it (cached; raises
        ``ImageDecodeError`` if broken)."""
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        image = resize_image(load_image(self.filepaths[index], self.settings), self.settings)
        image = np.ascontiguousarray(image)
        self._cache[index] = image
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return image

    def sample(self, count: int, *, seed: int = 0, round: int = 0) -> list[SampleImage]:
        """A fixed, class-balanced sample: ``count`` images (repeating if there are fewer).

        Broken files are skipped and recorded in ``skipped`` as ``(filename, reason)``.
        The same ``seed`` and ``round`` give the same images.
        """
        rng = np.random.RandomState(seed + 7919 * round)
        by_class: dict[str, list[int]] = {}
        for index, label in enumerate(self.labels):
            by_class.setdefault(label, []).append(index)
        queues = [list(rng.permutation(indices)) for indices in by_class.values()]
        order = []
        for class_index in rng.permutation(len(queues)).tolist() * max(map(len, queues)):
            if queues[class_index]:
                order.append(queues[class_index].pop(0))
        chosen: list[SampleImage] = []
        skipped = {name for name, _reason in self.skipped}
        for index in order:
            if len(chosen) == count:
                break
            if self.filenames[index] in skipped:
                continue
            try:
                pixels = self.pixels(int(index))
            except ImageDecodeError as error:  # reported as the core's iterators report it
                self.skipped.append((self.filenames[index], error.reason))
                continue
            chosen.append(SampleImage(self.filenames[index], self.labels[index], pixels))
        if not chosen:
            raise ValueError(f"None of the {len(self)} images in '{self.directory}' could be "
                             f"decoded; first problem: {self.skipped[0][1]}")
        available = len(chosen)
        while len(chosen) < count:
            chosen.append(chosen[len(chosen) % available])
        return chosen
