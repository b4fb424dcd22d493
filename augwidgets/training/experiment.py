"""``compare``: train one model per augmentation setting and judge them on clean validation data.

Every configuration gets the same model (same architecture, same initial weights), the
same training images in the same order and the same un-augmented validation set; only the
generator's augmentation differs. Validation curves are overlaid live, and a small table
ends the run: the best validation accuracy, the epoch it was reached, and the gap between
training and validation accuracy there. A large positive gap is overfitting; a negative
one means the augmented training images are harder than the real ones, which is what
augmentation that destroys the label (a flipped 2 is not a 2) looks like.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")
    >>> result = compare(root / "train", root / "validation", epochs=1, per_class=10,
    ...                  verbose=False)  # doctest: +ELLIPSIS
    Found 359 images belonging to 10 classes.
    ...
    >>> print(result.table())  # doctest: +ELLIPSIS
    config     best val acc epoch train acc     gap final val acc
    none ...
    light ...
    heavy ...
"""

from __future__ import annotations

import contextlib
import html
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from augwidgets.engine.generator import ImageDataGenerator
from augwidgets.errors import reject
from augwidgets.training.callback import LivePlot
from augwidgets.training.history import TrainingHistory
from augwidgets.training.interpret import interpret
from augwidgets.training.interpretation import Interpretation
from augwidgets.training.model import build_default_model
from augwidgets.training.outputs import Output, TextTableOutput, in_notebook_kernel
from augwidgets.training.plotting import CurveFigure

#: The default settings: none, light (what suits digits) and heavy (flips, large rotations).
DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "none": {},
    "light": {"rotation_range": 10, "width_shift_range": 0.1, "height_shift_range": 0.1,
              "zoom_range": 0.1},
    "heavy": {"rotation_range": 180, "width_shift_range": 0.3, "height_shift_range": 0.3,
              "shear_range": 30, "zoom_range": 0.4, "horizontal_flip": True,
              "vertical_flip": True},
}


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


@dataclass
class ComparisonResult:
    """What ``compare`` returns: the table, every history and the total wall time.

    Attributes:
        rows: one ``ComparisonRow`` per configuration, in the given order.
        histories: name -> epoch values keyed as in Keras logs.
        configs: name -> the generator arguments used (besides ``rescale``).
        seconds: total wall time.
        png: the final overlay of the validation curves (PNG bytes).
        interpretations: name -> the ``Interpretation`` of that configuration's model (with
            the weights of its best epoch) on the validation set; see ``interpret(name)``.
    """

    rows: list[ComparisonRow]
    histories: dict[str, dict[str, list[float]]]
    configs: dict[str, dict[str, Any]]
    seconds: float
    png: bytes | None = None
    interpretations: dict[str, Interpretation] = field(default_factory=dict)

    def interpret(self, name: str) -> Interpretation:
        """What configuration ``name``'s model got wrong: confusion matrix, precision and
        recall, top losses (shown as a clickable view in a notebook)."""
        if name not in self.interpretations:
            raise reject("name", f"one of the configurations ({', '.join(self.interpretations)})",
                         name)
        return self.interpretations[name]

    def table(self) -> str:
        """The result table as aligned plain text."""
        header = (f"{'config':<10} {'best val acc':>12} {'epoch':>5} {'train acc':>9} "
                  f"{'gap':>7} {'final val acc':>13}")
        lines = [header]
        for r in self.rows:
            lines.append(f"{r.name:<10} {r.best_val_accuracy:>12.3f} {r.best_epoch:>5d} "
                         f"{r.train_accuracy:>9.3f} {r.gap:>+7.3f} {r.final_val_accuracy:>13.3f}")
        return "\n".join(lines)

    def per_class_table(self) -> str:
        """Validation accuracy per class (columns) for each configuration (rows)."""
        return per_class_table([(r.name, r.per_class_accuracy) for r in self.rows])

    def best(self) -> str:
        """The name of the configuration with the highest best validation accuracy."""
        return max(self.rows, key=lambda r: r.best_val_accuracy).name

    def __str__(self) -> str:
        return f"{self.table()}\n({self.seconds:.0f} s)"

    def __repr__(self) -> str:
        names = ", ".join(r.name for r in self.rows)
        return f"ComparisonResult(configs=[{names}], best={self.best()!r})"

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(r.name)}</td><td>{r.best_val_accuracy:.3f}</td>"
            f"<td>{r.best_epoch}</td><td>{r.train_accuracy:.3f}</td><td>{r.gap:+.3f}</td>"
            f"<td>{r.final_val_accuracy:.3f}</td></tr>" for r in self.rows)
        return ("<table><tr><th>config</th><th>best val acc</th><th>epoch</th>"
                "<th>train acc</th><th>gap (train &minus; val)</th><th>final val acc</th></tr>"
                f"{cells}</table>")


class OverlayOutput(Output):
    """An output that draws the histories it holds, so ``send(None)`` redraws it too; into
    ``widget`` (an ``ipywidgets.Image``) once one is set. ``run_configurations`` shows it."""

    widget: Any
    last_png: bytes | None

    def send(self, history: TrainingHistory | None) -> None:
        """Redraws every history (``history`` is one of them, or None)."""
        raise NotImplementedError


