"""The result of ``interpret``: per-image predictions and what follows from them.

An ``Interpretation`` holds one row per validation image, in the order of the iterator's
``filenames``: the true class, the predicted class and every class probability. Everything
else is computed from those rows: the confusion matrix (rows: true class, columns:
predicted class), per-class precision and recall, each image's cross-entropy loss, the top
losses and the images of one matrix cell. Numbers only: the static picture is
``augwidgets.training.interpret_figure``, the interactive view
``augwidgets.widgets.interpretation``.

Examples:
    >>> result = Interpretation(["a", "b"], np.array([0, 1, 1]), np.array([0, 0, 1]),
    ...                         np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]),
    ...                         ["x.png", "y.png", "z.png"], np.arange(3), "sparse")
    >>> result.confusion_matrix.tolist(), result.top_losses(1)[0].caption()
    ([[1, 0], [1, 1]], 'b -> a (0.60)')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augwidgets.errors import reject
from augwidgets.preview.gallery import to_display

_EPSILON = 1e-7  # probabilities are clipped to [eps, 1 - eps] for the loss, as Keras does


@dataclass(frozen=True)
class Prediction:
    """One validation image, as the gallery shows it.

    Attributes:
        index: its position in the iterator (``filenames[index]``).
        filename: the file name as the iterator reports it (``"#index"`` for arrays).
        true_class, predicted_class: class names.
        probability: the probability the model gave its predicted class.
        true_probability: the probability it gave the true class.
        loss: the cross-entropy loss, ``-log(true_probability)``.
    """

    index: int
    filename: str
    true_class: str
    predicted_class: str
    probability: float
    true_probability: float
    loss: float

    @property
    def correct(self) -> bool:
        return self.true_class == self.predicted_class

    def caption(self) -> str:
        """A short caption: ``"6 -> 9 (0.93)"``, or ``"6 (0.99)"`` when correct."""
        if self.correct:
            return f"{self.true_class} ({self.probability:.2f})"
        return f"{self.true_class} -> {self.predicted_class} ({self.probability:.2f})"


@dataclass
class Interpretation:
    """The predictions of one model on one validation iterator, row ``i`` for sample ``i``.

    Attributes:
        class_names: class names in index order.
        true: true class index of each sample.
        predicted: predicted class index of each sample.
        probabilities: ``(samples, classes)`` class probabilities (for a one-unit sigmoid
            model, ``[1 - p, p]``).
        filenames: the iterator's file name of each sample.
        indices: each row's position in the iterator (``arange`` unless files were skipped
            as unreadable).
        class_mode: the iterator's class mode.
    """

    class_names: list[str]
    true: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray
    filenames: list[str]
    indices: np.ndarray
    class_mode: str
    load_image: Callable[[int], np.ndarray] | None = field(default=None, repr=False)
    _view: Any = field(default=None, repr=False, compare=False)

    # ---------------------------------------------------------------- numbers
    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def __len__(self) -> int:
        return len(self.true)

    @property
    def confusion_matrix(self) -> np.ndarray:
        """``(classes, classes)`` counts: row = true class, column = predicted class."""
        size = self.num_classes
        flat = np.bincount(self.true * size + self.predicted, minlength=size * size)
        return flat.reshape(size, size)

    @property
    def support(self) -> np.ndarray:
        """Number of validation images of each class (the matrix's row sums)."""
        return self.confusion_matrix.sum(axis=1)

    @property
    def precision(self) -> np.ndarray:
        """Per class: of the images predicted as it, the share that are it (NaN when the
        model never predicts that class)."""
        matrix = self.confusion_matrix
        return _ratio(np.diag(matrix), matrix.sum(axis=0))

    @property
    def recall(self) -> np.ndarray:
        """Per class: of its images, the share predicted correctly (its accuracy)."""
        matrix = self.confusion_matrix
        return _ratio(np.diag(matrix), matrix.sum(axis=1))

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.true == self.predicted)) if len(self) else math.nan

    @property
    def mistakes(self) -> int:
        """How many images the model got wrong."""
        return int(np.sum(self.true != self.predicted))

    @property
    def losses(self) -> np.ndarray:
        """Each sample's cross-entropy loss, ``-log p(true class)``."""
        return -np.log(np.clip(self._true_probability(), _EPSILON, 1 - _EPSILON))

    def per_class(self) -> dict[str, dict[str, float]]:
        """Class name -> ``{"precision", "recall", "support"}``."""
        return {name: {"precision": float(p), "recall": float(r), "support": int(s)}
                for name, p, r, s in zip(self.class_names, self.precision, self.recall,
                                         self.support, strict=True)}

    def most_confused(self, limit: int = 5) -> list[tuple[str, str, int]]:
        """The largest off-diagonal cells: ``(true, predicted, count)``, largest first."""
        matrix = self.confusion_matrix.copy()
        np.fill_diagonal(matrix, 0)
        order = np.argsort(-matrix, axis=None, kind="stable")[:limit]
        pairs = [np.unravel_index(i, matrix.shape) for i in order]
        return [(self.class_names[t], self.class_names[p], int(matrix[t, p]))
                for t, p in pairs if matrix[t, p] > 0]

    # ------------------------------------------------------------- the images
    def _true_probability(self) -> np.ndarray:
        return self.probabilities[np.arange(len(self)), self.true]

    def _row(self, row: int) -> Prediction:
        true, predicted = int(self.true[row]), int(self.predicted[row])
        p_true = float(self.probabilities[row, true])
        return Prediction(index=int(self.indices[row]), filename=self.filenames[row],
                          true_class=self.class_names[true],
                          predicted_class=self.class_names[predicted],
                          probability=float(self.probabilities[row, predicted]),
                          true_probability=p_true,
                          loss=float(-math.log(min(max(p_true, _EPSILON), 1 - _EPSILON))))

    def predictions(self) -> list[Prediction]:
        """Every sample, in the order of ``filenames``."""
        return [self._row(row) for row in range(len(self))]

    def top_losses(self, k: int | None = 9, *, mistakes_only: bool = True) -> list[Prediction]:
        """The ``k`` samples with the highest loss (all with ``k=None``), highest first.

        Args:
            k: how many to return.
            mistakes_only: leave out images the model got right (a correct image can still
                have a high loss when the model was unsure).
        """
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 0):
            raise reject("k", "None or an int >= 0", k)
        rows = np.argsort(-self.losses, kind="stable")  # ties keep the order of filenames
        if mistakes_only:
            rows = rows[self.true[rows] != self.predicted[rows]]
        return [self._row(int(row)) for row in rows[:k]]

    def cell(self, true: int | str, predicted: int | str) -> list[Prediction]:
        """The samples of one confusion-matrix cell, in the order of ``filenames``."""
        t, p = self._class_index(true, "true"), self._class_index(predicted, "predicted")
        rows = np.flatnonzero((self.true == t) & (self.predicted == p))
        return [self._row(int(row)) for row in rows]

    def _class_index(self, value: int | str, name: str) -> int:
        if isinstance(value, str) and value in self.class_names:
            return self.class_names.index(value)
        if isinstance(value, int | np.integer) and not isinstance(value, bool) \
                and 0 <= value < self.num_classes:
            return int(value)
        raise reject(name, f"a class name ({', '.join(self.class_names)}) or an index in "
                           f"[0, {self.num_classes - 1}]", value)

    def image(self, index: int) -> np.ndarray:
        """The un-augmented image of iterator sample ``index``, as ``HxWx3`` uint8 for display."""
        if self.load_image is None:
            raise ValueError("This interpretation keeps no images (it was built without an "
                             "iterator). Received: load_image=None")
        return to_display(self.load_image(index))

    # ------------------------------------------------------------------ text
    def class_table(self) -> str:
        """Precision, recall and support per class, as aligned text."""
        width = max([5, *(len(n) for n in self.class_names)])
        lines = [f"{'class':<{width}} {'precision':>9} {'recall':>6} {'images':>6}"]
        for name, values in self.per_class().items():
            lines.append(f"{name:<{width}} {values['precision']:>9.3f} "
                         f"{values['recall']:>6.3f} {values['support']:>6d}")
        return "\n".join(lines)

    def matrix_table(self) -> str:
        """The confusion matrix as aligned text (rows: true, columns: predicted)."""
        matrix = self.confusion_matrix
        width = max([3, *(len(n) for n in self.class_names), len(str(matrix.max(initial=0)))])
        corner = "true\\pred"
        head = f"{corner:<9}" + "".join(f" {n:>{width}}" for n in self.class_names)
        lines = [head]
        for name, row in zip(self.class_names, matrix, strict=True):
            lines.append(f"{name:<9}" + "".join(f" {v:>{width}d}" for v in row))
        return "\n".join(lines)

    def summary(self) -> str:
        return (f"Interpretation: {len(self)} images, {self.num_classes} classes, "
                f"{self.mistakes} wrong (accuracy {self.accuracy:.3f})")

    def __repr__(self) -> str:
        return (f"Interpretation(images={len(self)}, classes={self.num_classes}, "
                f"mistakes={self.mistakes})")

    def __str__(self) -> str:
        return f"{self.summary()}\n\n{self.matrix_table()}\n\n{self.class_table()}"

    # --------------------------------------------------------------- display
    def figure(self, k: int = 9) -> bytes:
        """A PNG: the confusion matrix beside the gallery of the ``k`` top losses."""
        from augwidgets.training.interpret_figure import render_interpretation

        return render_interpretation(self, k=k)

    def view(self) -> Any:
        """The interactive view (an ipywidgets box): click a cell to see its images."""
        if self._view is None:
            from augwidgets.widgets.interpretation import InterpretationView

            self._view = InterpretationView(self)
        return self._view

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        from augwidgets.training.outputs import in_notebook_kernel

        if in_notebook_kernel():
            return self.view()._repr_mimebundle_(include=include, exclude=exclude)
        import base64

        return {"text/plain": str(self),
                "image/png": base64.b64encode(self.figure()).decode("ascii")}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
