"""``flow_from_dataframe``'s frame logic: which rows become samples, and their targets.

The legacy ``DataFrameIterator`` mixes this into its iterator. Here it is a pure function
over the frame, :func:`read_frame`, returning a :class:`FrameSamples` (file names and paths,
classes, targets, weights, and the rows dropped with a reason). ``DataFrameIterator``
(``engine.iterators.dataframe``) hands those to the file-list base, ``FileIterator``, which decodes lazily,
runs the one image pipeline and builds each batch's targets and weights for the samples
that actually fill it (a broken file's substitute brings its own label and weight).

Every step follows ``keras/src/legacy/preprocessing/image.py``, in its order:

1. check the arguments (class mode, column types, two classes for ``"binary"``);
2. with ``validate_filenames``, drop rows whose path has no accepted extension or is not a
   file, and warn with legacy's count ("Found 2 invalid image filename(s) ...");
3. for ``"binary"``, ``"categorical"`` and ``"sparse"``: the classes (``classes`` in the order
   given, else the sorted labels); rows left without a label in ``classes`` are dropped;
4. ``subset``: the first ``validation_split`` of the remaining rows are the validation
   subset, the rest the training subset (by position, as legacy);
5. targets: class indices, or the raw column(s), or one array per ``multi_output`` column.

Where legacy raises, the message keeps legacy's opening words (code in the wild matches on
them) and ends with ``Received: ...`` naming the offending rows.

pandas is imported only by this module (the ``dataframe`` extra); the frame's own methods
do the work, so the results are the legacy ones value for value.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"filename": ["a.png", "b.png"], "class": ["cat", "dog"]})
    >>> samples = read_frame(frame, "data", validate_filenames=False)
    >>> samples.class_indices, samples.classes, samples.filepaths
    ({'cat': 0, 'dog': 1}, [0, 1], ['data/a.png', 'data/b.png'])
"""

from __future__ import annotations

import collections
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augwidgets.engine.iterators.files import FILE_CLASS_MODES
from augwidgets.engine.scan import WHITE_LIST_FORMATS
from augwidgets.errors import reject

CLASS_MODES = FILE_CLASS_MODES  # binary, categorical, input, multi_output, raw, sparse, None
#: class modes whose labels are class names, turned into ``class_indices``
LABELLED_MODES = ("binary", "categorical", "sparse")
_SHOWN = 5  # offending rows named in a message; the rest are counted


class ColumnError(KeyError, ValueError):
    """A column named in ``x_col``, ``y_col`` or ``weight_col`` is not in the frame.

    A ``KeyError`` like the one legacy lets pandas raise, with a readable message.
    """

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class DroppedRow:
    """A row that did not become a sample: its frame index label, file name and why."""

    row: Any
    filename: Any
    reason: str


@dataclass
class FrameSamples:
    """The samples of a frame, in row order, after filtering and the subset split.

    Attributes:
        filenames: the ``x_col`` values kept (legacy ``iterator.filenames``).
        filepaths: ``os.path.join(directory, filename)`` for each.
        rows: the frame's index label of each sample.
        class_mode: as passed.
        class_indices: class name -> index (labelled class modes only, else ``None``).
        classes: each sample's class index, or list of indices for a multi-label row
            (labelled class modes only, else ``None``); a list, as legacy.
        targets: ``"raw"``: the ``y_col`` values as an array; ``"multi_output"``: one array
            per ``y_col`` column; else ``None``.
        sample_weight: the ``weight_col`` values, or ``None``.
        dropped: rows left out, with the reason.
        message: what legacy prints ("Found 4 validated image filenames belonging to 2
            classes.").
    """

    filenames: list[str]
    filepaths: list[str]
    rows: list[Any]
    class_mode: str | None
    class_indices: dict[Any, int] | None = None
    classes: list[Any] | None = None
    targets: Any = None
    sample_weight: np.ndarray | None = None
    dropped: list[DroppedRow] = field(default_factory=list)
    message: str = ""

    @property
    def num_classes(self) -> int:
        return len(self.class_indices) if self.class_indices is not None else 0

    @property
    def labels(self) -> Any:
        """Legacy ``iterator.labels``: the targets for ``raw``/``multi_output``, else classes."""
        return self.targets if self.class_mode in ("multi_output", "raw") else self.classes


def _shown(items: Sequence[str]) -> str:
    text = ", ".join(items[:_SHOWN])
    if len(items) > _SHOWN:
        text += f" and {len(items) - _SHOWN} more"
    return text


def _offending(series: Any, ok: Any) -> list[tuple[Any, Any]]:
    """``(row, value)`` for the values of ``series`` where ``ok(value)`` is false."""
    return [(row, value) for row, value in series.items() if not ok(value)]