class ComparisonOutput(OverlayOutput):
    """Overlays the validation curves of several histories; an image widget in a notebook.

    Args:
        histories: name -> ``TrainingHistory``, filled while the experiment runs.
        widget: an ``ipywidgets.Image`` to update; None creates one lazily when shown.

    Examples:
        >>> out = ComparisonOutput({"none": TrainingHistory()})
        >>> out.send(None); out.last_png[:4] == b"\\x89PNG"
        True
    """

    def __init__(self, histories: Mapping[str, TrainingHistory], widget: Any = None) -> None:
        self.histories = histories
        self.widget = widget
        self.figure = CurveFigure(width=9.0, columns=2)
        self.last_png: bytes | None = None

    def send(self, history: TrainingHistory | None) -> None:
        self.last_png = self.figure.render_comparison(self.histories)
        if self.widget is not None:
            self.widget.value = self.last_png


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


def compare(train_dir: Any, validation_dir: Any,
            configs: Mapping[str, Mapping[str, Any]] | None = None, *, epochs: int = 8,
            image_size: int = 32, color_mode: str = "grayscale", batch_size: int = 32,
            rescale: float | None = 1 / 255, learning_rate: float = 1e-3, seed: int = 0,
            build_model: Callable[..., keras.Model] | None = None,
            per_class: int | None = None, verbose: bool = True,
            progress: bool = True) -> ComparisonResult:
    """Trains one model per augmentation configuration and compares them on validation data.

    Args:
        train_dir: a class-per-folder training directory (or a ``flow_from_directory``
            iterator, whose directory, size, colour mode and batch size are used).
        validation_dir: the un-augmented validation directory (or iterator).
        configs: name -> generator arguments; None uses ``DEFAULT_CONFIGS`` (none, light,
            heavy). ``rescale`` is added to every one.
        epochs: epochs per configuration.
        image_size: images are resized to ``image_size`` x ``image_size`` (directories only).
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (directories only).
        batch_size: batch size (directories only).
        rescale: the generator's ``rescale`` for training and validation.
        learning_rate: Adam's learning rate for the default model.
        seed: the same seed for every configuration: initial weights, shuffling and
            augmentation (and the ``per_class`` subset).
        build_model: ``build_model(image_shape, num_classes, seed=seed)`` returning a compiled
            model; None uses ``build_default_model``.
        per_class: train on a fixed, seeded, class-balanced subset of this many images per
            class (None: every training image). Validation always uses every image.
        verbose: show the curves (a live overlay in a notebook, a table per configuration
            elsewhere).
        progress: a progress bar over every epoch of every configuration (``tqdm.auto``:
            a widget in a notebook, text on stderr elsewhere); False shows none.

    Returns:
        A ``ComparisonResult``; ``print`` it for the table, ``per_class_table()`` for the
        accuracy of every class.

    Examples:
        The module's example trains the default three (``DEFAULT_CONFIGS``); your own
        configurations are generator arguments by name, passed as ``configs``:

        >>> sorted(DEFAULT_CONFIGS)
        ['heavy', 'light', 'none']
        >>> configs = {"none": {}, "flips": {"horizontal_flip": True}}
    """
    configs = dict(DEFAULT_CONFIGS if configs is None else configs)
    histories = {name: TrainingHistory() for name in configs}
    overlay = ComparisonOutput(histories)
    run = run_configurations(
        train_dir, validation_dir, configs, overlay=overlay, histories=histories,
        epochs=epochs, target_size=(image_size, image_size), color_mode=color_mode,
        batch_size=batch_size, rescale=rescale, learning_rate=learning_rate, seed=seed,
        build_model=build_model, per_class=per_class,
        progress="epochs" if verbose else None, show_bar=progress)
    return ComparisonResult(rows=run.rows,
                            histories={n: h.epoch_metrics() for n, h in histories.items()},
                            configs={n: dict(c) for n, c in configs.items()},
                            seconds=run.seconds, png=overlay.last_png,
                            interpretations=run.interpretations)


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


def per_class_table(rows: Sequence[tuple[str, Mapping[str, float]]]) -> str:
    """Aligned text: one line per configuration, one column per class, the worst marked.

    Examples:
        >>> print(per_class_table([("none", {"0": 1.0, "1": 0.5})]))
        config         0      1
        none       1.000  0.500*
        (* the class this configuration gets most wrong)
    """
    classes: list[str] = []
    for _name, accuracies in rows:
        classes += [c for c in accuracies if c not in classes]
    width = max([5, *(len(c) for c in classes)])
    lines = [f"{'config':<10}" + "".join(f" {c:>{width}} " for c in classes).rstrip()]
    for name, accuracies in rows:
        finite = {c: v for c, v in accuracies.items() if math.isfinite(v)}
        worst = min(finite, key=finite.__getitem__) if finite else None
        cells = "".join(f" {accuracies.get(c, math.nan):>{width}.3f}{'*' if c == worst else ' '}"
                        for c in classes)
        lines.append(f"{name:<10}{cells}".rstrip())
    lines.append("(* the class this configuration gets most wrong)")
    return "\n".join(lines)


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
