"""How an iterator spreads a batch over threads, and builds the next batch ahead of a reader.

Decoding (libjpeg-turbo, PIL) and warping (OpenCV) release the GIL, so a batch is built by a
few threads at once. The threads are the process-wide ones of ``runtime.pool`` (bounded,
however many iterators exist); a ``BatchExecutor`` only says how many of them one batch may
use (``workers``) and registers its iterator as a user of the pools until it is closed or
garbage-collected (``weakref.finalize``). After ``os.fork`` (Keras'
``use_multiprocessing=True``) a child process registers, and starts threads, anew.

``map_into`` lets the calling thread work too, and every thread takes the next image from
one shared counter. The caller is the thread that waits for the batch anyway (``fit``'s
``tf.data`` thread, or the prefetch thread): with a fixed split into chunks it sat idle, one
more hand-off per chunk, while the last chunks ran on one core.

Examples:
    >>> import numpy as np
    >>> executor = BatchExecutor(workers=2)
    >>> out = np.zeros((5, 1))
    >>> def square(i, value, slot): slot[...] = value ** 2
    >>> _ = executor.map_into(square, [0, 1, 2, 3, 4], [1, 2, 3, 4, 5], out)
    >>> out.ravel().tolist()
    [1.0, 4.0, 9.0, 16.0, 25.0]
    >>> executor.close()
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from augwidgets.runtime import pool


def default_workers() -> int:
    """Threads per batch when ``workers`` is not given: the CPU count (at least 2)."""
    return max(2, os.cpu_count() or 2)


def _unregister(pid: int) -> None:
    if pid == os.getpid():  # a forked copy never registered in this process
        pool.remove_user()


class BatchExecutor:
    """Builds one batch on up to ``workers`` threads, and the next one ahead on request.

    Args:
        workers: threads that build one batch, the caller included (default:
            ``default_workers()``).
    """

    def __init__(self, workers: int | None = None):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                    or workers < 1):
            raise ValueError(f"`workers` must be None or an int >= 1. Received: workers={workers!r}")
        self.workers = workers or default_workers()
        self._lock = threading.Lock()
        self._pid: int | None = None  # the process this executor is registered in
        self._finalizer: weakref.finalize[[int], BatchExecutor] | None = None

    def _register(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                pool.add_user()
                self._pid = os.getpid()
                self._finalizer = weakref.finalize(self, _unregister, self._pid)

    @property
    def running(self) -> bool:
        """True while this executor counts as a user of the shared threads in this process."""
        return self._pid == os.getpid()

    def map_into(self, work: Callable[[int, Any, np.ndarray], Any], items: Sequence[Any],
                 params: Sequence[Any], out: np.ndarray) -> list[Any]:
        """Run ``work(item, params[i], out[i])`` for every item, on up to ``workers`` threads.

        Returns what each call returned, in order. An exception in any call is raised here.
        """
        count = len(items)
        results: list[Any] = [None] * count
        helpers = min(self.workers, count) - 1
        if helpers <= 0:
            for i in range(count):
                results[i] = work(items[i], params[i], out[i])
            return results
        self._register()
        take = itertools.count().__next__  # atomic under the GIL
        failed: list[BaseException] = []

        def run() -> None:
            while not failed:
                i = take()
                if i >= count:
                    return
                try:
                    results[i] = work(items[i], params[i], out[i])
                except BaseException as error:  # noqa: BLE001 - re-raised by the caller
                    failed.append(error)

        futures = [pool.WORKERS.submit(run, threads=self.workers - 1) for _ in range(helpers)]
        run()
        for future in futures:
            if not future.cancel():  # started: wait for the image it is on
                future.result()
        if failed:
            raise failed[0]
        return results

    def prefetch(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``function(*args)`` on a shared prefetch thread (it may use ``map_into``).

        A reader that finds the future not started yet should ``cancel()`` it and build the
        batch itself, rather than wait behind another iterator's prefetch.
        """
        self._register()
        return pool.PREFETCH.submit(function, *args, threads=pool.PREFETCH_THREADS)

    def __getstate__(self) -> dict[str, Any]:
        # A copy in another process (Keras' use_multiprocessing) registers there itself.
        return {"workers": self.workers}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.workers = state["workers"]
        self._lock = threading.Lock()
        self._pid = None
        self._finalizer = None

    def close(self) -> None:
        """Stop counting as a user (the last user stops the shared threads)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._pid = None
            self._finalizer = None
