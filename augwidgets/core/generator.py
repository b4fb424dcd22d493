"""``ImageDataGenerator``: a drop-in, pixel-matching, fast replacement for the legacy one.

Same constructor arguments, defaults, units and random distributions as
``keras.preprocessing.image.ImageDataGenerator`` (see ``augwidgets.core.params``), the same
methods (``flow_from_directory``, ``flow``, ``get_random_transform``, ``apply_transform``,
``random_transform``, ``standardize``, ``fit``) and iterators with the same attributes.

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

Example:
    >>> gen = ImageDataGenerator(rescale=1 / 255, rotation_range=20, zoom_range=0.2)
    >>> train = gen.flow_from_directory("data/train", target_size=(224, 224))  # doctest: +SKIP
    >>> model.fit(train, validation_data=val)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import cv2
import numpy as np
from PIL import Image

from augwidgets.core.decode import (
    COLOR_MODES,
    ImageDecodeError,
    ImageHeader,
    check_image,
    decode_image,
)
from augwidgets.core.directory import WHITE_LIST_FORMATS, scan_directory
from augwidgets.core.keras_base import LazyPyDataset, floatx, image_data_format
from augwidgets.core.params import DEFAULTS, TransformConfig, validate_generator_kwargs
from augwidgets.core.standardize import standardize
from augwidgets.core.transforms import (
    apply_color,
    geometry_matrix,
    sample_transform,
    transform_image,
    warp_image,
)

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
INTERPOLATIONS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
}
#: Resize filters folded into the augmentation warp; the others resize with PIL first.
FUSED_INTERPOLATIONS = ("nearest", "bilinear")

_WORKERS = max(2, os.cpu_count() or 2)
_CHUNKS = 4 * _WORKERS
_POOL: ThreadPoolExecutor | None = None
_PREFETCHER: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=_WORKERS,
                                       thread_name_prefix="augwidgets")
        return _POOL


def _prefetcher() -> ThreadPoolExecutor:
    """One background thread that builds the next batch (it waits on the worker pool, so
    it must not be a worker itself)."""
    global _PREFETCHER
    with _POOL_LOCK:
        if _PREFETCHER is None:
            _PREFETCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="augwidgets-next")
        return _PREFETCHER


def _map_chunks(work: Callable[..., None], indices: list[int], params: list[Any],
                batch: np.ndarray) -> None:
    """Run ``work(index, params, out_slot)`` for every image, a few chunks per worker."""
    chunks = np.array_split(np.arange(len(indices)), min(len(indices), _CHUNKS)) if indices else []

    def run(chunk: np.ndarray) -> None:
        for i in chunk:
            work(indices[i], params[i], batch[i])

    for future in [_pool().submit(run, chunk) for chunk in chunks]:
        future.result()


def _reject(name: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"`{name}` must be {expected}. Received: {name}={value!r}")


def _batch_seed(*parts: int) -> int:
    return int(np.random.SeedSequence([int(p) % (2**32) for p in parts]).generate_state(1)[0])


class BatchIndexError(IndexError, ValueError):
    """Asked for a batch past the end (an IndexError, and a ValueError like the legacy one)."""


class ImageDataGenerator:
    """Real-time image augmentation with the legacy Keras arguments and semantics.

    Args:
        featurewise_center, samplewise_center, featurewise_std_normalization,
        samplewise_std_normalization, zca_whitening, zca_epsilon: statistics, as legacy.
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

    Example:
        >>> gen = ImageDataGenerator(rotation_range=20, horizontal_flip=True)
        >>> sorted(gen.get_random_transform((32, 32, 3), seed=0))[:3]
        ['brightness', 'channel_shift_intensity', 'flip_horizontal']
    """

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
        params = validate_generator_kwargs(given)
        #: The validated constructor arguments (what ``codegen`` and the panels read).
        self.generator_kwargs = params
        self.transform_config = TransformConfig.from_kwargs(params)
        self.data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        for name in ("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                     "samplewise_std_normalization", "zca_whitening", "zca_epsilon",
                     "rotation_range", "width_shift_range", "height_shift_range", "shear_range",
                     "channel_shift_range", "fill_mode", "cval", "horizontal_flip",
                     "vertical_flip", "rescale", "preprocessing_function",
                     "interpolation_order", "brightness_range"):
            setattr(self, name, params[name])
        self.zoom_range = list(self.transform_config.zoom_range)
        if self.data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self._validation_split = validation_split
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.zca_whitening_matrix: np.ndarray | None = None
        self._apply_legacy_overrides()

    def _apply_legacy_overrides(self) -> None:
        # The legacy constructor switches related options on/off with a warning; keep that.
        if self.zca_whitening:
            if not self.featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which "
                              "overrides setting of `featurewise_center`.", stacklevel=3)
            if self.featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which "
                              "overrides setting of `featurewise_std_normalization`.",
                              stacklevel=3)
        if self.featurewise_std_normalization and not self.featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=3)
        if self.samplewise_std_normalization and not self.samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=3)

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
    ) -> DirectoryIterator:
        """Batches of augmented images from a class-per-folder tree (legacy arguments).

        Example:
            >>> it = ImageDataGenerator(rescale=1/255).flow_from_directory(
            ...     "data/train", target_size=(64, 64), batch_size=8)  # doctest: +SKIP
        """
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
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
    ) -> NumpyArrayIterator:
        """Batches of augmented images from arrays (legacy arguments)."""
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype,
        )

    def flow_from_dataframe(self, *args: Any, **kwargs: Any) -> Any:
        """Not provided yet: use a class-per-folder tree, or the legacy generator for this."""
        raise NotImplementedError(
            "augwidgets does not implement flow_from_dataframe yet; use flow_from_directory "
            "or keras.preprocessing.image.ImageDataGenerator.flow_from_dataframe")

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
        out = transform_image(np.ascontiguousarray(image), transform_parameters,
                              self.transform_config)
        return np.moveaxis(out, -1, 0) if channels_first else out

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """Apply a random transformation to one image."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    # ------------------------------------------------------------ normalisation
    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Apply the normalisation settings to ``x`` in place where possible (legacy order:
        ``preprocessing_function``, ``rescale``, samplewise, featurewise, ZCA)."""
        return standardize(x, vars(self), mean=self.mean, std=self.std,
                           zca_whitening_matrix=self.zca_whitening_matrix)

    @property
    def only_rescales(self) -> bool:
        """True when ``standardize`` is at most a multiplication by ``rescale``."""
        return not (self.preprocessing_function or self.samplewise_center
                    or self.samplewise_std_normalization or self.featurewise_center
                    or self.featurewise_std_normalization or self.zca_whitening)

    @property
    def needs_standardize(self) -> bool:
        return bool(self.preprocessing_function or self.rescale or self.samplewise_center
                    or self.samplewise_std_normalization or self.featurewise_center
                    or self.featurewise_std_normalization or self.zca_whitening)

    def fit(self, x: Any, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """Compute the featurewise mean, std and ZCA matrix from sample data (legacy)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"`x` must be a batch of images with 4 dimensions. "
                             f"Received: x.shape={x.shape}")
        if not isinstance(rounds, int) or rounds < 1:
            raise _reject("rounds", "an int >= 1", rounds)
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(f"Expected 1, 3 or 4 channels on axis {self.channel_axis}; got an "
                          f"array with shape {x.shape}.", stacklevel=2)
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


