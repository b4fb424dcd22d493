"""``interpret``: what a trained classifier got wrong on a validation iterator.

``interpret(model, validation)`` predicts every batch of an un-shuffled iterator (the same
images, scaled the same way, that ``fit`` validates on) and keeps one row per sample, in
the order of ``validation.filenames``: the true class, the predicted class and every class
probability. It returns them as an ``Interpretation``
(``augwidgets.training.interpretation``): the confusion matrix, per-class precision and
recall, and the *top losses*, the images the model was most confidently wrong about, shown
un-augmented with their true class, predicted class and probability.

This module reads the iterator: it checks that the rows will line up with the files,
turns batch targets of every class mode into class indices and model outputs into
probabilities, and keeps a way to load each image without augmentation. The interactive
view (click a cell of the matrix to see its images) is
``augwidgets.widgets.interpretation.InterpretationView``.

Examples:
    >>> from augwidgets import ImageDataGenerator, datasets
    >>> from augwidgets.training.model import build_default_model
    >>> root = datasets.digits("data/digits")
    >>> validation = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
    ...     root / "validation", target_size=(32, 32), color_mode="grayscale", shuffle=False)
    Found 359 images belonging to 10 classes.
    >>> model = build_default_model((32, 32, 1), 10)   # untrained here; yours after fit
    >>> result = interpret(model, validation)
    >>> result.confusion_matrix.shape, int(result.confusion_matrix.sum())
    ((10, 10), 359)
    >>> print(result.class_table())  # doctest: +ELLIPSIS
    class precision recall images
    ...
    >>> len(result.top_losses(9))
    9
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from augwidgets.training.interpretation import Interpretation, Prediction

__all__ = ["CLASS_MODES", "Interpretation", "Prediction", "interpret"]

#: Class modes whose targets name one class per image.
CLASS_MODES = ("categorical", "sparse", "binary")


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

    Examples:
        A shuffled iterator is refused: its predictions would not line up with its files.

        >>> from augwidgets import ImageDataGenerator, datasets
        >>> from augwidgets.training.model import build_default_model
        >>> root = datasets.digits("data/digits")
        >>> shuffled = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        ...     root / "validation", target_size=(32, 32), color_mode="grayscale")
        Found 359 images belonging to 10 classes.
        >>> interpret(build_default_model((32, 32, 1), 10), shuffled)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...shuffle...
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
