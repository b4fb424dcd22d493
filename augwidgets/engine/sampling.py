"""Draw one image's random transform parameters exactly as the legacy generator does.

Sampling produces numbers only; ``image.functional`` applies them. The draw reproduces the
legacy ``ImageDataGenerator.get_random_transform`` draw for draw: the same distributions, in
the same order, so a ``numpy.random.RandomState(seed)`` gives the very dict the legacy code
gives after ``np.random.seed(seed)`` (without touching NumPy's global generator).

Examples:
    >>> import numpy as np
    >>> from augwidgets.engine.arguments import TransformConfig
    >>> config = TransformConfig.from_kwargs({"rotation_range": 20})
    >>> params = sample_transform(config, (32, 32, 3), np.random.RandomState(0))
    >>> round(params["theta"], 3)
    1.953
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augwidgets.engine.arguments import TransformConfig, is_active


def _draw_shift(shift_range: Any, side: int, rng: Any) -> float:
    # Legacy: np.random.choice for ints and lists (then a random sign), uniform for floats.
    if isinstance(shift_range, (float, np.floating)):
        value = rng.uniform(-shift_range, shift_range)
    else:
        value = rng.choice(shift_range)
        value *= rng.choice([-1, 1])
    if np.max(shift_range) < 1:
        value *= side
    return value


def sample_transform(
    config: TransformConfig,
    img_shape: tuple[int, ...],
    rng: Any = np.random,
    *,
    row_axis: int = 0,
    col_axis: int = 1,
) -> dict[str, Any]:
    """Draw one image's transform parameters, exactly as the legacy generator does.

    Args:
        config: the normalised augmentation settings.
        img_shape: shape of one image (rows and columns are read from it).
        rng: a ``numpy.random.RandomState`` (or the ``numpy.random`` module for legacy
            global-state behaviour).
        row_axis, col_axis: axes of ``img_shape`` holding rows and columns.

    Returns:
        A dict with the legacy keys ``theta, tx, ty, shear, zx, zy, flip_horizontal,
        flip_vertical, channel_shift_intensity, brightness``.

    Examples:
        >>> cfg = TransformConfig.from_kwargs({"height_shift_range": 0.1})
        >>> sample_transform(cfg, (100, 50, 3), np.random.RandomState(1))["tx"] != 0
        True
    """
    theta = rng.uniform(-config.rotation_range, config.rotation_range) if config.rotation_range else 0
    tx = _draw_shift(config.height_shift_range, img_shape[row_axis], rng) \
        if is_active("height_shift_range", config.height_shift_range) else 0
    ty = _draw_shift(config.width_shift_range, img_shape[col_axis], rng) \
        if is_active("width_shift_range", config.width_shift_range) else 0
    shear = rng.uniform(-config.shear_range, config.shear_range) if config.shear_range else 0
    low, high = config.zoom_range
    if low == 1 and high == 1:
        zx, zy = 1, 1
    else:
        zx, zy = rng.uniform(low, high, 2)
    flip_horizontal = (rng.random_sample() < 0.5) * config.horizontal_flip
    flip_vertical = (rng.random_sample() < 0.5) * config.vertical_flip
    channel_shift_intensity = None
    if config.channel_shift_range != 0:
        channel_shift_intensity = rng.uniform(-config.channel_shift_range,
                                              config.channel_shift_range)
    brightness = None
    if config.brightness_range is not None:
        brightness = rng.uniform(config.brightness_range[0], config.brightness_range[1])
    return {
        "theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
        "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
        "channel_shift_intensity": channel_shift_intensity, "brightness": brightness,
    }
