"""``sweep``: one augmentation-strength curve, showing both too little and too much.

Strength ``s`` scales one base augmentation (``augwidgets.tools.strength``: rotation
``10*s`` degrees, shifts and zoom ``0.1*s``, shear ``10*s`` degrees; ``s=0`` is none).
Above strength 0 the new area a transform reveals is filled with black (``fill_mode``).
``sweep`` trains the same model from the same initial weights once per strength, with
``compare``'s training routine, and draws two curves against strength while it runs:

- the best validation accuracy (and the training accuracy at that epoch, dotted);
- the gap between them, training minus validation.

Read it from left to right. At strength 0 the gap is positive: the model memorises its
few training images. A little augmentation closes the gap and validation accuracy rises
to a peak, the sweet spot. Beyond it the training images stop looking like the real ones:
both accuracies fall, and the gap turns negative because the augmented training images
are harder than the clean validation images.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")
    >>> result = sweep(root / "train", root / "validation", strengths=(0, 1), per_class=10,
    ...                epochs=2, verbose=False)  # doctest: +ELLIPSIS
    Found 359 images belonging to 10 classes.
    ...
    >>> print(result.table())  # doctest: +ELLIPSIS
    strength best val acc epoch train acc     gap final val acc
           0 ...
           1 ...
    >>> result.best_strength in (0, 1)
    True
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras

from augwidgets.errors import reject
from augwidgets.image.pipeline import target_pair
from augwidgets.tools.strength import check_base, check_strength, strength_kwargs
from augwidgets.training.experiment import per_class_table
from augwidgets.training.history import TrainingHistory
from augwidgets.training.interpretation import Interpretation
from augwidgets.training.model import build_default_model
from augwidgets.training.outputs import in_notebook_kernel
from augwidgets.training.plotting import CurveFigure
from augwidgets.training.runs import ComparisonRow, OverlayOutput, run_configurations

#: Strengths a default sweep trains at: none, up to where digits stop being learnable.
DEFAULT_STRENGTHS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)
#: Epochs per strength by default: enough for a small subset to be memorised at strength 0.
DEFAULT_EPOCHS = 100
#: Image size by default: the size ``compare`` trains at.
DEFAULT_TARGET_SIZE = (32, 32)


@dataclass(frozen=True)
class SweepRow:
    """One strength's result.

    Args:
        strength: the strength trained at.
        best_val_accuracy: the highest validation accuracy of any epoch.
        best_epoch: the 1-based epoch where it was reached.
        train_accuracy: training accuracy (on augmented images) at that epoch.
        gap: ``train_accuracy - best_val_accuracy``; positive is memorising.
        final_val_accuracy: validation accuracy after the last epoch.
        seconds: wall time of this strength's training.
        per_class_accuracy: class name -> validation accuracy at the best epoch.
    """

    strength: float
    best_val_accuracy: float
    best_epoch: int
    train_accuracy: float
    gap: float
    final_val_accuracy: float
    seconds: float
    per_class_accuracy: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_comparison(cls, strength: float, row: ComparisonRow) -> SweepRow:
        return cls(strength, row.best_val_accuracy, row.best_epoch, row.train_accuracy,
                   row.gap, row.final_val_accuracy, row.seconds, dict(row.per_class_accuracy))


def _label(strength: float) -> str:
    return f"s={strength:g}"


@dataclass
class SweepResult:
    """What ``sweep`` returns.

    Attributes:
        rows: one ``SweepRow`` per strength, in increasing strength.
        configs: strength -> the generator arguments trained with (besides ``rescale``).
        histories: strength -> epoch values keyed as in Keras logs.
        base: the configuration that strength 1 stands for.
        per_class: training images per class (None: the whole training folder).
        seconds: total wall time.
        png: the final figure (PNG bytes).
        interpretations: strength -> the ``Interpretation`` of that strength's model (best
            epoch) on the validation set; see ``interpret(strength)``.
    """

    rows: list[SweepRow]
    configs: dict[float, dict[str, Any]]
    histories: dict[float, dict[str, list[float]]]
    base: dict[str, Any]
    per_class: int | None
    seconds: float
    png: bytes | None = None
    interpretations: dict[float, Interpretation] = field(default_factory=dict)

    def interpret(self, strength: float) -> Interpretation:
        """What the model trained at ``strength`` got wrong on the validation set."""
        if strength not in self.interpretations:
            raise reject("strength", f"one of the strengths trained at {self.strengths}",
                         strength)
        return self.interpretations[strength]

    @property
    def strengths(self) -> list[float]:
        return [r.strength for r in self.rows]

    @property
    def best_strength(self) -> float:
        """The strength with the highest best validation accuracy (the smaller on a tie)."""
        return max(self.rows, key=lambda r: (r.best_val_accuracy, -r.strength)).strength

    def row(self, strength: float) -> SweepRow:
        """The row of one strength."""
        for r in self.rows:
            if r.strength == strength:
                return r
        raise KeyError(f"No row for strength {strength!r}; trained at {self.strengths}")

    def table(self) -> str:
        """The result as aligned plain text, the best strength marked."""
        best = self.best_strength
        lines = [f"{'strength':>8} {'best val acc':>12} {'epoch':>5} {'train acc':>9} "
                 f"{'gap':>7} {'final val acc':>13}"]
        for r in self.rows:
            mark = "  <- best" if r.strength == best else ""
            lines.append(f"{r.strength:>8g} {r.best_val_accuracy:>12.3f} {r.best_epoch:>5d} "
                         f"{r.train_accuracy:>9.3f} {r.gap:>+7.3f} "
                         f"{r.final_val_accuracy:>13.3f}{mark}")
        return "\n".join(lines)

    def per_class_table(self) -> str:
        """Validation accuracy per class (columns) at each strength (rows)."""
        return per_class_table([(_label(r.strength), r.per_class_accuracy) for r in self.rows])

    def __str__(self) -> str:
        return f"{self.table()}\n({self.seconds:.0f} s)"

    def __repr__(self) -> str:
        strengths = ", ".join(f"{s:g}" for s in self.strengths)
        return f"SweepResult(strengths=[{strengths}], best_strength={self.best_strength:g})"

    def _repr_html_(self) -> str:
        best = self.best_strength
        cells = "".join(
            f"<tr{' style=font-weight:bold' if r.strength == best else ''}>"
            f"<td>{r.strength:g}</td><td>{r.best_val_accuracy:.3f}</td><td>{r.best_epoch}</td>"
            f"<td>{r.train_accuracy:.3f}</td><td>{r.gap:+.3f}</td>"
            f"<td>{r.final_val_accuracy:.3f}</td></tr>" for r in self.rows)
        return ("<table><tr><th>strength</th><th>best val acc</th><th>epoch</th>"
                "<th>train acc</th><th>gap (train &minus; val)</th><th>final val acc</th></tr>"
                f"{cells}</table>")


def _point(history: TrainingHistory) -> tuple[float, float, float] | None:
    """(best validation accuracy, training accuracy there, gap) so far, or None."""
    best = history.best_epoch("val_accuracy")
    if best is None:
        return None
    logs = history.epochs[best - 1].logs
    validation, train = logs["val_accuracy"], logs.get("accuracy", math.nan)
    return validation, train, train - validation


class SweepFigure(CurveFigure):
    """Draws a sweep: accuracies against strength, and the gap against strength.

    Examples:
        >>> figure = SweepFigure()
        >>> figure.render_sweep({0.0: TrainingHistory()})[:4] == b"\\x89PNG"
        True
    """

    def __init__(self, *, width: float = 9.0, panel_height: float = 3.2, dpi: int = 80) -> None:
        super().__init__(width=width, panel_height=panel_height, dpi=dpi, columns=2)

    def render_sweep(self, histories: Mapping[float, TrainingHistory], *,
                     running: float | None = None, title: str | None = None) -> bytes:
        """Draws every strength trained so far; ``running``'s point is the one still training."""
        accuracy_axes, gap_axes = self._panels("sweep", ("accuracy", "gap"))
        done: list[tuple[float, float, float, float]] = []
        partial: list[tuple[float, float, float, float]] = []
        for strength, history in sorted(histories.items()):
            point = _point(history)
            if point is not None:
                (partial if strength == running else done).append((strength, *point))
        strengths = sorted(histories)
        if done:
            xs, validation, train, gaps = zip(*done, strict=True)
            accuracy_axes.plot(xs, validation, "o-", color="tab:orange",
                               label="validation (best epoch)")
            accuracy_axes.plot(xs, train, "o:", color="tab:blue", alpha=0.8,
                               label="training, same epoch")
            gap_axes.plot(xs, gaps, "o-", color="tab:purple", label="train - validation")
            best = max(done, key=lambda p: (p[1], -p[0]))
            accuracy_axes.plot([best[0]], [best[1]], "*", color="tab:red", markersize=14,
                               label=f"best: s={best[0]:g}")
        for strength, running_validation, running_train, gap in partial:
            accuracy_axes.plot([strength], [running_validation], "o", color="tab:orange",
                               alpha=0.35)
            accuracy_axes.plot([strength], [running_train], "o", color="tab:blue", alpha=0.35)
            gap_axes.plot([strength], [gap], "o", color="tab:purple", alpha=0.35)
            accuracy_axes.text(strength, running_validation, " training...", fontsize="small",
                               color="grey", va="bottom")
        gap_axes.axhline(0.0, color="grey", linewidth=1)
        # The gap usually falls with strength: label the empty corners.
        gap_axes.text(0.98, 0.95, "above 0: memorising", transform=gap_axes.transAxes,
                      ha="right", va="top", fontsize="small", color="grey")
        gap_axes.text(0.02, 0.05, "below 0: training images\nharder than real ones",
                      transform=gap_axes.transAxes, fontsize="small", color="grey")
        for ax, name in ((accuracy_axes, "accuracy"), (gap_axes, "gap (train - validation)")):
            ax.set_title(name)
            ax.set_xlabel("augmentation strength s")
            if strengths:
                span = max(strengths) - min(strengths) or 1.0
                ax.set_xlim(min(strengths) - 0.05 * span, max(strengths) + 0.05 * span)
            ax.grid(True, alpha=0.3)
        accuracy_axes.set_ylim(0, 1.02)
        if done:
            accuracy_axes.legend(fontsize="small", loc="lower left")
        if title:
            self.figure.suptitle(title)
        self._layout()
        return self._png()


