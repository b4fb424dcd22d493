"""``interpret``: what a trained classifier got wrong on a validation iterator.

``interpret(model, validation)`` predicts every batch of an un-shuffled iterator (the same
images, scaled the same way, that ``fit`` validates on) and keeps one row per sample, in
the order of ``validation.filenames``: the true class, the predicted class and every class
probability. From those rows come the confusion matrix (rows: true class, columns:
predicted class), per-class precision and recall, each sample's cross-entropy loss and the
*top losses*: the images the model was most confidently wrong about, shown un-augmented
with their true class, predicted class and probability.

Numbers only live here. The interactive view (click a cell of the matrix to see its
images) is ``augwidgets.widgets.interpretation.InterpretationView``; the static picture
(matrix and gallery in one PNG) is ``augwidgets.training.interpret_figure``.

Example:
    >>> result = interpret(model, validation)       # doctest: +SKIP
    >>> result.confusion_matrix                     # doctest: +SKIP
    >>> print(result.class_table())                 # doctest: +SKIP
    >>> result.top_losses(9)                        # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augwidgets.errors import reject

#: Class modes whose targets name one class per image.
CLASS_MODES = ("categorical", "sparse", "binary")
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


def to_display(image: np.ndarray) -> np.ndarray:
    """An image as the model saw its scale (0..1, 0..255 or standardised) -> ``HxWx3`` uint8.

    Example:
        >>> to_display(np.ones((2, 2, 1))).shape, int(to_display(np.ones((2, 2, 1))).max())
        ((2, 2, 3), 255)
    """
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 2:
        array = array[..., None]
    low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 1.0)
    if low >= 0 and high <= 1:
        array = array * 255
    elif low < 0 or high > 255:  # standardised: stretch to the full range
        array = (array - low) / ((high - low) or 1.0) * 255
    array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
    if array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return np.ascontiguousarray(array[..., :3])


# ------------------------------------------------------------------ interpret()
def _check_iterator(iterator: Any) -> str:
    if not hasattr(iterator, "__getitem__") or not hasattr(iterator, "__len__"):
        raise ValueError("`validation_iterator` must be an iterator from `flow`, "
                         "`flow_from_directory` or `flow_from_dataframe`. "
                         f"Received: validation_iterator={type(iterator).__name__}")
    if getattr(iterator, "shuffle", False):
        raise ValueError(
            "`validation_iterator` must not shuffle: its predictions are matched to "
            "`filenames` by position, and a shuffled iterator would pair them with the wrong "
            "images. Create it with shuffle=False, e.g. "
            "generator.flow_from_directory(directory, shuffle=False, ...). "
            "Received: validation_iterator.shuffle=True")
    if not hasattr(iterator, "class_mode"):  # flow(x, y): the labels' shape says the mode
        y = getattr(iterator, "y", None)
        if y is None:
            raise ValueError("`validation_iterator` must yield labels: call flow(x, y) with "
                             "the class labels. Received: y=None")
        y = np.asarray(y)
        return "categorical" if y.ndim == 2 and y.shape[1] > 1 else "sparse"
    mode = iterator.class_mode
    if mode not in CLASS_MODES:
        raise ValueError(
            "`validation_iterator` must have one class per image to interpret a "
            f"classifier: class_mode one of {CLASS_MODES}. A class_mode of None or 'input' "
            "yields no labels. Received: validation_iterator.class_mode="
            f"{mode!r}")
    return mode


def _class_names(iterator: Any, num_classes: int) -> list[str]:
    indices = getattr(iterator, "class_indices", None)
    if indices:
        return [str(name) for name in sorted(indices, key=indices.get)]
    return [str(i) for i in range(num_classes)]


def _labels(targets: Any, mode: str) -> np.ndarray:
    targets = np.asarray(targets)
    if mode == "categorical":
        return np.argmax(targets, axis=-1).astype(np.int64)
    return np.rint(targets.reshape(len(targets))).astype(np.int64)


def _as_probabilities(scores: np.ndarray, binary: bool) -> np.ndarray:
    """Softmax (or sigmoid) outputs as they are; logits through the activation."""
    scores = np.asarray(scores, dtype=np.float64)
    if binary:
        p = scores[:, 0]
        if p.size and (p.min() < 0 or p.max() > 1):
            p = 1 / (1 + np.exp(-p))
        return np.stack([1 - p, p], axis=1)
    if scores.size and (scores.min() < 0 or scores.max() > 1
                        or not np.allclose(scores.sum(axis=1), 1, atol=1e-3)):
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    return scores


def _predict(model: Any, images: Any) -> np.ndarray:
    if hasattr(model, "predict_on_batch"):
        return np.asarray(model(images, training=False))
    if callable(model):
        return np.asarray(model(images))
    raise ValueError("`model` must be a keras.Model or a function from a batch of images to "
                     f"class probabilities. Received: model={type(model).__name__}")


def _image_loader(iterator: Any) -> Callable[[int], np.ndarray] | None:
    """How to get sample ``index`` without augmentation, as the model's input scale."""
    if hasattr(iterator, "transform_sample"):
        return lambda index: iterator.transform_sample(index, None)
    if getattr(iterator, "x", None) is not None:
        channels_first = getattr(iterator, "data_format", "channels_last") == "channels_first"
        return lambda index: (np.moveaxis(iterator.x[index], 0, -1) if channels_first
                              else iterator.x[index])
    paths = getattr(iterator, "filepaths", None)
    if paths is not None:  # a legacy iterator: read the file as it would, without augmenting
        from PIL import Image

        size = tuple(getattr(iterator, "target_size", (64, 64)))

        def load(index: int) -> np.ndarray:
            with Image.open(paths[index]) as image:
                return np.asarray(image.convert("RGB").resize(size[::-1]))
        return load
    return None