class _Iterator(LazyPyDataset):
    """Shared batching, shuffling and seeding for both iterators.

    Batch ``i`` of epoch ``e`` draws from ``RandomState(f(seed, e, i))``: any batch can be
    rebuilt in any order or thread, and the same seed gives the same epoch.
    """

    white_list_formats = WHITE_LIST_FORMATS

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None):
        super().__init__()
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise _reject("batch_size", "an int >= 1", batch_size)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise _reject("seed", "None or an int", seed)
        self.n = n
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = seed
        # Without a seed, take one from NumPy's global generator (so np.random.seed() makes
        # runs reproducible, as with the legacy generator) without reseeding it.
        self._base_seed = int(seed) if seed is not None else int(np.random.randint(2**31 - 1))
        self.epoch = 0
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self._prefetch_lock = threading.Lock()
        self._prefetched: dict[tuple[int, int], Future] = {}
        self.index_array: np.ndarray = np.arange(0)
        self._set_index_array()

    def _set_index_array(self) -> None:
        self.index_array = self._index_array_for(self.epoch)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx: int):
        if not -len(self) <= idx < len(self):
            raise BatchIndexError(f"Asked to retrieve batch {idx}, but the iterator has "
                                  f"{len(self)} batches.")
        idx %= len(self)
        self.total_batches_seen += 1
        with self._prefetch_lock:
            future = self._prefetched.pop((self.epoch, idx), None)
        batch = future.result() if future is not None else self._build_batch(self.epoch, idx)
        if idx + 1 < len(self) and not self.save_to_dir:
            # Sequential access (what fit does): build the next batch in the background, so
            # decoding overlaps the training step. Same result either way: batches are seeded
            # by (seed, epoch, index).
            key = (self.epoch, idx + 1)
            with self._prefetch_lock:
                if key not in self._prefetched:
                    self._prefetched[key] = _prefetcher().submit(self._build_batch, *key)
        return batch

    def _build_batch(self, epoch: int, idx: int):
        rng = np.random.RandomState(_batch_seed(self._base_seed, epoch, idx))
        order = self.index_array if epoch == self.epoch else self._index_array_for(epoch)
        indices = order[self.batch_size * idx: self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(indices, rng)

    def _index_array_for(self, epoch: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.n)
        return np.random.RandomState(_batch_seed(self._base_seed, epoch, 2**31)).permutation(self.n)

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._set_index_array()
        with self._prefetch_lock:
            stale = [key for key in self._prefetched if key[0] < self.epoch]
            for key in stale:
                self._prefetched.pop(key)

    def reset(self) -> None:
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        # Legacy semantics: endless batches, reshuffled after the last batch of an epoch.
        if len(self) == 0:
            raise StopIteration
        with self.lock:
            idx = self.batch_index
            last = idx + 1 >= len(self)
            self.batch_index = 0 if last else idx + 1
        batch = self[idx]
        if last:
            self.on_epoch_end()
        return batch

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray, rng: Any):
        raise NotImplementedError

    def _save_batch(self, batch_x: np.ndarray, index_array: np.ndarray, rng: Any) -> None:
        os.makedirs(self.save_to_dir, exist_ok=True)
        for image, index in zip(batch_x, index_array):
            if self.data_format == "channels_first":
                image = np.moveaxis(image, 0, -1)
            image = image.astype(np.float64) - np.min(image)
            if np.max(image) != 0:
                image /= np.max(image)
            image = (image * 255).astype(np.uint8)
            mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[-1]]
            pil = Image.fromarray(image[..., 0] if mode == "L" else image, mode)
            name = f"{self.save_prefix}_{index}_{rng.randint(int(1e7))}.{self.save_format}"
            pil.save(os.path.join(self.save_to_dir, name))


