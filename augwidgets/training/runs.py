"""Training one model per augmentation setting: what ``compare`` and ``sweep`` share.

``run_configurations`` gives every configuration the same model (same architecture, same
initial weights), the same training images in the same order and the same un-augmented
validation set; only the generator's augmentation differs. Each run keeps its best epoch's
weights and the interpretation of its mistakes.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from augwidgets.engine.generator import ImageDataGenerator
from augwidgets.training.callback import LivePlot
from augwidgets.training.history import TrainingHistory
from augwidgets.training.interpret import interpret
from augwidgets.training.interpretation import Interpretation
from augwidgets.training.model import build_default_model
from augwidgets.training.outputs import Output, TextTableOutput, in_notebook_kernel

#: Smallest validation batch for a directory (larger batches, same result, fewer steps).
_VALIDATION_BATCH = 128


@dataclass(frozen=True)
class ComparisonRow:
    """One configuration's result.

    Args:
        name: the configuration's name.
        best_val_accuracy: the highest validation accuracy of any epoch.
        best_epoch: the 1-based epoch where it was reached.
        train_accuracy: training accuracy (on augmented images) at that epoch.
        gap: ``train_accuracy - best_val_accuracy``.
        final_val_accuracy: validation accuracy after the last epoch.
        seconds: wall time of this configuration's training.
        per_class_accuracy: class name -> validation accuracy on that class, with the
            weights of the best epoch (their average, weighted by class size, is
            ``best_val_accuracy``).
    """

    name: str
    best_val_accuracy: float
    best_epoch: int
    train_accuracy: float
    gap: float
    final_val_accuracy: float
    seconds: float
    per_class_accuracy: dict[str, float] = field(default_factory=dict)


class OverlayOutput(Output):
    """An output that draws the histories it holds, so ``send(None)`` redraws it too; into
    ``widget`` (an ``ipywidgets.Image``) once one is set. ``run_configurations`` shows it."""

    widget: Any
    last_png: bytes | None

    def send(self, history: TrainingHistory | None) -> None:
        """Redraws every history (``history`` is one of them, or None)."""
        raise NotImplementedError


def _directory_options(source: Any, target_size: tuple[int, int], color_mode: str,
                       batch_size: int) -> tuple[Path, dict[str, Any]]:
    """A directory and flow_from_directory options, from a path or a directory iterator."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_dir():
            raise ValueError(f"The directory does not exist. Received: directory={str(source)!r}")
        return path, {"target_size": tuple(target_size), "color_mode": color_mode,
                      "batch_size": batch_size}
    directory = getattr(source, "directory", None)
    if directory is None:
        raise ValueError("Pass a directory (class-per-folder) or a `flow_from_directory` "
                         f"iterator. Received: {type(source).__name__}")
    return Path(directory), {"target_size": tuple(source.target_size),
                             "color_mode": source.color_mode, "batch_size": source.batch_size}


@dataclass
class ConfigurationRuns:
    """What ``run_configurations`` hands back to ``compare`` and ``sweep``.

    Attributes:
        rows: one ``ComparisonRow`` per configuration, in the given order.
        seconds: total wall time.
        class_names: the validation classes, in index order.
        interpretations: name -> what the model (best epoch) got wrong on validation.
    """

    rows: list[ComparisonRow]
    seconds: float
    class_names: list[str]
    interpretations: dict[str, Interpretation] = field(default_factory=dict)


