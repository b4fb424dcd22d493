"""Iterators share a few process-wide threads: bounded however many iterators and fits a
process has seen, each batch on at most ``workers`` of them, stopped with the last user,
fresh after a fork; Keras' ``PyDataset`` options honoured; OpenCV left as it was at import."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from augwidgets.runtime import pool
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


def _run(code: str, timeout: float = 300) -> str:
    """Run ``code`` in a fresh interpreter (no other test's iterators alive); its stdout."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_map_into_uses_the_caller_and_at_most_workers_threads():
    executor = BatchExecutor(workers=3)
    seen: set[str] = set()
    lock = threading.Lock()

    def work(item, param, slot):
        with lock:
            seen.add(threading.current_thread().name)
        time.sleep(0.002)  # long enough for the helpers to take some
        slot[...] = item

    out = np.zeros((40, 1))
    executor.map_into(work, list(range(40)), [None] * 40, out)
    assert out.ravel().tolist() == list(range(40))
    assert threading.current_thread().name in seen
    assert 1 <= len(seen) <= 3
    executor.close()


def test_threads_are_shared_by_iterators_and_stop_with_the_last_user(tree):
    out = _run(f"""
import gc, threading, time, numpy as np
from augwidgets import ImageDataGenerator
from augwidgets.runtime import pool
def ours(): return [t for t in threading.enumerate() if t.name.startswith("augwidgets-")]
its = [ImageDataGenerator(rotation_range=10).flow_from_directory(
    {str(tree)!r}, target_size=(16, 16), batch_size=4, workers=3) for _ in range(12)]
for it in its:
    for i in range(len(it)): it[i]  # sequential: prefetch too
print("threads", len(ours()), pool.live_threads())
for it in its[1:]: it.close()
del its[1:], it; gc.collect()
print("one_user_left", len(ours()) > 0)
x, _ = its[0][0]
del x, its; gc.collect()
deadline = time.monotonic() + 10
while ours() and time.monotonic() < deadline: time.sleep(0.05)
print("after_the_last", len(ours()))
""")
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines()[-3:])
    threads, live = (int(v) for v in lines["threads"].split())
    # 12 iterators asking for 3 threads each: 2 helpers + the prefetch threads in all
    # (12 * 4 = 48 when each iterator owned its threads).
    assert 1 <= threads <= 2 + pool.PREFETCH_THREADS
    assert live == threads
    assert lines["one_user_left"] == "True"
    assert lines["after_the_last"] == "0"


def test_close_stops_the_threads_and_they_restart_on_use(tree):
    out = _run(f"""
import threading, time
from augwidgets import ImageDataGenerator
def ours(): return [t for t in threading.enumerate() if t.name.startswith("augwidgets-")]
it = ImageDataGenerator(rotation_range=10).flow_from_directory(
    {str(tree)!r}, target_size=(16, 16), batch_size=12, workers=3)
it[0]; print("before", len(ours()))
it.close()
deadline = time.monotonic() + 10
while ours() and time.monotonic() < deadline: time.sleep(0.05)
print("closed", len(ours()))
x, _ = it[0]; print("again", x.shape, len(ours()) > 0)
""")
    lines = out.strip().splitlines()
    assert 1 <= int(lines[-3].split()[1]) <= 2
    assert lines[-2] == "closed 0"
    assert lines[-1] == "again (12, 16, 16, 3) True"


def test_idle_threads_exit_and_restart_lazily(monkeypatch):
    monkeypatch.setattr(pool, "IDLE_SECONDS", 0.05)
    shared = pool.SharedPool("augwidgets-test-idle")
    assert shared.submit(pow, 3, 2, threads=2).result() == 9
    assert _wait_until(lambda: shared.threads == 0 and not _threads("augwidgets-test-idle"))
    assert shared.submit(pow, 2, 5, threads=2).result() == 32  # starts a thread again
    shared.stop()
    assert _wait_until(lambda: not _threads("augwidgets-test-idle"))


def test_pools_start_empty_in_a_forked_child():
    code = """
import os, numpy as np
from augwidgets.runtime import pool
from augwidgets.runtime import pool
from augwidgets.runtime.executor import BatchExecutor
ex = BatchExecutor(workers=2)
out = np.zeros((8, 1))
ex.map_into(lambda i, p, s: s.fill(i), list(range(8)), [None] * 8, out)
assert pool.WORKERS.threads == 1
pid = os.fork()
if pid == 0:
    ok = pool.WORKERS.threads == 0
    child = np.zeros((8, 1))
    ex.map_into(lambda i, p, s: s.fill(2 * i), list(range(8)), [None] * 8, child)
    ok = ok and child.ravel().tolist() == [2.0 * i for i in range(8)]
    ok = ok and pool.WORKERS.threads == 1
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""
    assert _run(code).strip().splitlines()[-1] == "child 0"


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


_TEN_FITS = """
import os, threading
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, keras
from {module} import ImageDataGenerator
x = np.random.default_rng(0).random((32, 12, 12, 3)).astype("float32")
y = keras.utils.to_categorical(np.arange(32) % 2, 2)
model = keras.Sequential([keras.Input((12, 12, 3)), keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(2, activation="softmax")])
model.compile("sgd", "categorical_crossentropy")
counts = []
for k in range(10):
    it = ImageDataGenerator(rotation_range=10, horizontal_flip=True).flow(x, y, batch_size=8)
    model.fit(it, epochs=1, verbose=0)
    counts.append(threading.active_count())
print("counts", *counts)
"""


def _thread_counts(module: str) -> list[int]:
    out = _run(_TEN_FITS.format(module=module), timeout=600)
    return [int(v) for v in out.strip().splitlines()[-1].split()[1:]]


def test_threads_do_not_pile_up_over_fits_as_with_legacy():
    """Keras keeps every PyDataset given to ``fit`` alive: ten fits on new iterators add
    about as many threads as the legacy generator's, not a few per fit."""
    legacy = _thread_counts("keras.src.legacy.preprocessing.image")
    ours = _thread_counts("augwidgets")
    legacy_growth = legacy[-1] - legacy[0]
    # The first fit starts the shared threads (2 helpers and prefetch at most); after it,
    # fits on new iterators add no more than legacy's do.
    assert ours[-1] - ours[0] <= legacy_growth + 1, (ours, legacy)
    assert ours[0] - legacy[0] <= 1 + pool.PREFETCH_THREADS, (ours, legacy)
    assert max(ours) - legacy[-1] <= 1 + pool.PREFETCH_THREADS + 1, (ours, legacy)