def _holding(bad: list[tuple[Any, Any]]) -> str:
    return _shown([f"row {row!r} holds {value!r} ({type(value).__name__})" for row, value in bad])


def _nan_hint(bad: list[tuple[Any, Any]], y_col: Any) -> str:
    if any(isinstance(value, float) and math.isnan(value) for _row, value in bad):
        return (f"; a missing label (NaN): drop those rows first, e.g. "
                f"df.dropna(subset=[{y_col!r}])")
    return ""


def _columns(y_col: Any) -> list[Any]:
    return list(y_col) if isinstance(y_col, (list, tuple)) else [y_col]


def _check_frame(df: Any, x_col: Any, y_col: Any, weight_col: Any, classes: Any,
                 class_mode: str | None) -> None:
    """Legacy ``DataFrameIterator._check_params``, with rows named in the messages."""
    if class_mode not in CLASS_MODES:
        raise reject("class_mode", f"one of {CLASS_MODES}", class_mode,
                     legacy=f"Invalid class_mode: {class_mode}; expected one of: {CLASS_MODES}")
    if class_mode == "multi_output" and not isinstance(y_col, list):
        raise TypeError(f'If class_mode="{class_mode}", y_col must be a list. '
                        f"Received: y_col={y_col!r} ({type(y_col).__name__})")
    needed = [("x_col", x_col)]
    if class_mode not in ("input", None):
        needed += [("y_col", column) for column in _columns(y_col)]
    if weight_col:
        needed.append(("weight_col", weight_col))
    for name, column in needed:
        if column not in df.columns:
            raise ColumnError(f"Column {name}={column!r} is not in the dataframe. "
                              f"Received: columns={list(df.columns)!r}")
    bad = _offending(df[x_col], lambda value: isinstance(value, str))
    if bad:
        raise TypeError(f"All values in column x_col={x_col} must be strings. "
                        f"Received: {_holding(bad)}")
    if class_mode in ("binary", "sparse"):
        bad = _offending(df[y_col], lambda value: isinstance(value, str))
        if bad:
            raise TypeError(f'If class_mode="{class_mode}", y_col="{y_col}" column values '
                            f"must be strings. Received: {_holding(bad)}{_nan_hint(bad, y_col)}")
    if class_mode == "binary":
        if classes:
            if len(set(classes)) != 2:
                raise ValueError('If class_mode="binary" there must be 2 classes. '
                                 f"{len(set(classes))} class/es were given. "
                                 f"Received: classes={list(classes)!r}")
        elif df[y_col].nunique() != 2:
            found = sorted(df[y_col].unique().tolist())
            raise ValueError('If class_mode="binary" there must be 2 classes. '
                             f"Found {df[y_col].nunique()} classes. "
                             f"Received: {y_col} values {_shown([repr(v) for v in found])}")
    if class_mode == "categorical":
        bad = _offending(df[y_col], lambda value: isinstance(value, (str, list, tuple)))
        if bad:
            raise TypeError(f'If class_mode="{class_mode}", y_col="{y_col}" column values '
                            "must be type string, list or tuple. "
                            f"Received: {_holding(bad)}{_nan_hint(bad, y_col)}")
    if classes and class_mode in ("input", "multi_output", "raw", None):
        warnings.warn(f'`classes` will be ignored given the class_mode="{class_mode}"',
                      stacklevel=5)  # the caller of flow_from_dataframe
    if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
        raise TypeError(f"Column weight_col={weight_col} must be numeric. "
                        f"Received: dtype={df[weight_col].dtype}")


def _invalid_reason(path: str) -> str | None:
    """Why legacy ``validate_filename`` rejects ``path``, or ``None`` if it accepts it."""
    if not path.lower().endswith(WHITE_LIST_FORMATS):
        return f"unsupported extension; accepted: {', '.join(WHITE_LIST_FORMATS)}"
    if not os.path.isfile(path):
        return "not a file" if os.path.exists(path) else "no such file"
    return None


