"""``flow_from_directory``'s iterator: augmented batches from a class-per-folder tree.

The tree is listed once (``engine.scan``, the legacy walk and order); nothing is opened until
a batch needs it. Decoding, the pipeline and targets come from ``FileIterator``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from augwidgets.engine.iterators.files import CLASS_MODES, FileIterator, FileList
from augwidgets.engine.scan import scan_directory
from augwidgets.image.pipeline import ImageSettings


class DirectoryIterator(FileIterator):
    """Augmented batches from a class-per-folder tree: a ``keras.utils.PyDataset``.

    Attributes (as legacy): ``class_indices``, ``classes``, ``filenames``, ``filepaths``,
    ``samples``, ``num_classes``, ``labels``, ``batch_size``, ``image_shape``,
    ``target_size``, ``color_mode``, ``class_mode``, ``directory``, ``n``, ``seed``.
    New: ``skipped`` lists ``(filename, reason)`` for files that could not be decoded,
    ``ignored`` lists hidden entries that were not read, ``verify()`` checks all files now.

    Examples:
        >>> from augwidgets import ImageDataGenerator, datasets
        >>> root = datasets.digits("data/digits")
        >>> it = DirectoryIterator(root / "train", ImageDataGenerator(),
        ...                        target_size=(32, 32), color_mode="grayscale")
        Found 1438 images belonging to 10 classes.
        >>> it.samples, it.num_classes, it.image_shape
        (1438, 10, (32, 32, 1))
    """

    allowed_class_modes = set(CLASS_MODES)

    def __init__(
        self,
        directory: str | os.PathLike,
        image_data_generator: Any = None,
        target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        dtype: str | None = None,
        *,
        resize: str = "legacy",
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ):
        generator = image_data_generator
        # Check the arguments before listing a possibly huge tree.
        self._check_class_mode(class_mode)
        ImageSettings(target_size=target_size, color_mode=color_mode,
                      interpolation=interpolation, resize=resize)
        self.split = split = self._subset_split(generator, subset)
        self.subset = subset
        self.directory = os.fspath(directory)
        # Lists files only (os.walk); nothing is opened until it is decoded.
        listing = scan_directory(self.directory, classes=classes, follow_links=follow_links,
                                 split=split)
        self.ignored = listing.ignored
        files = FileList(listing.filenames,
                         [os.path.join(self.directory, name) for name in listing.filenames],
                         listing.classes, listing.class_indices)
        super().__init__(generator, files, target_size=target_size, color_mode=color_mode,
                         class_mode=class_mode, batch_size=batch_size, shuffle=shuffle,
                         seed=seed, data_format=data_format, save_to_dir=save_to_dir,
                         save_prefix=save_prefix, save_format=save_format,
                         interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio,
                         resize=resize, dtype=dtype, workers=workers,
                         use_multiprocessing=use_multiprocessing,
                         max_queue_size=max_queue_size)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")

    @property
    def labels(self) -> np.ndarray:
        return self.classes
