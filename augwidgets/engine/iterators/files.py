"""The iterators ``ImageDataGenerator`` returns: from image files, and from arrays.

``FileIterator`` is the shared base for every iterator over image files (the directory
iterator here, the dataframe iterator in ``engine.iterators.dataframe``). A subclass lists its files
and their labels; this class decodes lazily, runs every image through the one pipeline
(``image.pipeline.process_image``) on the iterator's own threads, and builds targets with the
legacy class modes.

Files are not opened when the iterator is built (the legacy generator doesn't either), so a
folder of 100,000 images is ready as fast as it can be listed. A file that turns out to be
broken when it is first decoded is reported once (``iterator.skipped`` and a warning naming
its path) and its slot in the batch is filled with the next good sample, **with that
sample's own label and weight**; it is never yielded again. ``iterator.verify()`` checks
every file up front, if you prefer to know before training.

Examples:
    >>> from augwidgets import ImageDataGenerator, datasets
    >>> root = datasets.digits("data/digits")
    >>> train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
    ...     root / "train", target_size=(64, 64))
    Found 1438 images belonging to 10 classes.
    >>> train.verify(progress=False)
    []
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from augwidgets.engine.iterators.base import Batch, BatchIterator, ImageGenerator, Targets
from augwidgets.errors import reject
from augwidgets.image.decode import ImageDecodeError, check_image
from augwidgets.image.pipeline import ImageSettings, Scaling, load_image, process_image
from augwidgets.runtime.reports import ProcessReports

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
#: Class modes of file iterators (the dataframe iterator accepts all of them).
FILE_CLASS_MODES = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)


@dataclass(frozen=True)
class FileList:
    """The files an iterator reads and their labels, as its subclass listed them.

    Args:
        filenames: as reported (``iterator.filenames``).
        filepaths: what is opened, one per file name.
        classes: int labels (for the dataframe's multi-label "categorical", lists of them),
            or ``None`` where there are none.
        class_indices: class name -> index.
        targets: the targets for "raw" and "multi_output", else ``None``.
        sample_weight: one weight per file, or ``None``.
    """

    filenames: list[str]
    filepaths: list[str]
    classes: Any
    class_indices: dict[str, int]
    targets: Any = None
    sample_weight: np.ndarray | None = None


class FileIterator(BatchIterator):
    """Batches from a list of image files, through the one image pipeline.

    A subclass lists its files (a ``FileList``) and passes it in; this class decodes lazily,
    runs every image through the one pipeline, and builds targets by legacy rules for the
    samples that actually fill each slot.

    Args:
        image_data_generator: the generator whose augmentation and scaling apply, or
            ``None`` for none.
        files: what to read, and the labels.
        target_size, color_mode, interpolation, keep_aspect_ratio: as legacy.
        resize: "legacy" (default: exact legacy pixels) or "fast" (opt-in: DCT-scaled JPEG
            decoding and the resize folded into the warp; see ``image.pipeline``).
        class_mode: one of ``allowed_class_modes``.
        other arguments: as ``BatchIterator`` and the legacy iterators.
    """

    allowed_class_modes = set(FILE_CLASS_MODES)

    def __init__(self, image_data_generator: ImageGenerator | None, files: FileList, *,
                 target_size: tuple[int, int], color_mode: str, class_mode: str | None,
                 batch_size: int, shuffle: bool, seed: int | None, data_format: str | None,
                 save_to_dir: Any, save_prefix: str, save_format: str, interpolation: str,
                 keep_aspect_ratio: bool, resize: str = "legacy", dtype: str | None = None,
                 workers: int | None = None, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        generator = image_data_generator
        self.filenames = files.filenames
        self._filepaths = files.filepaths
        self.classes = files.classes
        self.class_indices = files.class_indices
        self._labels = files.targets
        self._sample_weight = files.sample_weight
        self._check_class_mode(class_mode)
        self.settings = ImageSettings.for_generator(
            generator, target_size=target_size, color_mode=color_mode,
            interpolation=interpolation, keep_aspect_ratio=bool(keep_aspect_ratio),
            resize=resize)
        if self.settings.target_size is None:  # files are always brought to one size
            raise reject("target_size", "a pair of positive ints (rows, cols)", target_size)
        self.target_size: tuple[int, int] = self.settings.target_size
        self.color_mode = color_mode
        self.class_mode = class_mode
        self.interpolation = interpolation
        self.keep_aspect_ratio = bool(keep_aspect_ratio)
        self.resize = resize
        self.samples = len(self._filepaths)
        self._skipped: list[tuple[str, str]] = []
        self._broken: set[int] = set()
        self._skipped_lock = threading.Lock()
        # Broken files found in Keras' worker processes are reported back to this one.
        self._reports = ProcessReports(enabled=use_multiprocessing)
        super().__init__(self.samples, batch_size, shuffle, seed,
                         image_data_generator=generator, data_format=data_format, dtype=dtype,
                         save_to_dir=save_to_dir, save_prefix=save_prefix,
                         save_format=save_format, workers=workers,
                         use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        channels = self.settings.channels
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)

    @staticmethod
    def _subset_split(generator: Any, subset: str | None) -> tuple[float, float] | None:
        """The legacy ``(start, stop)`` fractions of each class for ``subset``."""
        if subset not in (None, "training", "validation"):
            raise reject("subset", "None, 'training' or 'validation'", subset,
                         legacy=f'Invalid subset name: {subset};expected "training" or '
                                '"validation"')  # sic: legacy's missing space
        validation_split = getattr(generator, "_validation_split", 0)
        if subset is not None and not validation_split:
            raise reject("subset", "None unless the generator has validation_split > 0 "
                         "(it has validation_split=0)", subset)
        if subset == "validation":
            return (0, validation_split)
        if subset == "training":
            return (validation_split, 1)
        return None

    @classmethod
    def _check_class_mode(cls, class_mode: Any) -> None:
        if class_mode not in cls.allowed_class_modes:
            modes = tuple(m for m in FILE_CLASS_MODES if m in cls.allowed_class_modes)
            raise reject("class_mode", f"one of {modes}", class_mode,
                         legacy=f"Invalid class_mode: {class_mode}; expected one of: {modes}")

    # -------------------------------------------------------------- attributes
    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> Any:
        return self._labels if self.class_mode in ("raw", "multi_output") else self.classes

    @property
    def sample_weight(self) -> np.ndarray | None:
        return self._sample_weight

    @property
    def num_classes(self) -> int:
        return len(self.class_indices)

    # --------------------------------------------------------------- bad files
    @property
    def skipped(self) -> list[tuple[str, str]]:
        """``(filename, reason)`` of each file that could not be decoded, once each, also
        when it was met in a Keras worker process (``use_multiprocessing=True``)."""
        self._collect_reports()
        return self._skipped

    def on_epoch_end(self) -> None:
        self._collect_reports()
        super().on_epoch_end()

    def _collect_reports(self) -> None:
        for index, reason in self._reports.receive():
            self._skip(index, reason)

    def _skip(self, index: int, reason: str) -> None:
        with self._skipped_lock:
            if index in self._broken:
                return
            self._broken.add(index)
            if self._reports.in_worker:  # the owning process records it and warns once
                self._reports.send(index, reason)
                return
            self._skipped.append((self.filenames[index], reason))
        warnings.warn(f"augwidgets: skipping {self._describe(index)}: {reason}; its place in "
                      "the batch goes to the next good image, with that image's label",
                      stacklevel=4)

    def _describe(self, index: int) -> str:
        """How a warning names sample ``index`` (the dataframe iterator adds its row)."""
        return self._filepaths[index]

    def verify(self, *, progress: bool = True,
               visit: Callable[[int, str], Any] | None = None) -> list[tuple[str, str]]:
        """Check every file now, on the iterator's threads; returns ``skipped``.

        Broken files found here are reported exactly as during training (never yielded,
        their slots filled by good samples with their own labels). Opening headers is much
        cheaper than decoding, but it still reads every file: on a slow disk this is the
        full pass that training would do anyway.

        Args:
            progress: show a ``tqdm`` progress bar (a widget in notebooks, text elsewhere).
            visit: called as ``visit(index, path)`` after the header check passed, on the
                same threads; it may decode the file fully and raise ``ImageDecodeError``
                (the file is then skipped like any broken one). ``check_dataset`` hashes
                and measures every image this way.
        """
        from augwidgets.progress import progress_bar

        paths = self._filepaths
        indices = [i for i in range(len(paths)) if i not in self._broken]
        bar = progress_bar(len(indices), desc="verify", unit="file", enabled=progress)
        lock = threading.Lock()

        def check(index: int, _params: Any, _slot: Any) -> None:
            try:
                check_image(paths[index])
                if visit is not None:
                    visit(index, paths[index])
            except ImageDecodeError as error:
                self._skip(index, error.reason)
            with lock:
                bar.update()

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # one summary below instead of one per file
                self.executor.map_into(check, indices, [None] * len(indices),
                                       np.empty(len(indices)))
        finally:
            bar.close()
        if progress:
            sys.stderr.write(f"verified {len(paths)} files: {len(self.skipped)} cannot be "
                             "used\n")
        return list(self._skipped)

    # ------------------------------------------------------------------ batches
    def transform_sample(self, index: int, params: dict[str, Any] | None = None) -> np.ndarray:
        """Sample ``index`` under the drawn ``params``, exactly as a batch would hold it
        (channels-last; ``None`` for no augmentation). Raises ``ImageDecodeError``.

        Examples:
            >>> from augwidgets import ImageDataGenerator, datasets
            >>> root = datasets.digits("data/digits")
            >>> it = ImageDataGenerator(rotation_range=20).flow_from_directory(
            ...     root / "train", target_size=(224, 224))
            Found 1438 images belonging to 10 classes.
            >>> it.transform_sample(0, it.image_data_generator.get_random_transform(
            ...     it.image_shape, seed=0)).shape
            (224, 224, 3)
        """
        image = load_image(self._filepaths[index], self.settings)
        out = np.empty(self.target_size + (self.settings.channels,), dtype=self.dtype)
        return process_image(image, params, self.settings, Scaling.of(self.image_data_generator),
                             out)

    def _load_and_process(self, index: int, params: dict[str, Any] | None, out: np.ndarray,
                          scaling: Scaling) -> int:
        """Fill ``out`` from sample ``index``, or from the next good one; returns the index
        of the sample actually used (its label goes with it)."""
        for attempt in range(self.n):
            candidate = (index + attempt) % self.n
            if candidate in self._broken:
                continue
            try:
                image = load_image(self._filepaths[candidate], self.settings)
            except ImageDecodeError as error:
                self._skip(candidate, error.reason)
                continue
            process_image(image, params, self.settings, scaling, out)
            return candidate
        raise RuntimeError(f"No decodable image left among the {self.n} files; "
                           f"see .skipped (first: {self.skipped[:1]})")

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray, rng: Any) -> Batch:
        count = len(index_array)
        channels = self.settings.channels
        batch_hwc = self.buffers.empty((count,) + self.target_size + (channels,), self.dtype)
        params = self._sample_params(count, self.image_shape, rng)  # legacy: x.shape
        scaling = Scaling.of(self.image_data_generator)

        def work(index: int, drawn: dict[str, Any] | None, out: np.ndarray) -> int:
            return self._load_and_process(index, drawn, out, scaling)

        used = np.asarray(self.executor.map_into(work, index_array.tolist(), params, batch_hwc),
                          dtype=np.int64)
        batch_x = self._to_data_format(batch_hwc)
        if self.save_to_dir:
            self._save_batch(batch_x, used, rng)
        return self._with_targets(batch_x, used)

    def _with_targets(self, batch_x: np.ndarray, used: np.ndarray) -> Batch:
        """Legacy ``BatchFromFilesMixin`` targets, for the samples in ``used``."""
        mode = self.class_mode
        batch_y: Targets
        if mode == "input":
            batch_y = batch_x.copy()
        elif mode in ("binary", "sparse"):
            batch_y = np.asarray(self.classes)[used].astype(self.dtype)
        elif mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            for i, n_observation in enumerate(used):
                batch_y[i, self.classes[n_observation]] = 1.0
        elif mode == "multi_output":
            batch_y = [output[used] for output in self.labels]
        elif mode == "raw":
            batch_y = self.labels[used]
        else:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[used]
