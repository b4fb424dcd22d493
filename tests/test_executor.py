"""Each iterator owns its threads: sized from ``workers``, stopped on close or collection,
honouring Keras' ``PyDataset`` options; OpenCV is left as it was at import."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from augwidgets.runtime.executor import BatchExecutor
from tests.conftest import write_tree


def _threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def _wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path / "t", {"a": [f"{i}.png" for i in range(6)],
                                       "b": [f"{i}.jpg" for i in range(6)]}, size=(30, 40))


def test_map_into_keeps_order_returns_results_and_raises():
    executor = BatchExecutor(workers=3)
    out = np.zeros((10, 1))

    def work(item, param, slot):
        slot[...] = item * param
        return item + 1

    assert executor.map_into(work, list(range(10)), [2] * 10, out) == list(range(1, 11))
    assert out.ravel().tolist() == [2.0 * i for i in range(10)]

    def broken(item, param, slot):
        raise KeyError(item)

    with pytest.raises(KeyError):
        executor.map_into(broken, [1, 2, 3], [None] * 3, out)
    executor.close()
    with pytest.raises(ValueError, match=r"`workers` must be .*Received: workers=0"):
        BatchExecutor(workers=0)


def test_iterator_threads_are_sized_from_workers_and_stop_on_close(tree):
    iterator = ImageDataGenerator(rotation_range=10).flow_from_directory(
        tree, target_size=(16, 16), batch_size=12, workers=3)
    pool, prefetch = iterator.executor.name + "_", iterator.executor.name + "-next"
    iterator[0]
    assert 1 <= len(_threads(pool)) <= 3
    assert iterator.workers == 3  # handed to PyDataset as well
    iterator.close()
    assert _wait_until(lambda: not _threads(pool) and not _threads(prefetch))
    x, _ = iterator[0]  # usable again after close: threads restart
    assert x.shape == (12, 16, 16, 3)
    iterator.close()


def test_threads_stop_when_the_iterator_is_collected(tree):
    iterator = ImageDataGenerator(rotation_range=10).flow(np.zeros((8, 6, 6, 3)), batch_size=4)
    prefix = iterator.executor.name + "_"  # the pool's threads: <name>_0, <name>_1, ...
    iterator[0]
    assert _threads(prefix)
    del iterator
    gc.collect()
    assert _wait_until(lambda: not _threads(prefix))


def test_pydataset_options_are_honoured_and_validated(tree):
    iterator = ImageDataGenerator().flow_from_directory(
        tree, target_size=(8, 8), workers=2, use_multiprocessing=False, max_queue_size=4)
    assert (iterator.workers, iterator.use_multiprocessing, iterator.max_queue_size) == (2, False, 4)
    with pytest.raises(ValueError, match=r"`max_queue_size` must be an int >= 1\. Received"):
        ImageDataGenerator().flow_from_directory(tree, max_queue_size=0)
    with pytest.raises(ValueError, match=r"`workers` must be .* Received: workers=-1"):
        ImageDataGenerator().flow(np.zeros((2, 4, 4, 1)), workers=-1)


def test_iterator_survives_pickling_for_multiprocessing(tree):
    iterator = ImageDataGenerator(rotation_range=20).flow_from_directory(
        tree, target_size=(16, 16), batch_size=4, seed=1)
    copy = pickle.loads(pickle.dumps(iterator))
    np.testing.assert_array_equal(copy[1][0], iterator[1][0])
    copy.close()
    iterator.close()


def test_fit_with_keras_workers(tree):
    import keras

    iterator = ImageDataGenerator(rescale=1 / 255, rotation_range=10).flow_from_directory(
        tree, target_size=(16, 16), batch_size=4, workers=2, class_mode="sparse", seed=0)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(iterator, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    iterator.close()


def test_importing_changes_no_opencv_setting_and_closing_restores_it(tree):
    code = (
        "import cv2; before = cv2.getNumThreads()\n"
        "import augwidgets.engine.generator, augwidgets.preview.render\n"
        "assert cv2.getNumThreads() == before, (before, cv2.getNumThreads())\n"
        "import numpy as np\n"
        "it = augwidgets.engine.generator.ImageDataGenerator(rotation_range=5).flow("
        "np.zeros((4, 5, 5, 3)), batch_size=4)\n"
        "it[0]; assert cv2.getNumThreads() == 1\n"
        "it.close(); assert cv2.getNumThreads() == before\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
