"""``LivePlot``: a thin Keras callback that feeds a ``TrainingHistory`` and redraws outputs.

Use it in any ``model.fit(..., callbacks=[LivePlot()])``. Inside a notebook kernel it
displays one image widget and updates it in place (no flicker, one output for nbval);
in a script it prints one compact table row per epoch, and ``png_path=`` also writes the
curves to a PNG file.

Redraws are throttled by wall time: an expensive output is redrawn at most once every
``min_interval`` seconds, and less often when a render is slow, so that rendering takes
at most ``max_overhead`` of the training time. The last state is always drawn when
training ends.

Examples:
    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> x, y = np.zeros((8, 4), "float32"), np.zeros(8, "int32")
    >>> plot = LivePlot(outputs=[])
    >>> _ = model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[plot])
    >>> sorted(plot.history), len(plot.batch_history["loss"])
    (['accuracy', 'loss'], 4)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from typing import Any

import keras

from augwidgets.training.history import TrainingHistory
from augwidgets.training.outputs import (
    ImageOutput,
    Output,
    PNGFileOutput,
    TextTableOutput,
    in_notebook_kernel,
)


def default_outputs(png_path: str | os.PathLike[str] | None = None) -> list[Output]:
    """The outputs ``LivePlot`` picks when given none.

    An ``ImageOutput`` inside a notebook kernel, a ``TextTableOutput`` elsewhere, plus a
    ``PNGFileOutput`` when ``png_path`` is given.
    """
    outputs: list[Output] = [ImageOutput() if in_notebook_kernel() else TextTableOutput()]
    if png_path is not None:
        outputs.append(PNGFileOutput(png_path))
    return outputs


# Keras ships no type information, so mypy sees keras.callbacks.Callback as Any.
class LivePlot(keras.callbacks.Callback):  # type: ignore[misc]
    """Live training curves: per-batch training values and per-epoch train vs validation.

    Args:
        outputs: where to draw (``ImageOutput``, ``PNGFileOutput``, ``TextTableOutput`` or
            any ``Output``); None picks an image widget in a notebook and a text table
            elsewhere.
        png_path: also write the curves to this PNG file (only when ``outputs`` is None).
        min_interval: the least number of seconds between two throttled redraws.
        max_overhead: the largest fraction of wall time that throttled redraws may take;
            a slow render waits ``render_time / max_overhead`` before the next.
        history: a ``TrainingHistory`` to append to (None: a new one).

    Attributes:
        training_history: the ``TrainingHistory`` being filled.
        history: epoch values keyed as in Keras logs, e.g. ``{"loss": [...], "val_loss": [...]}``.
        batch_history: per-batch training values keyed by metric name.
        redraws: how many throttled redraws happened (for tests and benchmarks).

    Examples:
        >>> plot = LivePlot(outputs=[TextTableOutput(stream=None)])
        >>> plot.history
        {}
    """

    def __init__(self, outputs: Sequence[Output] | None = None, *,
                 png_path: str | os.PathLike[str] | None = None, min_interval: float = 1.0,
                 max_overhead: float = 0.02, history: TrainingHistory | None = None) -> None:
        super().__init__()
        if not min_interval >= 0:
            raise ValueError("`min_interval` must be a number of seconds >= 0. "
                             f"Received: min_interval={min_interval!r}")
        if not 0 < max_overhead <= 1:
            raise ValueError("`max_overhead` must be a fraction in (0, 1]. "
                             f"Received: max_overhead={max_overhead!r}")
        if outputs is not None and png_path is not None:
            raise ValueError("Pass either `outputs` or `png_path`, not both; add a "
                             f"PNGFileOutput to `outputs` instead. Received: png_path={png_path!r}")
        self.outputs: list[Output] = (default_outputs(png_path) if outputs is None
                                      else list(outputs))
        self.min_interval = float(min_interval)
        self.max_overhead = float(max_overhead)
        self.training_history = history if history is not None else TrainingHistory()
        self.redraws = 0
        self.render_seconds = 0.0
        self._next_draw = 0.0
        self._dirty = False

    # ---------------------------------------------------------------------------- reading
    @property
    def history(self) -> dict[str, list[float]]:
        """Epoch values keyed as in Keras logs."""
        return self.training_history.epoch_metrics()

    @property
    def batch_history(self) -> dict[str, list[float]]:
        """Per-batch training values keyed by metric name."""
        return self.training_history.batch_metrics()

    def reset(self) -> None:
        """Forgets the history (the outputs redraw an empty plot on the next send)."""
        self.training_history.clear()
        self._dirty = True

    # ---------------------------------------------------------------------------- drawing
    def draw(self, *, cheap_only: bool = False) -> None:
        """Sends the history to the outputs now (``cheap_only``: the unthrottled ones)."""
        started = time.perf_counter()
        for output in self.outputs:
            if output.throttled and cheap_only:
                continue
            output.send(self.training_history)
        if cheap_only:
            return
        finished = time.perf_counter()
        elapsed = finished - started
        self.redraws += 1
        self.render_seconds += elapsed
        self._dirty = False
        self._next_draw = finished + max(self.min_interval, elapsed / self.max_overhead)

    def _maybe_draw(self) -> None:
        self._dirty = True
        if any(o.throttled for o in self.outputs) and time.perf_counter() >= self._next_draw:
            self.draw()

    # ---------------------------------------------------------------------- Keras hooks
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        for output in self.outputs:
            if isinstance(output, ImageOutput) and output.auto_display and in_notebook_kernel():
                output.display()
        self._next_draw = math.inf  # scheduled by the first batch


    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        final = (self.params or {}).get("epochs")
        if final is not None:  # epochs still to come, counted from what this history holds
            self.training_history.planned_epochs = len(self.training_history) + final - epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        steps = (self.params or {}).get("steps")
        self.training_history.log_batch(batch, logs, steps=steps)
        if self._next_draw == math.inf:
            # The first batch arrives after tracing; the first redraw follows min_interval
            # later, so a fit shorter than that pays for one render only, at its end.
            self._next_draw = time.perf_counter() + self.min_interval
        self._maybe_draw()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.training_history.log_epoch(epoch, logs)
        self.draw(cheap_only=True)
        self._maybe_draw()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        # A stopped fit ends short of its plan: the final drawing fits the axis to the data.
        history = self.training_history
        if history.planned_epochs is not None and history.planned_epochs != len(history):
            self._dirty = True
        history.planned_epochs = None
        if self._dirty or self.redraws == 0:
            self.draw()
        for output in self.outputs:
            output.finish()
