"""LivePlot in a real (short) ``model.fit``: history, batch history, throttling, outputs."""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest
from PIL import Image

from augwidgets.training.callback import LivePlot
from augwidgets.training.outputs import ImageOutput, Output, TextTableOutput


class _Counter(Output):
    def __init__(self) -> None:
        self.sends = 0

    def send(self, history) -> None:
        self.sends += 1


def _model_and_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(8, activation="relu",
                           kernel_initializer=keras.initializers.GlorotUniform(seed)),
        keras.layers.Dense(2, activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(seed + 1)),
    ])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, x, y


def test_history_matches_keras_history_after_a_real_fit():
    model, x, y = _model_and_data()
    plot = LivePlot(outputs=[ImageOutput(), TextTableOutput(stream=None)])
    keras_history = model.fit(x[:48], y[:48], validation_data=(x[48:], y[48:]), epochs=3,
                              batch_size=16, verbose=0, callbacks=[plot])
    assert set(plot.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key, values in keras_history.history.items():
        assert plot.history[key] == pytest.approx(values), key
    assert len(plot.batch_history["loss"]) == 3 * 3
    assert len(plot.batch_history["accuracy"]) == 9
    # the last batch of an epoch reports the epoch's training loss
    assert plot.batch_history["loss"][2] == pytest.approx(plot.history["loss"][0])
    image_output, table = plot.outputs
    assert Image.open(io.BytesIO(image_output.last_png)).format == "PNG"
    assert len(table.last_text.splitlines()) == 1 + 3


def test_second_fit_appends_to_the_history():
    model, x, y = _model_and_data()
    plot = LivePlot(outputs=[])
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[plot])
    model.fit(x, y, epochs=3, initial_epoch=2, batch_size=32, verbose=0, callbacks=[plot])
    assert len(plot.history["loss"]) == 3
    assert [record.epoch for record in plot.training_history.epochs] == [0, 1, 2]
    assert plot.training_history.batch_series("loss")[0][-1] == pytest.approx(3.0)


def test_redraws_are_throttled_but_the_final_state_is_always_drawn():
    model, x, y = _model_and_data()
    counter = _Counter()
    plot = LivePlot(outputs=[counter], min_interval=3600)
    model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[plot])
    # 32 batches and 4 epochs within an hour: only the final state is drawn
    assert counter.sends == 1 and plot.redraws == 1
    eager = _Counter()
    plot = LivePlot(outputs=[eager], min_interval=0, max_overhead=1.0)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[plot])
    assert eager.sends >= 8


def test_outside_a_notebook_it_prints_a_table_and_writes_a_png(tmp_path, capsys):
    model, x, y = _model_and_data()
    path = tmp_path / "curves.png"
    plot = LivePlot(png_path=path)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[plot])
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["epoch", "loss", "accuracy"]
    assert [line.split()[0] for line in printed[1:]] == ["1", "2"]
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="Received: max_overhead=0"):
        LivePlot(outputs=[], max_overhead=0)
    with pytest.raises(ValueError, match="Received: min_interval=-1"):
        LivePlot(outputs=[], min_interval=-1)
    with pytest.raises(ValueError, match="Received: png_path='x.png'"):
        LivePlot(outputs=[], png_path="x.png")
