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

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras

from augwidgets.errors import reject
from augwidgets.training.history import TrainingHistory
from augwidgets.training.interpretation import Interpretation
from augwidgets.training.plotting import CurveFigure
from augwidgets.training.runs import ComparisonRow, OverlayOutput, run_configurations

#: The default settings: none, light (what suits digits) and heavy (flips, large rotations).
DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "none": {},
    "light": {"rotation_range": 10, "width_shift_range": 0.1, "height_shift_range": 0.1,
              "zoom_range": 0.1},
    "heavy": {"rotation_range": 180, "width_shift_range": 0.3, "height_shift_range": 0.3,
              "shear_range": 30, "zoom_range": 0.4, "horizontal_flip": True,
              "vertical_flip": True},
}



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
