"""Iterators without Keras: nothing imports TensorFlow until ``fit`` needs it.

Run in fresh interpreters, since this test session has Keras loaded already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from tests.training_data import digits_tree, image_data_generator

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return digits_tree(tmp_path_factory.mktemp("digits"), image_size=16, per_class=6)


def test_batches_and_the_explorer_start_no_keras_and_fit_still_takes_the_iterator(digits):
    out = _python(f"""
        import sys
        import augwidgets
        gen = augwidgets.ImageDataGenerator(rescale=1 / 255, rotation_range=10)
        it = gen.flow_from_directory({str(digits / "train")!r}, target_size=(16, 16),
                                     color_mode="grayscale", batch_size=8, seed=0)
        x, y = it[0]
        augwidgets.AugmentationPanel({str(digits / "train")!r}, target_size=(16, 16), seed=0)
        augwidgets.diagnose(gen.generator_kwargs)
        print("loaded:", [m for m in ("keras", "tensorflow", "jax", "torch") if m in sys.modules])
        print("format:", gen.data_format, gen.dtype, it.num_batches, it.workers)

        import keras  # only now: the iterator made before counts as a PyDataset
        print("pydataset:", isinstance(it, keras.utils.PyDataset))
        later = gen.flow_from_directory({str(digits / "train")!r}, target_size=(16, 16),
                                        color_mode="grayscale", batch_size=8)
        print("later:", issubclass(type(later), keras.utils.PyDataset),
              type(later).__name__, isinstance(later, augwidgets.DirectoryIterator))
        model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("sgd", "categorical_crossentropy")
        history = model.fit(it, epochs=1, verbose=0)
        print("fit:", len(history.history["loss"]))
    """)
    assert "loaded: []" in out
    assert "format: channels_last float32 5 1" in out
    assert "pydataset: True" in out
    assert "later: True DirectoryIterator True" in out
    assert "fit: 1" in out


def test_settings_come_from_keras_json_without_keras(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps(
        {"image_data_format": "channels_first", "floatx": "float64"}))
    out = _python("""
        import sys
        from augwidgets.runtime.keras_base import floatx, image_data_format
        print(image_data_format(), floatx(), "keras" in sys.modules)
    """, KERAS_HOME=str(tmp_path))
    assert out.split() == ["channels_first", "float64", "False"]


def test_with_keras_loaded_iterators_are_pydataset_subclasses_from_the_start(digits):
    it = image_data_generator(rescale=1 / 255).flow_from_directory(
        digits / "train", target_size=(16, 16), color_mode="grayscale", batch_size=8)
    assert issubclass(type(it), keras.utils.PyDataset)
    assert it.__class__ is type(it)
    assert (it.workers, it.use_multiprocessing, it.max_queue_size) == (1, False, 10)
    from augwidgets.runtime.keras_base import floatx, image_data_format

    assert image_data_format() == keras.backend.image_data_format()
    assert floatx() == keras.backend.floatx()


@pytest.mark.parametrize("name", ["01-folder-to-batches.ipynb", "02-augmentation-explorer.ipynb",
                                  "05-exercises.ipynb"])
def test_the_lessons_that_train_nothing_never_import_keras(name):
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            code = "\n".join(line for line in cell.source.splitlines()
                             if not line.lstrip().startswith("#"))
            assert "import keras" not in code and "keras." not in code, cell.source[:300]
            assert "tensorflow" not in code, cell.source[:300]


def test_an_upgraded_iterator_pickles_under_its_plain_class(digits):
    import pickle

    it = image_data_generator(rescale=1 / 255).flow_from_directory(
        digits / "train", target_size=(16, 16), color_mode="grayscale", batch_size=8, seed=0)
    copy = pickle.loads(pickle.dumps(it))
    assert isinstance(copy, keras.utils.PyDataset) and type(copy).__name__ == "DirectoryIterator"
    np.testing.assert_array_equal(copy[0][0], it[0][0])


def test_the_prefetch_follows_the_order_keras_asks_in(monkeypatch):
    """Keras' adapter shuffles the batch order; the iterator starts, ahead, the batch the
    adapter's own list says comes next, builds nothing for nothing, and every batch is still
    the one asked for."""
    import random

    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    from augwidgets import ImageDataGenerator
    from augwidgets.engine.iterators.base import BatchIterator
    from augwidgets.runtime.executor import BatchExecutor

    built: list[int] = []
    ahead: list[int] = []
    build, prefetch = BatchIterator._build_batch, BatchExecutor.prefetch

    def recording_build(self, epoch, idx, read=0):
        built.append(idx)
        return build(self, epoch, idx, read)

    def recording_prefetch(self, function, epoch, idx):
        ahead.append(idx)
        return prefetch(self, function, epoch, idx)

    monkeypatch.setattr(BatchIterator, "_build_batch", recording_build)
    monkeypatch.setattr(BatchExecutor, "prefetch", recording_prefetch)
    x = np.arange(40 * 2 * 2, dtype="float32").reshape(40, 2, 2, 1)
    it = ImageDataGenerator().flow(x, np.arange(40), batch_size=4, shuffle=False)
    random.seed(3)
    adapter = PyDatasetAdapter(it, shuffle=True)
    batches = list(adapter.get_numpy_iterator())
    seen = [int(y[0]) // 4 for _, y in batches]
    assert sorted(seen) != seen and sorted(seen) == list(range(10))  # a shuffled order
    for x_batch, y_batch in batches:  # each batch holds the samples of its index
        np.testing.assert_array_equal(x_batch[:, 0, 0, 0], x[y_batch.astype(int), 0, 0, 0])
    assert ahead == seen[1:]  # every batch after the first was started ahead, in that order
    assert sorted(built) == list(range(10))  # none built twice or for nothing
    it.close()
