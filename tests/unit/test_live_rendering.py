"""CurveFigure's live drawing: blitted renders are the same pixels as full ones, and cheap.

A full render (axes, ticks, titles, legend) happens only when the panels, the legend or
the limits change; every other render restores the background and draws the curves.
"""

from __future__ import annotations

import io

import keras
import numpy as np
from PIL import Image

from augwidgets.training.callback import LivePlot
from augwidgets.training.history import TrainingHistory
from augwidgets.training.outputs import ImageOutput
from augwidgets.training.plotting import CurveFigure


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _train(history: TrainingHistory, epochs: range, steps: int = 10,
           validation: bool = True) -> None:
    for epoch in epochs:
        for batch in range(steps):
            t = epoch + (batch + 1) / steps
            history.log_batch(batch, {"loss": 2 / (1 + t), "accuracy": 1 - 1 / (1 + t)},
                              steps=steps)
        logs = {"loss": 2 / (2 + epoch), "accuracy": 1 - 1 / (2 + epoch)}
        if validation:
            logs.update(val_loss=2.2 / (2 + epoch), val_accuracy=1 - 1.2 / (2 + epoch))
        history.log_epoch(epoch, logs)


def test_a_blitted_render_is_pixel_for_pixel_a_full_render():
    history = TrainingHistory()
    history.planned_epochs = 6
    _train(history, range(2))
    figure = CurveFigure()
    figure.render_history(history)
    assert (figure.full_renders, figure.blits) == (1, 0)
    _train(history, range(2, 5))
    blitted = figure.render_history(history)
    assert (figure.full_renders, figure.blits) == (1, 1)

    fresh = CurveFigure()
    full = fresh.render_history(history)  # the same history, limits and legend, in full
    assert fresh.full_renders == 1
    assert np.array_equal(_pixels(blitted), _pixels(full))
    assert not np.array_equal(_pixels(blitted), _pixels(CurveFigure().render_history(
        TrainingHistory())))


def test_values_outside_the_limits_draw_in_full_and_a_new_curve_only_its_legend():
    history = TrainingHistory()
    history.planned_epochs = 10
    _train(history, range(1), validation=False)
    figure = CurveFigure()
    figure.render_history(history)
    _train(history, range(1, 2))  # validation appears: only the legend changes
    with_validation = figure.render_history(history)
    assert (figure.full_renders, figure.blits) == (1, 1)
    fresh = CurveFigure()
    assert np.array_equal(_pixels(with_validation), _pixels(fresh.render_history(history)))
    history.log_batch(0, {"loss": 50.0, "accuracy": 0.5}, steps=10)  # far above the limit
    figure.render_history(history)
    assert figure.full_renders == 2
    history.planned_epochs = None  # the fit ended: the epoch axis shrinks to the data
    figure.render_history(history)
    assert figure.full_renders == 3 and figure._live.xmax == 3


def test_a_live_fit_renders_in_full_a_few_times_and_blits_the_rest():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    output = ImageOutput()
    plot = LivePlot(outputs=[output], min_interval=0, max_overhead=1.0)
    model.fit(x, y, validation_split=0.25, epochs=6, batch_size=8, verbose=0, callbacks=[plot])
    figure = output.figure
    assert figure.blits > 3 * figure.full_renders, (figure.full_renders, figure.blits)
    assert plot.training_history.planned_epochs is None
    assert figure._live.xmax == 6
    assert _pixels(output.last_png).shape[:2] == (240, 720)


def test_a_stopped_fit_ends_with_the_axis_fitted_to_the_epochs_done():
    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x = np.zeros((16, 3), "float32")
    y = np.zeros(16, "int32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    output = ImageOutput()
    plot = LivePlot(outputs=[output], min_interval=0, max_overhead=1.0)
    model.fit(x, y, epochs=50, batch_size=8, verbose=0, callbacks=[plot, StopAfterTwo()])
    assert len(plot.history["loss"]) == 2
    assert output.figure._live.xmax == 2
