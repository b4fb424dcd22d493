"""The generator's normalisation (``standardize``), free of Keras so previews stay light.

Legacy order: ``preprocessing_function``, ``rescale``, samplewise centre and scale, then the
featurewise statistics and ZCA computed by ``ImageDataGenerator.fit``.

Examples:
    >>> import numpy as np
    >>> standardize(np.full((2, 2, 3), 255.0), {"rescale": 1 / 255}).max()
    np.float64(1.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

_UNFITTED = ("This ImageDataGenerator specifies `{}`, but it hasn't been fit on any training "
             "data. Fit it first by calling `.fit(numpy_data)`.")


def standardize(x: np.ndarray, settings: Mapping[str, Any], *, mean: np.ndarray | None = None,
                std: np.ndarray | None = None,
                zca_whitening_matrix: np.ndarray | None = None) -> np.ndarray:
    """Normalise ``x`` (one image or a batch) as the legacy generator does, in place where
    the legacy code works in place.

    Args:
        x: float array.
        settings: generator arguments (only the normalisation ones are read).
        mean, std, zca_whitening_matrix: statistics from ``ImageDataGenerator.fit``; a
            featurewise option without them warns and is skipped, as in the legacy code.
    """
    function = settings.get("preprocessing_function")
    if function:
        x = function(x)
    if settings.get("rescale"):
        x *= settings["rescale"]
    if settings.get("samplewise_center"):
        x -= np.mean(x, keepdims=True)
    if settings.get("samplewise_std_normalization"):
        x /= np.std(x, keepdims=True) + 1e-6
    if settings.get("featurewise_center"):
        if mean is not None:
            x -= mean
        else:
            warnings.warn(_UNFITTED.format("featurewise_center"), stacklevel=3)
    if settings.get("featurewise_std_normalization"):
        if std is not None:
            x /= std + 1e-6
        else:
            warnings.warn(_UNFITTED.format("featurewise_std_normalization"), stacklevel=3)
    if settings.get("zca_whitening"):
        if zca_whitening_matrix is not None:
            flat = x.reshape(-1, math.prod(x.shape[-3:]))
            x = np.reshape(flat @ zca_whitening_matrix, x.shape)
        else:
            warnings.warn(_UNFITTED.format("zca_whitening"), stacklevel=3)
    return x
