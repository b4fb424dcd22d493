"""``flow_from_dataframe``'s iterator: the rows ``engine.frame.read_frame`` keeps, as batches.

The frame logic (which rows become samples, their targets and weights) is
``engine.frame``; this iterator hands its ``FrameSamples`` to ``FileIterator``, which
decodes lazily and runs the one image pipeline.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

from augwidgets.engine.frame import CLASS_MODES, read_frame
from augwidgets.engine.iterators.files import FileIterator, FileList
from augwidgets.image.pipeline import ImageSettings


class DataFrameIterator(FileIterator):
    """Augmented batches from a frame of file names and targets: a ``keras.utils.PyDataset``.

    ``ImageDataGenerator.flow_from_dataframe`` builds it. Attributes as legacy:
    ``filenames``, ``filepaths``, ``samples``, ``labels``, ``sample_weight``,
    ``image_shape``, ``directory``, and for the labelled class modes ``classes`` and
    ``class_indices``. New: ``dropped`` lists the rows left out when the iterator was built
    (``DroppedRow(row, filename, reason)``), ``rows`` the frame index of each sample, and
    ``skipped`` the files that failed to decode later, as in ``flow_from_directory``.

    Examples:
        >>> import pandas as pd
        >>> from augwidgets import ImageDataGenerator, datasets
        >>> root = datasets.shapes("data/shapes", num_per_class=10)
        >>> frame = pd.DataFrame({"filename": ["circle/00000.png", "square/00002.png"],
        ...                       "class": ["circle", "square"]})
        >>> it = DataFrameIterator(frame, root / "train", ImageDataGenerator(),
        ...                        target_size=(32, 32), shuffle=False)
        Found 2 validated image filenames belonging to 2 classes.
        >>> it.class_indices, it.dropped
        ({'circle': 0, 'square': 1}, [])
    """

    allowed_class_modes = set(CLASS_MODES)

    def __init__(
        self,
        dataframe: Any,
        directory: str | os.PathLike | None = None,
        image_data_generator: Any = None,
        x_col: str = "filename",
        y_col: Any = "class",
        weight_col: str | None = None,
        target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb",
        classes: Sequence[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        dtype: str | None = None,
        validate_filenames: bool = True,
        *,
        resize: str = "legacy",
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ):
        generator = image_data_generator
        # Legacy order: image settings and subset first, then the frame.
        ImageSettings(target_size=target_size, color_mode=color_mode,
                      interpolation=interpolation, resize=resize)
        self.split = split = self._subset_split(generator, subset)
        self.subset = subset
        self.directory = os.fspath(directory) if directory else ""
        self.x_col, self.y_col, self.weight_col = x_col, y_col, weight_col
        self.validate_filenames = bool(validate_filenames)
        frame = read_frame(dataframe, self.directory, x_col=x_col, y_col=y_col,
                           weight_col=weight_col, classes=classes, class_mode=class_mode,
                           validate_filenames=validate_filenames, split=split)
        self.frame_samples = frame
        self.rows = frame.rows
        self.dropped = frame.dropped
        # Legacy has neither classes nor class_indices without classes; None and {} here.
        files = FileList(frame.filenames, frame.filepaths,
                         frame.classes if frame.class_indices is not None else None,
                         frame.class_indices if frame.class_indices is not None else {},
                         targets=frame.targets, sample_weight=frame.sample_weight)
        super().__init__(generator, files, target_size=target_size, color_mode=color_mode,
                         class_mode=class_mode, batch_size=batch_size, shuffle=shuffle,
                         seed=seed, data_format=data_format, save_to_dir=save_to_dir,
                         save_prefix=save_prefix, save_format=save_format,
                         interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio,
                         resize=resize, dtype=dtype, workers=workers,
                         use_multiprocessing=use_multiprocessing,
                         max_queue_size=max_queue_size)
        print(frame.message)

    def _describe(self, index: int) -> str:
        return f"row {self.rows[index]!r} ({self._filepaths[index]})"


_DEPRECATED = {
    "has_ext": "has_ext is deprecated, filenames in the dataframe have to match the exact "
               "filenames in disk.",
    "sort": "sort is deprecated, batches will be created in the same order than the filenames "
            "provided if `shuffle` is set to `False`.",
    "drop_duplicates": "drop_duplicates is deprecated, you can drop duplicates by using the "
                       "pandas.DataFrame.drop_duplicates method.",
}


def legacy_dataframe_options(deprecated: dict[str, Any], class_mode: str | None, *,
                             stacklevel: int = 2) -> str | None:
    """Legacy ``flow_from_dataframe``'s retired options: each of ``has_ext``, ``sort`` and
    ``drop_duplicates`` warns (in legacy's words) and is ignored; ``class_mode="other"``
    warns and means ``"raw"``. Any other keyword is a ``TypeError``. Returns the class mode.
    """
    unknown = sorted(set(deprecated) - set(_DEPRECATED))
    if unknown:
        raise TypeError(f"flow_from_dataframe() got an unexpected keyword argument "
                        f"{unknown[0]!r}. Received: {unknown[0]}={deprecated[unknown[0]]!r}")
    for name in deprecated:
        warnings.warn(_DEPRECATED[name], DeprecationWarning, stacklevel=stacklevel + 1)
    if class_mode == "other":
        warnings.warn('`class_mode="other"` is deprecated, please use `class_mode="raw"`.',
                      DeprecationWarning, stacklevel=stacklevel + 1)
        return "raw"
    return class_mode
