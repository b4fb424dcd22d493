"""The training history model: logged values only, no plotting and no framework imports.

``TrainingHistory`` stores what Keras reports, epoch by epoch and batch by batch, and
answers the questions a plot or a table asks: which metrics exist, how training and
validation values pair up, and where each batch lies on an epoch axis. Epochs are counted
in the order they were logged, so a second ``fit`` (or a ``fit`` that starts again at
epoch 0) appends instead of overwriting.

Examples:
    >>> history = TrainingHistory()
    >>> history.log_batch(0, {"loss": 2.0, "accuracy": 0.2}, steps=2)
    >>> history.log_epoch(0, {"loss": 1.5, "accuracy": 0.4, "val_loss": 1.7, "val_accuracy": 0.3})
    >>> history.metric_names
    ['loss', 'accuracy']
    >>> history.epoch_metrics()["val_loss"]
    [1.7]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

VALIDATION_PREFIX = "val_"


def _as_float(value: Any) -> float | None:
    """Converts one logged value to a float, or None for values that are not numbers."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class BatchRecord:
    """One training batch: where it lies on the epoch axis and its (running) metrics.

    Args:
        epoch: 0-based ordinal of the epoch in this history (not Keras' epoch argument).
        batch: 0-based batch index within the epoch, as Keras reports it.
        position: the x coordinate on an epoch axis, ``epoch + (batch + 1) / steps``.
        logs: metric name -> value, as in Keras' ``on_train_batch_end`` logs.
    """

    epoch: int
    batch: int
    position: float
    logs: dict[str, float] = field(default_factory=dict)


@dataclass
class EpochRecord:
    """One finished epoch: Keras' epoch number and the epoch-end logs.

    Args:
        epoch: the ``epoch`` argument Keras passed to ``on_epoch_end``.
        logs: metric name -> value, keyed as in Keras logs (``val_`` for validation).
    """

    epoch: int
    logs: dict[str, float] = field(default_factory=dict)


