"""The generator's normalisation (``standardize``), free of Keras so previews stay light.

Legacy order: ``preprocessing_function``, ``rescale``, samplewise centre and scale, then the
featurewise statistics and ZCA computed by ``ImageDataGenerator.fit``.

The settings arrive as a ``ScalingConfig``, built once from the generator's arguments. Its
``only_rescales`` is the one place that says when scaling is a plain multiplication (which the
pipeline then fuses into its final cast).

Examples:
    >>> import numpy as np
    >>> standardize(np.full((2, 2, 3), 255.0), ScalingConfig(rescale=1 / 255)).max()
    np.float64(1.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

_UNFITTED = ("This ImageDataGenerator specifies `{}`, but it hasn't been fit on any training "
             "data. Fit it first by calling `.fit(numpy_data)`.")


@dataclass(frozen=True)
class ScalingConfig:
    """The generator's arguments that act after augmentation, in ``standardize``.

    Examples:
        >>> ScalingConfig.from_arguments({"rescale": 0.5, "rotation_range": 20})
        ScalingConfig(preprocessing_function=None, rescale=0.5, samplewise_center=False, \
samplewise_std_normalization=False, featurewise_center=False, \
featurewise_std_normalization=False, zca_whitening=False)
        >>> ScalingConfig(rescale=0.5).only_rescales
        True
    """

    preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None
    rescale: float | None = None
    samplewise_center: bool = False
    samplewise_std_normalization: bool = False
    featurewise_center: bool = False
    featurewise_std_normalization: bool = False
    zca_whitening: bool = False

    #: The settings that make scaling more than a multiplication by ``rescale``.
    BEYOND_RESCALE: ClassVar[tuple[str, ...]] = (
        "preprocessing_function", "samplewise_center", "samplewise_std_normalization",
        "featurewise_center", "featurewise_std_normalization", "zca_whitening")

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, Any]) -> ScalingConfig:
        """The scaling part of (already validated) generator arguments."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls) if f.name in arguments})

    @property
    def only_rescales(self) -> bool:
        """True when scaling is at most a multiplication by ``rescale``."""
        return not any(getattr(self, name) for name in self.BEYOND_RESCALE)


def standardize(x: np.ndarray, settings: ScalingConfig, *, mean: np.ndarray | None = None,
                std: np.ndarray | None = None,
                zca_whitening_matrix: np.ndarray | None = None) -> np.ndarray:
    """Normalise ``x`` (one image or a batch) as the legacy generator does, in place where
    the legacy code works in place.

    Args:
        x: float array.
        settings: the generator's scaling settings.
        mean, std, zca_whitening_matrix: statistics from ``ImageDataGenerator.fit``; a
            featurewise option without them warns and is skipped, as in the legacy code.
    """
    if settings.preprocessing_function:
        x = settings.preprocessing_function(x)
    if settings.rescale:
        x *= settings.rescale
    if settings.samplewise_center:
        x -= np.mean(x, keepdims=True)
    if settings.samplewise_std_normalization:
        x /= np.std(x, keepdims=True) + 1e-6
    if settings.featurewise_center:
        if mean is not None:
            x -= mean
        else:
            warnings.warn(_UNFITTED.format("featurewise_center"), stacklevel=3)
    if settings.featurewise_std_normalization:
        if std is not None:
            x /= std + 1e-6
        else:
            warnings.warn(_UNFITTED.format("featurewise_std_normalization"), stacklevel=3)
    if settings.zca_whitening:
        if zca_whitening_matrix is not None:
            flat = x.reshape(-1, math.prod(x.shape[-3:]))
            x = np.reshape(flat @ zca_whitening_matrix, x.shape)
        else:
            warnings.warn(_UNFITTED.format("zca_whitening"), stacklevel=3)
    return x
