"""``ImageDataGenerator``: a drop-in, pixel-matching, fast replacement for the legacy one.

Same constructor arguments, defaults, units and random distributions as
``keras.preprocessing.image.ImageDataGenerator`` (see ``augwidgets.engine.arguments``), the same
methods (``flow_from_directory``, ``flow_from_dataframe``, ``flow``, ``get_random_transform``,
``apply_transform``, ``random_transform``, ``standardize``, ``fit``) and iterators with the
same attributes.

What is different is how a batch is made: decoding runs in a thread pool (OpenCV and PIL
release the GIL), and each image goes through *one* OpenCV warp that resizes, rotates,
shifts, shears, zooms and flips at once, instead of a PIL resize plus a scipy warp per
channel. Randomness comes from a ``RandomState`` per batch derived from ``seed``, so runs are
reproducible and NumPy's global generator is never reseeded.

Fixes over the legacy iterator (documented in the README):

- hidden files and folders are skipped (no ``.ipynb_checkpoints`` class);
- a file that cannot be decoded never crashes an epoch: it is listed in
  ``iterator.skipped`` as ``(filename, reason)``, a warning names it, and it is not yielded;
- a symlink loop with ``follow_links=True`` does not hang;
- bad arguments raise ``ValueError`` when the generator or iterator is built.

Examples:
    >>> import keras
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")     # bundled, offline: 1,797 digits as PNGs
    >>> gen = ImageDataGenerator(rescale=1 / 255, rotation_range=20, zoom_range=0.2)
    >>> train = gen.flow_from_directory(root / "train", target_size=(32, 32),
    ...                                 color_mode="grayscale", seed=0)
    Found 1438 images belonging to 10 classes.
    >>> val = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
    ...     root / "validation", target_size=(32, 32), color_mode="grayscale", shuffle=False)
    Found 359 images belonging to 10 classes.
    >>> model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(10, activation="softmax")])
    >>> model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(train, validation_data=val, epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from augwidgets.engine.iterators.arrays import NumpyArrayIterator
from augwidgets.engine.iterators.directory import DirectoryIterator
from augwidgets.errors import reject
from augwidgets.runtime.keras_base import floatx, image_data_format

if TYPE_CHECKING:
    from augwidgets.engine.iterators.dataframe import DataFrameIterator
from augwidgets.engine.arguments import DEFAULTS, TransformConfig
from augwidgets.engine.config import Argument, GeneratorConfig
from augwidgets.engine.sampling import sample_transform
from augwidgets.image.pipeline import ImageSettings, process_image
from augwidgets.image.standardize import standardize

__all__ = ["ImageDataGenerator"]


class ImageDataGenerator:
    """Real-time image augmentation with the legacy Keras arguments and semantics.

    Args:
        featurewise_center: subtract the data set's mean (computed by ``fit``).
        samplewise_center: subtract each image's own mean.
        featurewise_std_normalization: divide by the data set's std (computed by ``fit``).
        samplewise_std_normalization: divide by each image's own std.
        zca_whitening: ZCA whitening (computed by ``fit``).
        zca_epsilon: the epsilon of ZCA whitening.
        rotation_range: degrees; the angle is drawn from ``[-r, r]``.
        width_shift_range, height_shift_range: a float below 1 is a fraction of the side,
            from 1 it is pixels; an int or a list draws an element and a random sign.
            ``tx`` is drawn from ``height_shift_range`` and scaled by the height, but (a
            legacy quirk kept for pixel parity, keras#17398) it moves columns; ``ty`` from
            ``width_shift_range`` moves rows.
        brightness_range: ``(low, high)`` factor.
        shear_range: degrees (``0.2`` is a fifth of a degree).
        zoom_range: float ``z`` draws from ``[1-z, 1+z]``, or a ``(low, high)`` pair; drawn
            independently for rows and columns; a factor above 1 zooms *out*.
        channel_shift_range: added to every channel, clipped to the image's own range.
        fill_mode: "constant", "nearest", "reflect" or "wrap"; ``cval`` for "constant".
        horizontal_flip, vertical_flip: flip with probability 0.5.
        rescale: multiplies pixels after augmentation.
        preprocessing_function: called on each augmented image before ``rescale``.
        data_format: "channels_last" or "channels_first" (default: Keras' setting).
        validation_split: fraction of each class kept for ``subset="validation"``.
        interpolation_order: 0 nearest, 1 bilinear (OpenCV); 2-5 spline (scipy).
        dtype: output dtype (default: Keras' floatx).

    Examples:
        >>> gen = ImageDataGenerator(rotation_range=20, horizontal_flip=True)
        >>> sorted(gen.get_random_transform((32, 32, 3), seed=0))[:3]
        ['brightness', 'channel_shift_intensity', 'flip_horizontal']
    """

    # The legacy attributes, each a view of ``config`` (see ``engine.config.Argument``).
    featurewise_center = Argument()
    samplewise_center = Argument()
    featurewise_std_normalization = Argument()
    samplewise_std_normalization = Argument()
    zca_whitening = Argument()
    zca_epsilon = Argument()
    rotation_range = Argument()
    width_shift_range = Argument()
    height_shift_range = Argument()
    brightness_range = Argument()
    shear_range = Argument()
    zoom_range = Argument()
    channel_shift_range = Argument()
    fill_mode = Argument()
    cval = Argument()
    horizontal_flip = Argument()
    vertical_flip = Argument()
    rescale = Argument()
    preprocessing_function = Argument()
    interpolation_order = Argument()

    def __init__(
        self,
        featurewise_center: bool = False,
        samplewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        rotation_range: float = 0,
        width_shift_range: float | Sequence[float] = 0.0,
        height_shift_range: float | Sequence[float] = 0.0,
        brightness_range: Sequence[float] | None = None,
        shear_range: float = 0.0,
        zoom_range: float | Sequence[float] = 0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rescale: float | None = None,
        preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None,
        data_format: str | None = None,
        validation_split: float = 0.0,
        interpolation_order: int = 1,
        dtype: str | None = None,
    ):
        given = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        #: Every argument, validated once and frozen (``engine.config``); the legacy
        #: attributes (``gen.rotation_range`` ...) read it, and assigning one replaces it.
        self.config = GeneratorConfig.from_kwargs(given, legacy_overrides=True, stacklevel=2)
        self.data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        if self.data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.zca_whitening_matrix: np.ndarray | None = None

    @property
    def generator_kwargs(self) -> dict[str, Any]:
        """The validated constructor arguments (what ``codegen`` and the panels read)."""
        return self.config.as_kwargs()

    @property
    def transform_config(self) -> TransformConfig:
        return self.config.transform

    @property
    def _validation_split(self) -> float:
        return float(self.config.arguments["validation_split"])

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.generator_kwargs.items()
                   if k not in ("preprocessing_function",) and v != DEFAULTS[k]}
        if self.preprocessing_function is not None:
            changed["preprocessing_function"] = getattr(self.preprocessing_function,
                                                        "__name__", "<function>")
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"ImageDataGenerator({args})"

    # ----------------------------------------------------------------- iterators
    def flow_from_directory(
        self,
        directory: str | os.PathLike,
        target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        *,
        resize: str = "legacy",
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ) -> DirectoryIterator:
        """Batches of augmented images from a class-per-folder tree (legacy arguments).

        New keyword-only arguments:
            resize: "legacy" (default) resizes exactly as the legacy ``load_img``, so
                batches equal the legacy ones; "fast" decodes JPEGs at a reduced DCT scale
                when that still covers ``target_size`` and folds the resize into the warp
                (nearest/bilinear only): several times faster on photos much larger than
                the target, not pixel-identical to legacy.
            workers: threads building each batch (default: one per CPU); also Keras'
                ``PyDataset`` workers for ``fit``.
            use_multiprocessing, max_queue_size: Keras' ``PyDataset`` options for ``fit``.

        Examples:
            >>> from augwidgets import datasets
            >>> root = datasets.digits("data/digits")
            >>> it = ImageDataGenerator(rescale=1/255).flow_from_directory(
            ...     root / "train", target_size=(64, 64), batch_size=8)
            Found 1438 images belonging to 10 classes.
            >>> x, y = it[0]
            >>> x.shape, y.shape
            ((8, 64, 64, 3), (8, 10))
        """
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
            resize=resize, workers=workers, use_multiprocessing=use_multiprocessing,
            max_queue_size=max_queue_size,
        )

    def flow(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        sample_weight: Any = None,
        seed: int | None = None,
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        ignore_class_split: bool = False,
        subset: str | None = None,
        *,
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ) -> NumpyArrayIterator:
        """Batches of augmented images from arrays (legacy arguments; ``workers``,
        ``use_multiprocessing`` and ``max_queue_size`` as in ``flow_from_directory``)."""
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype,
            workers=workers, use_multiprocessing=use_multiprocessing,
            max_queue_size=max_queue_size,
        )

    def flow_from_dataframe(
        self,
        dataframe: Any,
        directory: str | os.PathLike | None = None,
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
        save_to_dir: str | os.PathLike | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        interpolation: str = "nearest",
        validate_filenames: bool = True,
        keep_aspect_ratio: bool = False,
        *,
        resize: str = "legacy",
        workers: int | None = None,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
        **deprecated: Any,
    ) -> DataFrameIterator:
        """Batches of augmented images from a pandas DataFrame (legacy arguments).

        ``x_col`` holds file names (relative to ``directory``) or absolute paths;
        ``y_col`` the labels: class names for ``"binary"``/``"sparse"``, class names or
        lists of them (multi-label) for ``"categorical"``, any values for ``"raw"`` (one
        column or a list of them), a list of columns for ``"multi_output"``; ``weight_col``
        numeric sample weights. Needs pandas (``pip install "augwidgets[dataframe]"``).
        The frame logic is ``engine.frame.read_frame``.

        Unlike legacy, ``keep_aspect_ratio`` is honoured (legacy's ``flow_from_dataframe``
        swallows it) and an unknown keyword raises ``TypeError``; the deprecated
        ``has_ext``, ``sort`` and ``drop_duplicates`` warn and are ignored, and
        ``class_mode="other"`` means ``"raw"``, as in legacy. ``resize``, ``workers``,
        ``use_multiprocessing`` and ``max_queue_size`` as in ``flow_from_directory``.

        Examples:
            >>> import pandas as pd
            >>> from augwidgets import datasets
            >>> root = datasets.shapes("data/shapes", num_per_class=10)
            >>> frame = pd.DataFrame({"filename": ["circle/00000.png", "square/00002.png"],
            ...                       "class": ["circle", "square"]})
            >>> it = ImageDataGenerator(rescale=1/255).flow_from_dataframe(
            ...     frame, root / "train", target_size=(64, 64), batch_size=8)
            Found 2 validated image filenames belonging to 2 classes.
        """
        from augwidgets.engine.iterators.dataframe import (
            DataFrameIterator,
            legacy_dataframe_options,
        )

        class_mode = legacy_dataframe_options(deprecated, class_mode, stacklevel=3)
        return DataFrameIterator(
            dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
            target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset, interpolation=interpolation,
            keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
            validate_filenames=validate_filenames, resize=resize, workers=workers,
            use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size,
        )

    # ---------------------------------------------------------------- transforms
    def _image_axes(self) -> tuple[int, int]:
        return self.row_axis - 1, self.col_axis - 1

    def sample_transform(self, img_shape: tuple[int, ...], rng: Any) -> dict[str, Any]:
        """Draw one image's parameters from ``rng`` (a ``numpy.random.RandomState``)."""
        row_axis, col_axis = self._image_axes()
        return sample_transform(self.transform_config, img_shape, rng,
                                row_axis=row_axis, col_axis=col_axis)

    def get_random_transform(self, img_shape: tuple[int, ...],
                             seed: int | None = None) -> dict[str, Any]:
        """Random parameters for one image: the legacy keys and the legacy draws.

        With ``seed`` the values equal the legacy ones for that seed, but NumPy's global
        generator is left alone. Without it, the global generator is used, as legacy.
        """
        rng = np.random.RandomState(seed) if seed is not None else np.random
        return self.sample_transform(img_shape, rng)

    def apply_transform(self, x: np.ndarray, transform_parameters: dict[str, Any]) -> np.ndarray:
        """Apply ``transform_parameters`` to one image (3-D, in ``data_format``)."""
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"`x` must be one image with 3 dimensions. Received: x.shape={x.shape}")
        channels_first = self.data_format == "channels_first"
        image = np.moveaxis(x, 0, -1) if channels_first else x
        if image.dtype not in (np.uint8, np.float32, np.float64):
            image = image.astype(np.float32)
        out = process_image(np.ascontiguousarray(image), transform_parameters,
                            ImageSettings.for_generator(self))
        return np.moveaxis(out, -1, 0) if channels_first else out

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """Apply a random transformation to one image."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    # ------------------------------------------------------------ normalisation
    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Apply the normalisation settings to ``x`` in place where possible (legacy order:
        ``preprocessing_function``, ``rescale``, samplewise, featurewise, ZCA)."""
        return standardize(x, self.config.scaling, mean=self.mean, std=self.std,
                           zca_whitening_matrix=self.zca_whitening_matrix)

    @property
    def only_rescales(self) -> bool:
        """True when ``standardize`` is at most a multiplication by ``rescale``."""
        return self.config.scaling.only_rescales

    def fit(self, x: Any, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """Compute the featurewise mean, std and ZCA matrix from sample data (legacy)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError("Input to `.fit()` should have rank 4. "
                             f"Received: x.shape={x.shape}")
        if not isinstance(rounds, int) or rounds < 1:
            raise reject("rounds", "an int >= 1", rounds)
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn("Expected input to be images (as Numpy array) following the data "
                          f'format convention "{self.data_format}" (channels on axis '
                          f"{self.channel_axis}), i.e. expected either 1, 3 or 4 channels on "
                          f"axis {self.channel_axis}. However, it was passed an array with "
                          f"shape {x.shape} ({x.shape[self.channel_axis]} channels).",
                          stacklevel=2)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            rng = np.random.RandomState(seed) if seed is not None else np.random
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    params = self.sample_transform(x[i].shape, rng)
                    augmented[i + r * x.shape[0]] = self.apply_transform(x[i], params)
            x = augmented
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            flat = np.reshape(x, (n, -1))
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(n) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv).dot(u.T)
