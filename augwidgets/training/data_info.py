"""What a training session reads off its data: batches per epoch, image shape, classes.

Examples:
    >>> class It: samples, batch_size = 100, 32
    >>> computed_steps(It())
    4
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def positive_int(name: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


def computed_steps(data: Any) -> int | None:
    """Batches per epoch from the number of images: ``ceil(samples / batch_size)``.

    Falls back to ``len(data)`` for a ``PyDataset`` without ``samples``.

    Examples:
        >>> class It: samples, batch_size = 100, 32
        >>> computed_steps(It())
        4
    """
    samples, batch_size = getattr(data, "samples", None), getattr(data, "batch_size", None)
    if samples and batch_size:
        return math.ceil(samples / batch_size)
    try:
        return len(data)
    except TypeError:
        return None


def describe_data_shape(data: Any) -> tuple[tuple[int, ...], int, str]:
    """(image shape, number of classes, class mode) of an iterator.

    Reads ``image_shape``, ``num_classes`` and ``class_mode`` when the iterator has them,
    and otherwise looks at its first batch.
    """
    shape = getattr(data, "image_shape", None)
    classes = getattr(data, "num_classes", None)
    mode = getattr(data, "class_mode", None)
    if shape is None or classes is None or mode is None:
        x, y = data[0][:2]
        shape = shape or tuple(np.shape(x)[1:])
        y = np.asarray(y)
        if mode is None:
            mode = "categorical" if y.ndim == 2 and y.shape[1] > 1 else "sparse"
        if classes is None:
            classes = y.shape[1] if mode == "categorical" else int(y.max()) + 1
    return tuple(int(s) for s in shape), int(classes), mode