def read_frame(
    dataframe: Any,
    directory: str | os.PathLike | None = None,
    x_col: str = "filename",
    y_col: Any = "class",
    weight_col: str | None = None,
    classes: Sequence[str] | None = None,
    class_mode: str | None = "categorical",
    validate_filenames: bool = True,
    split: tuple[float, float] | None = None,
) -> FrameSamples:
    """The samples ``flow_from_dataframe`` makes from ``dataframe``, as legacy makes them.

    Args:
        dataframe: a pandas DataFrame; it is copied, never changed.
        directory: prefix for relative paths in ``x_col``; ``None`` for absolute paths (an
            absolute path also ignores ``directory``, as ``os.path.join`` does).
        x_col: the column of file names or paths.
        y_col: the label column; a list of columns for ``"multi_output"`` or ``"raw"``.
        weight_col: a numeric column of sample weights, or ``None``.
        classes: the class names to keep, in index order; ``None``: every label, sorted.
        class_mode: one of ``CLASS_MODES``.
        validate_filenames: drop rows whose path lacks an accepted extension or is not a
            file (as legacy, with its warning); ``False`` keeps every row, and a file that
            then fails to load is skipped by the iterator instead.
        split: ``(start, stop)`` fractions of the remaining rows, or ``None`` for all.

    Returns:
        The samples; nothing is printed (the iterator prints ``message``).

    Raises:
        ValueError, TypeError, ColumnError: with legacy's opening words, then ``Received:``.
    """
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - a DataFrame implies pandas
        raise ImportError('flow_from_dataframe needs pandas: pip install "augwidgets[dataframe]"'
                          ) from error
    if not isinstance(dataframe, pd.DataFrame):
        raise TypeError("`dataframe` must be a pandas DataFrame. "
                        f"Received: type(dataframe)={type(dataframe).__name__}")
    df = dataframe.copy()
    directory = os.fspath(directory) if directory else ""
    if isinstance(y_col, tuple):
        y_col = list(y_col)
    _check_frame(df, x_col, y_col, weight_col, classes, class_mode)
    dropped: list[DroppedRow] = []

    if validate_filenames:
        reasons = [_invalid_reason(os.path.join(directory, name)) for name in df[x_col]]
        keep = np.array([reason is None for reason in reasons], dtype=bool)
        invalid = [DroppedRow(row, name, reason)
                   for row, name, reason in zip(df.index, df[x_col], reasons) if reason]
        if invalid:
            dropped += invalid
            warnings.warn(
                f'Found {len(invalid)} invalid image filename(s) in x_col="{x_col}". These '
                "filename(s) will be ignored. Received: "
                + _shown([f"row {d.row!r} {os.path.join(directory, d.filename)!r} "
                          f"({d.reason})" for d in invalid])
                + " (all listed in iterator.dropped)", stacklevel=4)
        df = df[keep]

    class_indices = None
    if class_mode in LABELLED_MODES:
        df, classes, unlisted = _filter_classes(df, x_col, y_col, classes)
        dropped += unlisted
        class_indices = dict(zip(classes, range(len(classes))))

    if split:
        count = len(df)
        df = df.iloc[int(split[0] * count):int(split[1] * count), :]

    samples = FrameSamples(
        filenames=df[x_col].tolist(),
        filepaths=[],
        rows=df.index.tolist(),
        class_mode=class_mode,
        class_indices=class_indices,
        sample_weight=df[weight_col].values if weight_col else None,
        dropped=dropped,
    )
    samples.filepaths = [os.path.join(directory, name) for name in samples.filenames]
    if class_indices is not None:
        samples.classes = [[class_indices[label] for label in value]
                           if isinstance(value, (list, tuple)) else class_indices[value]
                           for value in df[y_col]]
    if class_mode == "multi_output":
        samples.targets = [np.array(df[column].tolist()) for column in y_col]
    elif class_mode == "raw":
        samples.targets = df[y_col].values
    validated = "validated" if validate_filenames else "non-validated"
    samples.message = f"Found {len(samples.filenames)} {validated} image filenames"
    samples.message += (f" belonging to {len(class_indices)} classes." if class_indices is not None
                        else ".")
    return samples


def _filter_classes(df: Any, x_col: Any, y_col: Any, classes: Sequence[str] | None
                    ) -> tuple[Any, list[Any], list[DroppedRow]]:
    """Legacy ``_filter_classes``: keep the labels in ``classes`` (or take them all)."""
    if classes:
        classes = list(collections.OrderedDict.fromkeys(classes).keys())
        wanted = set(classes)

        def keep(labels: Any) -> Any:
            if isinstance(labels, (list, tuple)):
                return [label for label in labels if label in wanted] or None
            return labels if labels in wanted else None

        before = df[y_col]
        df = df.copy()
        df[y_col] = before.apply(keep)
        empty = df[y_col].isna()
        mask = empty.to_numpy()
        unlisted = [DroppedRow(row, name, f"label {label!r} is not in classes")
                    for row, name, label in zip(df.index[mask], df[x_col][mask], before[mask])]
    else:
        found: set[Any] = set()
        for value in df[y_col]:
            if isinstance(value, (list, tuple)):
                found.update(value)
            else:
                found.add(value)
        classes = sorted(found)
        unlisted = []
    return df.dropna(subset=[y_col]), list(classes), unlisted