class SweepOutput(OverlayOutput):
    """A live-plot output that redraws the sweep figure from the histories being filled.

    Args:
        histories: strength -> ``TrainingHistory``, filled while the sweep runs.
        epochs: epochs per strength; a history with fewer is drawn as still training.
        widget: an ``ipywidgets.Image`` to update; None keeps the PNG in ``last_png`` only.
        title: an optional figure title.

    Examples:
        >>> out = SweepOutput({0.0: TrainingHistory()})
        >>> out.send(None); out.last_png[:4] == b"\\x89PNG"
        True
    """

    def __init__(self, histories: Mapping[float, TrainingHistory], *, epochs: int | None = None,
                 widget: Any = None, title: str | None = None) -> None:
        self.histories = histories
        self.epochs = epochs
        self.widget = widget
        self.title = title
        self.figure = SweepFigure()
        self.last_png: bytes | None = None

    def send(self, history: TrainingHistory | None) -> None:
        running = next((s for s, h in self.histories.items()
                        if self.epochs and 0 < len(h) < self.epochs), None)
        self.last_png = self.figure.render_sweep(self.histories, running=running,
                                                 title=self.title)
        if self.widget is not None:
            self.widget.value = self.last_png


def _check_strengths(strengths: Any) -> list[float]:
    if isinstance(strengths, str | bytes) or not isinstance(strengths, Sequence) or not strengths:
        raise ValueError("`strengths` must be a non-empty sequence of numbers >= 0. "
                         f"Received: strengths={strengths!r}")
    values = sorted({check_strength(s) for s in strengths})
    if len(values) != len(strengths):
        raise ValueError(f"`strengths` must not repeat a value. Received: strengths={strengths!r}")
    return values