def run_configurations(
    train_dir: Any, validation_dir: Any, configs: Mapping[str, Mapping[str, Any]], *,
    overlay: OverlayOutput, histories: Mapping[str, TrainingHistory], epochs: int,
    target_size: tuple[int, int], color_mode: str = "grayscale", batch_size: int = 32,
    rescale: float | None = 1 / 255, learning_rate: float = 1e-3, seed: int = 0,
    build_model: Callable[..., keras.Model] | None = None, per_class: int | None = None,
    progress: str | None = "epochs", on_row: Callable[[ComparisonRow], None] | None = None,
    show_bar: bool = True,
) -> ConfigurationRuns:
    """The one training routine behind ``compare`` and ``sweep``.

    Every configuration gets the same model (built with ``seed``), the same training files
    in the same order and the same un-augmented validation iterator. Each ``fit`` feeds a
    ``LivePlot`` that appends to ``histories[name]`` and redraws ``overlay`` (shown as an
    image widget in a notebook). After each fit the weights of the best validation epoch
    are restored and ``interpret`` predicts the validation set once: the confusion matrix,
    the top losses and the accuracy of every validation class (its recall).

    Args:
        train_dir, validation_dir, epochs, color_mode, batch_size, rescale, learning_rate,
        seed, build_model, per_class: as in ``compare``.
        configs: name -> generator arguments (``rescale`` is added).
        overlay: the throttled output every run redraws (it reads ``histories``).
        histories: name -> the ``TrainingHistory`` to fill, one per configuration.
        target_size: ``(height, width)`` (directories only).
        progress: outside a notebook, ``"epochs"`` prints a table per configuration,
            ``"rows"`` leaves printing to ``on_row``, None prints nothing. In a notebook any
            value but None shows ``overlay``.
        on_row: called with each configuration's row as soon as it is trained.
        show_bar: a progress bar over all epochs (``augwidgets.progress``).
    """
    if not configs:
        raise ValueError(f"`configs` must name at least one configuration. Received: configs={configs!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"`epochs` must be a positive int. Received: epochs={epochs!r}")
    if progress not in (None, "epochs", "rows"):
        raise ValueError("`progress` must be None, 'epochs' or 'rows'. "
                         f"Received: progress={progress!r}")
    train_path, train_options = _directory_options(train_dir, target_size, color_mode, batch_size)
    # Validation batches only need to be large: every epoch evaluates the whole folder,
    # and with a small training subset that pass costs more than training.
    validation_path, validation_options = _directory_options(
        validation_dir, target_size, color_mode, max(batch_size, _VALIDATION_BATCH))
    scaling: dict[str, Any] = {"rescale": rescale} if rescale else {}
    validation = ImageDataGenerator(**scaling).flow_from_directory(
        validation_path, shuffle=False, **validation_options)
    class_names = sorted(validation.class_indices, key=validation.class_indices.__getitem__)

    rows: list[ComparisonRow] = []
    interpretations: dict[str, Interpretation] = {}
    started = time.perf_counter()
    notebook = progress is not None and in_notebook_kernel()
    view = None
    if notebook:
        import ipywidgets

        from augwidgets.widgets.live_picture import LivePicture

        # Shrinks with a narrow output area (no side margins, which would stick out).
        overlay.widget = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
            max_width="100%", height="auto", margin="2px 0"))
        # With a picture of the figure beside the view, refreshed after each configuration:
        # a saved notebook shows the final figure where widgets are not drawn.
        view = LivePicture(overlay.widget, lambda: getattr(overlay, "last_png", None),
                           lambda: f"{len(rows)} of {len(configs)} configurations trained")
        view.display()

    with contextlib.ExitStack() as stack:
        from augwidgets.progress import progress_bar

        bar = stack.enter_context(progress_bar(len(configs) * epochs, desc="training",
                                               unit="epoch", enabled=show_bar))
        if per_class is not None:
            from augwidgets.datasets.subset import balanced_subset, subset_tree

            chosen = balanced_subset(train_path, per_class, seed=seed)
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="augwidgets-"))
            train_path = subset_tree(train_path, chosen, Path(scratch) / "train")
        for name, config in configs.items():
            generator = ImageDataGenerator(**scaling, **dict(config))
            train = generator.flow_from_directory(train_path, shuffle=True, seed=seed,
                                                  **train_options)
            image_shape = tuple(train.image_shape)
            if build_model is None:
                if train.class_mode is None:  # the options above keep the default
                    raise ValueError("training needs labels: class_mode 'categorical', "
                                     "'binary' or 'sparse'. Received: class_mode=None")
                model = build_default_model(image_shape, train.num_classes,
                                            class_mode=train.class_mode,
                                            learning_rate=learning_rate, seed=seed)
            else:
                model = build_model(image_shape, train.num_classes, seed=seed)
            outputs: list[Output] = [overlay]
            if progress == "epochs" and not notebook:
                print(f"== {name}: {dict(config) or 'no augmentation'}", file=sys.stdout)
                outputs.append(TextTableOutput())
            plot = LivePlot(outputs=outputs, history=histories[name])
            keeper = _BestWeights()
            bar.set_postfix_str(name)
            began = time.perf_counter()
            model.fit(train, validation_data=validation, epochs=epochs, verbose=0,
                      callbacks=[plot, keeper, _EpochBar(bar)])
            seconds = time.perf_counter() - began
            keeper.restore(model)
            # One clean pass over the validation files: per-class accuracy is its recall.
            interpretations[name] = interpret(model, validation, class_names=class_names)
            per_class_accuracy = dict(zip(class_names, interpretations[name].recall.tolist(),
                                          strict=True))
            rows.append(_row(name, histories[name], seconds, per_class_accuracy))
            if on_row is not None:
                on_row(rows[-1])
            if view is not None:
                view.refresh()
    overlay.send(None)
    if view is not None:
        view.refresh()
    return ConfigurationRuns(rows=rows, seconds=time.perf_counter() - started,
                             class_names=class_names, interpretations=interpretations)


# Keras ships no type information, so mypy sees keras.callbacks.Callback as Any.
class _EpochBar(keras.callbacks.Callback):  # type: ignore[misc]
    """Moves a progress bar by one at the end of every epoch."""

    def __init__(self, bar: Any) -> None:
        super().__init__()
        self.bar = bar

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.bar.update(1)


# Keras ships no type information, so mypy sees keras.callbacks.Callback as Any.
class _BestWeights(keras.callbacks.Callback):  # type: ignore[misc]
    """Keeps a copy of the weights of the epoch with the best validation accuracy."""

    def __init__(self) -> None:
        super().__init__()
        self.best = -math.inf
        self.weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get("val_accuracy")
        if value is not None and math.isfinite(value) and value > self.best:
            self.best = value
            self.weights = [w.copy() for w in self.model.get_weights()]

    def restore(self, model: keras.Model) -> None:
        if self.weights is not None:
            model.set_weights(self.weights)


def _row(name: str, history: TrainingHistory, seconds: float,
         per_class_accuracy: dict[str, float] | None = None) -> ComparisonRow:
    per_class_accuracy = dict(per_class_accuracy or {})
    best = history.best_epoch("val_accuracy")
    if best is None:
        nan = math.nan
        return ComparisonRow(name, nan, 0, nan, nan, nan, seconds, per_class_accuracy)
    logs = history.epochs[best - 1].logs
    validation, train = logs["val_accuracy"], logs.get("accuracy", math.nan)
    final = history.epochs[-1].logs.get("val_accuracy", math.nan)
    return ComparisonRow(name, validation, best, train, train - validation, final, seconds,
                         per_class_accuracy)