class TrainingHistory:
    """Epoch and batch logs of one or more consecutive ``fit`` calls.

    Examples:
        >>> history = TrainingHistory()
        >>> history.log_epoch(0, {"loss": 1.0, "val_loss": 1.2})
        >>> history.pairs()
        [('loss', [1.0], [1.2])]
    """

    def __init__(self) -> None:
        self.epochs: list[EpochRecord] = []
        self.batches: list[BatchRecord] = []
        self._steps_hint: int | None = None
        #: The epoch ordinal the fit under way will reach, when known (a live plot sizes its
        #: epoch axis to it, so it need not rescale as training goes on); None otherwise.
        self.planned_epochs: int | None = None

    # ------------------------------------------------------------------------------ writing
    def log_batch(self, batch: int, logs: Mapping[str, Any] | None,
                  steps: int | None = None) -> None:
        """Records one training batch of the epoch under way.

        Args:
            batch: 0-based batch index within the epoch.
            logs: Keras' batch logs; values that are not numbers are dropped.
            steps: batches per epoch, if known (places the batch on the epoch axis).

        Examples:
            >>> h = TrainingHistory(); h.log_batch(1, {"loss": 0.5}, steps=4)
            >>> h.batches[0].position
            0.5
        """
        if steps:
            self._steps_hint = int(steps)
        epoch = len(self.epochs)
        steps = self._steps_hint or self._observed_steps() or (batch + 1)
        fraction = min((batch + 1) / steps, 1.0)
        values = {k: v for k, v in ((k, _as_float(v)) for k, v in (logs or {}).items())
                  if v is not None and k not in ("batch", "size")}
        self.batches.append(BatchRecord(epoch, int(batch), epoch + fraction, values))

    def log_epoch(self, epoch: int, logs: Mapping[str, Any] | None) -> None:
        """Records the end of an epoch.

        Args:
            epoch: Keras' epoch number (kept as information; ordering is by arrival).
            logs: Keras' epoch logs, e.g. ``{"loss": .., "val_loss": ..}``.

        Examples:
            >>> h = TrainingHistory(); h.log_epoch(3, {"loss": 0.1})
            >>> h.epochs[0].epoch, len(h)
            (3, 1)
        """
        values = {k: v for k, v in ((k, _as_float(v)) for k, v in (logs or {}).items())
                  if v is not None}
        self.epochs.append(EpochRecord(int(epoch), values))

    def clear(self) -> None:
        """Forgets everything logged so far."""
        self.epochs.clear()
        self.batches.clear()
        self._steps_hint = None
        self.planned_epochs = None

    # ------------------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.epochs)

    def __repr__(self) -> str:
        return (f"TrainingHistory(epochs={len(self.epochs)}, batches={len(self.batches)}, "
                f"metrics={self.metric_names})")

    def _observed_steps(self) -> int | None:
        """Batches per epoch seen in the last finished epoch, if any."""
        if not self.epochs:
            return None
        last = len(self.epochs) - 1
        counts = [b.batch for b in self.batches if b.epoch == last]
        return max(counts) + 1 if counts else None

    @property
    def metric_names(self) -> list[str]:
        """Training metric names, ``loss`` first, then in first-seen order (``val_x`` is ``x``)."""
        names: dict[str, None] = {}
        for record in [*self.batches, *self.epochs]:
            for key in record.logs:
                if key == "learning_rate":
                    continue
                base = key[len(VALIDATION_PREFIX):] if key.startswith(VALIDATION_PREFIX) else key
                names.setdefault(base, None)
        return sorted(names, key=lambda name: name != "loss")

    def epoch_metrics(self) -> dict[str, list[float]]:
        """Epoch values keyed as in Keras logs, like ``model.fit(...).history.history``.

        A metric missing from an epoch (say validation that ran only every other epoch)
        is NaN there, so every list has one value per epoch.
        """
        keys: dict[str, None] = {}
        for record in self.epochs:
            for key in record.logs:
                keys.setdefault(key, None)
        return {k: [r.logs.get(k, math.nan) for r in self.epochs] for k in keys}

    def batch_metrics(self) -> dict[str, list[float]]:
        """Per-batch training values keyed by metric name (NaN where a batch lacks one)."""
        keys: dict[str, None] = {}
        for record in self.batches:
            for key in record.logs:
                keys.setdefault(key, None)
        return {k: [b.logs.get(k, math.nan) for b in self.batches] for k in keys}

    def batch_series(self, name: str) -> tuple[list[float], list[float]]:
        """(positions on the epoch axis, values) of one metric over all batches."""
        points = [(b.position, b.logs[name]) for b in self.batches if name in b.logs]
        return [p for p, _ in points], [v for _, v in points]

    def epoch_series(self, key: str) -> tuple[list[int], list[float]]:
        """(1-based epoch ordinals, values) of one key of the epoch logs."""
        points = [(i + 1, r.logs[key]) for i, r in enumerate(self.epochs) if key in r.logs]
        return [p for p, _ in points], [v for _, v in points]

    def pairs(self) -> list[tuple[str, list[float], list[float]]]:
        """For each metric: (name, training values, validation values) per epoch."""
        epoch_values = self.epoch_metrics()
        return [(name, epoch_values.get(name, []), epoch_values.get(VALIDATION_PREFIX + name, []))
                for name in self.metric_names]

    def last_epoch_logs(self) -> dict[str, float]:
        """The logs of the last finished epoch (empty before the first)."""
        return dict(self.epochs[-1].logs) if self.epochs else {}

    def best_epoch(self, key: str = "val_accuracy", mode: str = "max") -> int | None:
        """1-based ordinal of the epoch with the best value of ``key``, or None.

        Args:
            key: an epoch-log key, e.g. ``"val_accuracy"`` or ``"val_loss"``.
            mode: ``"max"`` or ``"min"``.
        """
        if mode not in ("max", "min"):
            raise ValueError(f"`mode` must be 'max' or 'min'. Received: mode={mode!r}")
        epochs, values = self.epoch_series(key)
        finite = [(v, e) for e, v in zip(epochs, values, strict=True) if math.isfinite(v)]
        if not finite:
            return None
        pick = max if mode == "max" else min
        return pick(finite, key=lambda item: item[0])[1]