def _builder(model: Any, learning_rate: float) -> Callable[..., keras.Model]:
    """``build(image_shape, num_classes, seed=)`` for sweep's ``model`` argument."""
    if model is None:
        def build(image_shape: tuple[int, ...], num_classes: int, *, seed: int) -> keras.Model:
            return build_default_model(image_shape, num_classes, learning_rate=learning_rate,
                                       seed=seed)
        return build
    if isinstance(model, keras.Model):
        if not getattr(model, "compiled", False):
            raise ValueError("`model` must be compiled (with metrics=['accuracy']), or be a "
                             f"function building one. Received: model={model.name!r}")
        initial = [w.copy() for w in model.get_weights()]

        def clone(image_shape: tuple[int, ...], num_classes: int, *, seed: int) -> keras.Model:
            copy = keras.models.clone_model(model)
            copy.set_weights(initial)  # every strength starts from the same weights
            from keras.saving import deserialize_keras_object

            config = deserialize_keras_object(model.get_compile_config())
            config["optimizer"] = keras.optimizers.deserialize(
                keras.optimizers.serialize(model.optimizer))
            copy.compile(**config)
            return copy
        return clone
    if callable(model):
        supplied: Callable[..., keras.Model] = model
        return supplied
    raise ValueError("`model` must be None, a compiled keras.Model or a function "
                     "`build(image_shape, num_classes, seed=...)`. "
                     f"Received: model={type(model).__name__}")