class DirectoryIterator(_Iterator):
    """Augmented batches from a class-per-folder tree: a ``keras.utils.PyDataset``.

    Attributes (as legacy): ``class_indices``, ``classes``, ``filenames``, ``filepaths``,
    ``samples``, ``num_classes``, ``labels``, ``batch_size``, ``image_shape``,
    ``target_size``, ``color_mode``, ``class_mode``, ``directory``, ``n``, ``seed``.
    New: ``skipped`` lists ``(filename, reason)`` for files that could not be decoded, and
    ``ignored`` lists hidden entries that were not read.
    """

    allowed_class_modes = set(CLASS_MODES)

    def __init__(
        self,
        directory: str | os.PathLike,
        image_data_generator: ImageDataGenerator | None,
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
    ):
        self.image_data_generator = image_data_generator or ImageDataGenerator()
        generator = self.image_data_generator
        self.data_format = data_format or generator.data_format
        self.dtype = dtype or generator.dtype
        if (not isinstance(target_size, (tuple, list)) or len(target_size) != 2
                or not all(isinstance(v, (int, np.integer)) and v > 0 for v in target_size)):
            raise _reject("target_size", "a pair of positive ints (rows, cols)", target_size)
        if color_mode not in COLOR_MODES:
            raise _reject("color_mode", f"one of {COLOR_MODES}", color_mode)
        if class_mode not in CLASS_MODES:
            raise _reject("class_mode", f"one of {CLASS_MODES}", class_mode)
        if interpolation not in INTERPOLATIONS:
            raise _reject("interpolation", f"one of {tuple(INTERPOLATIONS)}", interpolation)
        if subset not in (None, "training", "validation"):
            raise _reject("subset", "None, 'training' or 'validation'", subset)
        if subset is not None and not generator._validation_split:
            raise _reject("subset", "None unless the generator has validation_split > 0 "
                          "(it has validation_split=0)", subset)
        self.target_size = (int(target_size[0]), int(target_size[1]))
        self.color_mode = color_mode
        self.class_mode = class_mode
        self.interpolation = interpolation
        self.keep_aspect_ratio = bool(keep_aspect_ratio)
        self.save_to_dir = os.fspath(save_to_dir) if save_to_dir else None
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.subset = subset
        self.directory = os.fspath(directory)
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        split = None
        if subset == "validation":
            split = (0, generator._validation_split)
        elif subset == "training":
            split = (generator._validation_split, 1)
        self.split = split

        listing = scan_directory(self.directory, classes=classes, follow_links=follow_links,
                                 split=split)
        self.ignored = listing.ignored
        self.skipped: list[tuple[str, str]] = []
        self._skipped_lock = threading.Lock()
        usable = self._check_files(listing.filenames)
        self.filenames = [name for name, ok in zip(listing.filenames, usable) if ok]
        self.classes = listing.classes[np.asarray(usable, dtype=bool)] if len(usable) \
            else listing.classes
        self.class_indices = listing.class_indices
        self.num_classes = listing.num_classes
        self.samples = len(self.filenames)
        self._filepaths = [os.path.join(self.directory, name) for name in self.filenames]
        self._broken: set[int] = set()
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _check_files(self, filenames: list[str]) -> list[bool]:
        paths = [os.path.join(self.directory, name) for name in filenames]

        def check(path: str) -> ImageHeader | str:
            try:
                return check_image(path)
            except ImageDecodeError as error:
                return error.reason

        results = list(_pool().map(check, paths))
        for name, result in zip(filenames, results):
            if isinstance(result, str):
                self._skip(name, result)
        self._headers = [r for r in results if not isinstance(r, str)]
        return [not isinstance(result, str) for result in results]

    def _skip(self, filename: str, reason: str) -> None:
        with self._skipped_lock:
            self.skipped.append((filename, reason))
        warnings.warn(f"augwidgets: skipping {os.path.join(self.directory, filename)}: {reason}",
                      stacklevel=3)

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self) -> None:
        return None

    def _load(self, index: int) -> tuple[np.ndarray, int]:
        """Decode sample ``index``; a broken file is reported once and replaced by the next
        good sample, so the batch keeps its size and the epoch goes on."""
        for attempt in range(self.n):
            candidate = (index + attempt) % self.n
            if candidate in self._broken:
                continue
            try:
                # DCT-scaled JPEG decoding only where the resize is ours (fused) anyway.
                fused = self.interpolation in FUSED_INTERPOLATIONS
                return decode_image(self._filepaths[candidate], self.color_mode,
                                    min_hw=self.target_size if fused else None,
                                    header=self._headers[candidate],
                                    pad_to_4=self.color_mode == "rgb"), candidate
            except ImageDecodeError as error:
                self._broken.add(candidate)
                self._skip(self.filenames[candidate], error.reason)
        raise RuntimeError(f"No decodable image left in {self.directory!r}; see .skipped")

    def _crop_box(self, source_hw: tuple[int, int]) -> tuple[int, int, int, int] | None:
        if not self.keep_aspect_ratio:
            return None
        height, width = source_hw
        target_height, target_width = self.target_size
        crop_height = min(height, (width * target_height) // target_width)
        crop_width = min(width, (height * target_width) // target_height)
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        return (left, top, left + crop_width, top + crop_height)

    def _augment_one(self, index: int, params: dict[str, Any] | None,
                     out: np.ndarray) -> None:
        generator = self.image_data_generator
        config = generator.transform_config
        image, _ = self._load(index)
        crop_box = self._crop_box(image.shape[:2])
        if self.interpolation not in FUSED_INTERPOLATIONS and image.shape[:2] != self.target_size:
            # Filters OpenCV's warp cannot express: resize with PIL first, as legacy does.
            pil = Image.fromarray(image[..., 0] if image.shape[2] == 1 else image,
                                  {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[2]])
            pil = pil.resize(self.target_size[::-1], INTERPOLATIONS[self.interpolation],
                             box=crop_box)
            image = np.asarray(pil).reshape(self.target_size + (image.shape[2],))
        elif crop_box:  # keep_aspect_ratio: the warp resizes the centred crop (a view)
            left, top, right, bottom = crop_box
            image = image[top:bottom, left:right]
        params = params or {}
        if config.interpolation_order > 1:  # spline overshoot must survive, as in legacy
            image = image.astype(np.float32)
        warped = warp_image(image, geometry_matrix(params, self.target_size), self.target_size,
                            fill_mode=config.fill_mode, cval=config.cval,
                            order=config.interpolation_order)
        if self.color_mode == "rgb":  # drop the padding channel of the 4-channel warp
            warped = cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB)
        colour = params.get("channel_shift_intensity") is not None \
            or params.get("brightness") is not None
        if generator.only_rescales and not colour:  # one pass: cast and rescale together
            if generator.rescale:
                np.multiply(warped, generator.rescale, out=out, casting="unsafe")
            else:
                out[...] = warped
            return
        out[...] = warped
        if colour:
            out[...] = apply_color(out, params)
        if generator.needs_standardize:
            result = generator.standardize(out)
            if result is not out:
                out[...] = result

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray, rng: Any):
        generator = self.image_data_generator
        count = len(index_array)
        batch_hwc = np.empty((count,) + self.target_size + (self.image_shape[
            -1 if self.data_format == "channels_last" else 0],), dtype=self.dtype)
        augment = not generator.transform_config.is_identity
        shape_hwc = batch_hwc.shape[1:]
        params = [generator.sample_transform(shape_hwc, rng) if augment else None
                  for _ in range(count)]
        _map_chunks(self._augment_one, index_array.tolist(), params, batch_hwc)
        batch_x = batch_hwc if self.data_format == "channels_last" \
            else np.ascontiguousarray(np.moveaxis(batch_hwc, -1, 1))
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, rng)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode in ("binary", "sparse"):
            return batch_x, self.classes[index_array].astype(self.dtype)
        if self.class_mode == "categorical":
            batch_y = np.zeros((count, self.num_classes), dtype=self.dtype)
            batch_y[np.arange(count), self.classes[index_array]] = 1.0
            return batch_x, batch_y
        return batch_x


