"""``ImageDataGenerator.flow``: augmented batches from arrays, through the one pipeline.

Examples:
    >>> import numpy as np
    >>> from augwidgets import ImageDataGenerator
    >>> it = ImageDataGenerator().flow(np.zeros((8, 4, 4, 3)), np.arange(8), batch_size=4,
    ...                              shuffle=False)
    >>> x, y = it[0]
    >>> x.shape, y.tolist()
    ((4, 4, 4, 3), [0, 1, 2, 3])
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from augwidgets.engine.iterators.base import BatchIterator
from augwidgets.errors import reject
from augwidgets.image.pipeline import ImageSettings, Scaling, process_image
from augwidgets.runtime.keras_base import floatx


class NumpyArrayIterator(BatchIterator):
    """Augmented batches from arrays (``ImageDataGenerator.flow``), legacy semantics.

    Examples:
        >>> import numpy as np
        >>> from augwidgets import ImageDataGenerator
        >>> it = NumpyArrayIterator(np.zeros((8, 4, 4, 3)), None, ImageDataGenerator(),
        ...                         batch_size=4)
        >>> len(it), it[1].shape
        (2, (4, 4, 4, 3))
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        image_data_generator: Any,
        batch_size: int = 32,
        shuffle: bool = False,
        sample_weight: Any = None,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        ignore_class_split: bool = False,
        dtype: str | None = None,
        *,
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ):
        self.dtype = dtype or getattr(image_data_generator, "dtype", None) or floatx()
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(x[1])] if not isinstance(x[1], list) \
                else [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for position, xx in enumerate(x_misc, start=1):
                if len(x) != len(xx):
                    raise ValueError("All of the arrays in `x` should have the same length. "
                                     f"Received: len(x[0])={len(x)}, "
                                     f"len(x[1]{'' if len(x_misc) == 1 else f'[{position - 1}]'})"
                                     f"={len(xx)}")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same "
                             f"length. Received: x.shape={np.asarray(x).shape}, "
                             f"y.shape={np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             f"length. Received: x.shape={np.asarray(x).shape}, "
                             f"sample_weight.shape={np.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise reject("subset", "None, 'training' or 'validation'", subset,
                             legacy=f'Invalid subset name: {subset}; expected "training" or '
                                    '"validation".')
            split_idx = int(len(x) * getattr(image_data_generator, '_validation_split', 0))
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
                raise ValueError(
                    "Training and validation subsets have different number of classes after "
                    "the split. If your numpy arrays are sorted by the label, you might want "
                    "to shuffle them (or pass ignore_class_split=True). Received: classes "
                    f"{np.unique(y[:split_idx]).tolist()} in the validation subset (the first "
                    f"{split_idx} samples), {np.unique(y[split_idx:]).tolist()} in the "
                    "training subset")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(xx[part]) for xx in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = np.asarray(sample_weight)[part]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. "
                             f"Received: x.shape={self.x.shape}")
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.settings = ImageSettings.for_generator(image_data_generator)
        super().__init__(self.x.shape[0], batch_size, shuffle, seed,
                         image_data_generator=image_data_generator, data_format=data_format,
                         dtype=self.dtype, save_to_dir=save_to_dir, save_prefix=save_prefix,
                         save_format=save_format, workers=workers,
                         use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        channels_axis = 3 if self.data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            # Legacy's words: often a channels-first array under channels_last, or the reverse.
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention '
                          f'"{self.data_format}" (channels on axis {channels_axis}), i.e. '
                          f'expected either 1, 3, or 4 channels on axis {channels_axis}. '
                          f'However, it was passed an array with shape {self.x.shape} '
                          f'({self.x.shape[channels_axis]} channels).', stacklevel=3)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray, rng: Any):
        channels_first = self.data_format == "channels_first"
        shape_hwc = self.x.shape[2:] + self.x.shape[1:2] if channels_first else self.x.shape[1:]
        batch_hwc = self.buffers.empty((len(index_array),) + shape_hwc, self.dtype)
        params = self._sample_params(len(index_array), self.x.shape[1:], rng)
        scaling = Scaling.of(self.image_data_generator)

        def work(index: int, drawn: dict[str, Any] | None, out: np.ndarray) -> None:
            image = np.moveaxis(self.x[index], 0, -1) if channels_first else self.x[index]
            process_image(image, drawn, self.settings, scaling, out)

        self.executor.map_into(work, index_array.tolist(), params, batch_hwc)
        batch_x = self._to_data_format(batch_hwc)
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, rng)
        miscs = [xx[index_array] for xx in self.x_misc]
        inputs = batch_x if not miscs else [batch_x] + miscs
        if self.y is None:
            return inputs
        output = (inputs, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output