def sweep(train_dir: Any, validation_dir: Any, *,
          strengths: Sequence[float] = DEFAULT_STRENGTHS,
          base: Mapping[str, Any] | None = None, per_class: int | None = None,
          epochs: int = DEFAULT_EPOCHS,
          target_size: int | tuple[int, int] = DEFAULT_TARGET_SIZE, seed: int = 0,
          model: Any = None, fill_mode: str = "constant", color_mode: str = "grayscale",
          batch_size: int = 32,
          rescale: float | None = 1 / 255, learning_rate: float = 1e-3,
          verbose: bool = True, progress: bool = True) -> SweepResult:
    """Trains once per augmentation strength and draws validation accuracy against it.

    Args:
        train_dir: a class-per-folder training directory (or a ``flow_from_directory``
            iterator, whose directory, size, colour mode and batch size are used).
        validation_dir: the validation directory (or iterator); never augmented, always
            every image.
        strengths: the strengths to train at (sorted; 0 is no augmentation).
        base: the configuration strength 1 stands for (numbers and factor pairs that
            ``augwidgets.tools.strength`` scales); None is ``BASE_STRENGTH``: rotation 10
            degrees, shifts 0.1, shear 10 degrees, zoom 0.1.
        per_class: train on a fixed, seeded, class-balanced subset of this many images per
            class (None: every training image). Small subsets show memorising best.
        epochs: epochs per strength.
        target_size: image side, or ``(height, width)`` (directories only).
        seed: initial weights, shuffling, augmentation and the subset; the same for every
            strength.
        model: None for the default small CNN; a compiled ``keras.Model`` (each strength
            trains a clone from its current weights); or ``build(image_shape, num_classes,
            seed=...)`` returning a compiled model.
        fill_mode: how pixels from outside the image are filled at every strength above 0.
            ``"constant"`` (black, like torchvision's ``RandomAffine``) shows new area as
            background; Keras' default ``"nearest"`` smears the border pixels across it,
            which on digits (ink reaches the border of every one) draws strokes that are not
            there.
        color_mode, batch_size, rescale, learning_rate: as in ``compare``.
        verbose: draw the curves live in a notebook; print a row per strength elsewhere.
        progress: a progress bar over every epoch of every strength (``tqdm.auto``); False
            shows none.

    Returns:
        A ``SweepResult`` with ``.rows``, ``.best_strength``, ``.table()``,
        ``.per_class_table()`` and the figure as ``.png``.

    Examples:
        See the module's example; ``strength_kwargs`` gives the arguments each strength
        trains with:

        >>> from augwidgets.tools.strength import strength_kwargs
        >>> strength_kwargs(1)  # doctest: +NORMALIZE_WHITESPACE
        {'rotation_range': 10.0, 'width_shift_range': 0.1, 'height_shift_range': 0.1,
         'shear_range': 10.0, 'zoom_range': 0.1}
    """
    values = _check_strengths(strengths)
    base = check_base(base)
    if isinstance(target_size, numbers.Integral) and not isinstance(target_size, bool):
        target_size = (int(target_size), int(target_size))
    if (not isinstance(target_size, Sequence) or len(target_size) != 2
            or not all(isinstance(v, numbers.Integral) and v > 0 for v in target_size)):
        raise ValueError("`target_size` must be a positive int or (height, width). "
                         f"Received: target_size={target_size!r}")
    fill = {} if fill_mode == "nearest" else {"fill_mode": fill_mode}
    configs = {_label(s): {**strength_kwargs(s, base), **(fill if s else {})} for s in values}
    strength_of = dict(zip(configs, values, strict=True))
    histories = {s: TrainingHistory() for s in values}
    by_label = {label: histories[strength_of[label]] for label in configs}
    title = "augmentation strength sweep" + (f", {per_class} images per class"
                                             if per_class else "")
    output = SweepOutput(histories, epochs=epochs, title=title)

    def report(row: ComparisonRow) -> None:
        if verbose and not in_notebook_kernel():
            r = SweepRow.from_comparison(strength_of[row.name], row)
            print(f"strength {r.strength:>5g}: best val acc {r.best_val_accuracy:.3f} "
                  f"(epoch {r.best_epoch}), train acc {r.train_accuracy:.3f}, gap {r.gap:+.3f}, "
                  f"{r.seconds:.0f} s", file=sys.stdout, flush=True)

    run = run_configurations(
        train_dir, validation_dir, configs, overlay=output,
        histories=by_label, epochs=epochs, target_size=target_pair(target_size),
        color_mode=color_mode, batch_size=batch_size, rescale=rescale,
        learning_rate=learning_rate, seed=seed, build_model=_builder(model, learning_rate),
        per_class=per_class, progress="rows" if verbose else None, on_row=report,
        show_bar=progress)
    rows = [SweepRow.from_comparison(strength_of[r.name], r) for r in run.rows]
    return SweepResult(rows=rows, configs={strength_of[n]: dict(c) for n, c in configs.items()},
                       histories={s: h.epoch_metrics() for s, h in histories.items()},
                       base=dict(base), per_class=per_class, seconds=run.seconds,
                       png=output.last_png,
                       interpretations={strength_of[n]: i
                                        for n, i in run.interpretations.items()})
