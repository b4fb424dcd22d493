"""Tiny image folders for the training tests, made with PIL (no downloads).

``digits_tree`` writes sklearn's 8x8 digits, upscaled, as ``train/<digit>/`` and
``validation/<digit>/`` PNG folders, like ``augwidgets.datasets.digits``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def digits_tree(directory: Path, *, image_size: int = 16, per_class: int | None = 20,
                validation_fraction: float = 0.25, classes: int = 10, seed: int = 0) -> Path:
    """Writes a small digits tree and returns ``directory``."""
    from sklearn.datasets import load_digits

    data = load_digits()
    rng = np.random.default_rng(seed)
    for digit in range(classes):
        indices = np.flatnonzero(data.target == digit)
        rng.shuffle(indices)
        if per_class is not None:
            indices = indices[:per_class]
        cut = int(round(len(indices) * (1 - validation_fraction)))
        for split, chosen in (("train", indices[:cut]), ("validation", indices[cut:])):
            folder = directory / split / str(digit)
            folder.mkdir(parents=True, exist_ok=True)
            for i in chosen:
                pixels = (data.images[i] * (255 / 16)).astype(np.uint8)
                image = Image.fromarray(pixels, mode="L").resize((image_size, image_size),
                                                                  Image.BILINEAR)
                image.save(folder / f"{i}.png")
    return directory


def image_data_generator(**kwargs):
    """``augwidgets.ImageDataGenerator`` once the core generator exists, else the legacy one."""
    try:
        from augwidgets.engine.generator import ImageDataGenerator
    except ImportError:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator
    return ImageDataGenerator(**kwargs)


def iterators(root: Path, *, image_size: int = 16, batch_size: int = 8, **augmentation):
    """(train, validation) directory iterators over a ``digits_tree``; grayscale, rescaled."""
    options = {"target_size": (image_size, image_size), "color_mode": "grayscale",
               "batch_size": batch_size}
    train = image_data_generator(rescale=1 / 255, **augmentation).flow_from_directory(
        root / "train", shuffle=True, seed=0, **options)
    validation = image_data_generator(rescale=1 / 255).flow_from_directory(
        root / "validation", shuffle=False, **options)
    return train, validation