def interpret(model: Any, validation_iterator: Any, *,
              class_names: Sequence[str] | None = None) -> Interpretation:
    """Predicts every validation image and returns what the model got right and wrong.

    Args:
        model: a trained ``keras.Model`` (softmax outputs, or one sigmoid unit for
            ``class_mode="binary"``; logits are put through the activation), or any function
            from a batch of images to class probabilities.
        validation_iterator: an un-shuffled iterator with one class per image:
            ``flow_from_directory``/``flow_from_dataframe`` with ``class_mode`` "categorical",
            "sparse" or "binary" and ``shuffle=False``, or ``flow(x, y, shuffle=False)``. Its
            batches are what the model is shown; the gallery shows each file un-augmented.
        class_names: names in class-index order (default: from ``class_indices``).

    Returns:
        An ``Interpretation``: ``confusion_matrix``, ``precision``, ``recall``,
        ``top_losses(k)``, ``cell(true, predicted)``, ``class_table()``, and in a notebook an
        interactive view.

    Example:
        >>> validation = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        ...     "digits/validation", shuffle=False)                        # doctest: +SKIP
        >>> interpret(model, validation).most_confused(3)                  # doctest: +SKIP
    """
    mode = _check_iterator(validation_iterator)
    true_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    for batch_index in range(len(validation_iterator)):
        batch = validation_iterator[batch_index]
        if not isinstance(batch, tuple) or len(batch) < 2:
            raise ValueError("`validation_iterator` must yield (images, labels) batches. "
                             f"Received: a batch of type {type(batch).__name__}")
        scores = _predict(model, batch[0])
        if scores.ndim != 2 or len(scores) != len(np.asarray(batch[1])):
            raise ValueError("`model` must return one row of class scores per image. "
                             f"Received: output shape {scores.shape} for "
                             f"{len(np.asarray(batch[1]))} images")
        true_parts.append(_labels(batch[1], mode))
        score_parts.append(scores)
    if not score_parts:
        raise ValueError("`validation_iterator` is empty. Received: 0 batches")
    true = np.concatenate(true_parts)
    scores = np.concatenate(score_parts)
    binary = scores.shape[1] == 1
    probabilities = _as_probabilities(scores, binary)
    names = list(class_names) if class_names is not None else _class_names(
        validation_iterator, probabilities.shape[1])
    if len(names) != probabilities.shape[1] or true.max(initial=0) >= len(names):
        raise ValueError(
            f"`model` must output one probability per class ({len(names)} classes: "
            f"{', '.join(names)}), or one sigmoid unit for 2 classes. "
            f"Received: model output shape (None, {scores.shape[1]})")
    if binary:
        predicted = (probabilities[:, 1] > 0.5).astype(np.int64)
    else:
        predicted = np.argmax(probabilities, axis=1).astype(np.int64)
    rows = np.arange(len(true))
    # A file found unreadable was replaced in its batch slot by the next good sample; the
    # slot's prediction belongs to that other file, so the row is left out.
    skipped = {name for name, _reason in getattr(validation_iterator, "skipped", [])}
    filenames = list(getattr(validation_iterator, "filenames", None) or
                     [f"#{i}" for i in rows])
    keep = np.array([filenames[i] not in skipped for i in rows], dtype=bool)
    return Interpretation(class_names=names, true=true[keep], predicted=predicted[keep],
                          probabilities=probabilities[keep],
                          filenames=[f for f, k in zip(filenames, keep, strict=True) if k],
                          indices=rows[keep], class_mode=mode,
                          load_image=_image_loader(validation_iterator))