class NumpyArrayIterator(_Iterator):
    """Augmented batches from arrays (``ImageDataGenerator.flow``), legacy semantics."""

    def __init__(
        self,
        x: Any,
        y: Any,
        image_data_generator: ImageDataGenerator,
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
    ):
        self.image_data_generator = image_data_generator
        self.data_format = data_format or image_data_generator.data_format
        self.dtype = dtype or image_data_generator.dtype
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(x[1])] if not isinstance(x[1], list) \
                else [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError(f"All arrays in `x` must have the same length. "
                                     f"Received: len(x[0])={len(x)}, len(x[?])={len(xx)}")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` and `y` must have the same length. Received: "
                             f"x.shape={np.asarray(x).shape}, y.shape={np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` and `sample_weight` must have the same length. Received: "
                             f"x.shape={np.asarray(x).shape}, "
                             f"sample_weight.shape={np.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise _reject("subset", "None, 'training' or 'validation'", subset)
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
                raise ValueError("Training and validation subsets have different classes after "
                                 "the split. If your arrays are sorted by label, shuffle them "
                                 "first (or pass ignore_class_split=True).")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(xx[part]) for xx in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = np.asarray(sample_weight)[part]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError(f"`x` must be a batch of images with 4 dimensions. "
                             f"Received: x.shape={self.x.shape}")
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.save_to_dir = os.fspath(save_to_dir) if save_to_dir else None
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _augment_one(self, index: int, params: dict[str, Any] | None, out: np.ndarray) -> None:
        generator = self.image_data_generator
        image = self.x[index]
        out[...] = generator.apply_transform(image, params) if params else image
        result = generator.standardize(out)
        if result is not out:
            out[...] = result

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray, rng: Any):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        augment = not generator.transform_config.is_identity
        params = [generator.sample_transform(self.x.shape[1:], rng) if augment else None
                  for _ in index_array]
        _map_chunks(self._augment_one, index_array.tolist(), params, batch_x)
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
