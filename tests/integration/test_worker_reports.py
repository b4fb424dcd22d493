"""Broken files met in Keras' worker processes (``use_multiprocessing=True``) reach the
parent's ``skipped`` once each, with one warning each, and labels stay right."""

from __future__ import annotations

import pickle
import warnings

import keras
import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator
from augwidgets.runtime.reports import ProcessReports


@pytest.fixture
def black_and_white(tmp_path):
    """Class "black" holds black images, class "white" white ones, and one broken file in
    the last batch (the parent itself reads batch 0 when ``fit`` starts)."""
    root = tmp_path / "bw"
    for name, value in (("black", 0), ("white", 255)):
        (root / name).mkdir(parents=True)
        for i in range(6):
            Image.fromarray(np.full((12, 12, 3), value, np.uint8)).save(root / name / f"{i}.png")
    (root / "white" / "4.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    return root


def _colour_reader() -> keras.Model:
    """Predicts (black, white) from the mean pixel: zero loss exactly when labels are right."""
    inputs = keras.Input((12, 12, 3))
    mean = keras.layers.GlobalAveragePooling2D()(inputs)
    white = keras.layers.Lambda(lambda m: keras.ops.mean(m, axis=-1, keepdims=True))(mean)
    outputs = keras.layers.Concatenate()([1.0 - white, white])
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_fit_with_worker_processes_reports_each_broken_file_once(black_and_white, capfd):
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        str(black_and_white), target_size=(12, 12), batch_size=4, shuffle=False,
        use_multiprocessing=True, workers=2)
    model = _colour_reader()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(iterator, epochs=3, verbose=0)
    assert [name for name, _ in iterator.skipped] == ["white/4.png"]
    mine = [w for w in caught if "augwidgets: skipping" in str(w.message)]
    assert len(mine) == 1 and "white/4.png" in str(mine[0].message)
    assert "augwidgets: skipping" not in capfd.readouterr().err  # no worker warned
    # Each broken slot took the next good image with that image's own label.
    assert max(history.history["loss"]) < 1e-6


def test_reports_travel_from_another_process_only(tmp_path):
    reports = ProcessReports(enabled=True)
    assert not reports.in_worker
    copy = pickle.loads(pickle.dumps(reports))  # what a spawned worker receives
    copy.owner = -1  # as seen from a process that is not the owner
    assert copy.in_worker
    copy.send(3, "cannot identify image file\tfoo")
    copy.send(3, "again")
    assert reports.receive() == [(3, "cannot identify image file foo"), (3, "again")]
    assert reports.receive() == []
    assert ProcessReports(enabled=False).receive() == []
    assert not ProcessReports(enabled=False).in_worker
