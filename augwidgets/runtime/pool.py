"""The process-wide worker threads every augwidgets iterator shares, bounded in number.

Keras keeps every ``PyDataset`` given to ``fit`` alive (its data adapter holds it), so a
notebook that re-runs its training cell makes new iterators and never frees the old ones.
Threads owned per iterator therefore piled up with every ``fit``. Here there are two small
pools per process instead, whatever the number of iterators:

- ``WORKERS``: the threads that help build a batch (the caller works too, see
  ``executor.BatchExecutor.map_into``); it grows to the largest ``workers - 1`` asked for;
- ``PREFETCH``: the threads that build the next batch ahead of a sequential reader, at most
  ``PREFETCH_THREADS`` at once (one is enough for one training loop).

A thread that has had no work for ``IDLE_SECONDS`` exits; the pool starts threads again on
the next ``submit``. After ``os.fork`` (Keras' ``use_multiprocessing=True``) the child starts
with empty pools: the parent's threads do not exist there, and a lock held by one of them at
the fork is replaced.

OpenCV runs its own thread pool inside every ``warpAffine``; with our threads already
splitting the batch, that pool only adds hand-offs. So while at least one iterator uses the
pools (``add_user``), OpenCV is set to one thread, and the previous setting is restored
when the last one is closed or collected. Nothing changes at import.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

IDLE_SECONDS = 30.0
PREFETCH_THREADS = 2
MAX_THREADS = 64  # however large a ``workers`` is asked for


class SharedPool:
    """A few daemon threads running submitted calls; they exit when idle, restart on demand.

    Examples:
        >>> pool = SharedPool("augwidgets-doc")
        >>> pool.submit(pow, 2, 10, threads=1).result()
        1024
        >>> pool.stop()
    """

    def __init__(self, name: str):
        self.name = name
        self._numbers = itertools.count()
        self._reset()

    def _reset(self) -> None:
        # Reentrant: a garbage collection inside a locked section may run an executor's
        # finalizer, which stops the pools (``remove_user``) on the same thread.
        self._lock = threading.RLock()
        self._queue: queue.SimpleQueue[tuple[Any, Any, Any]] = queue.SimpleQueue()
        self._generation = 0  # stop() starts a new one: older threads no longer count
        self._live = 0  # threads of this generation started and not exited
        self._idle = 0  # of those, the ones waiting for work
        self._limit = 0

    def submit(self, function: Callable[..., Any], *args: Any, threads: int) -> Future[Any]:
        """Run ``function(*args)`` on a pool thread; the pool may grow to ``threads``."""
        future: Future[Any] = Future()
        with self._lock:
            self._limit = min(MAX_THREADS, max(self._limit, threads))
            self._queue.put((future, function, args))
            if self._idle == 0 and self._live < self._limit:
                self._live += 1
                threading.Thread(target=self._work, args=(self._generation,), daemon=True,
                                 name=f"{self.name}_{next(self._numbers)}").start()
        return future

    @property
    def threads(self) -> int:
        """Threads this pool counts as alive now."""
        return self._live

    def _work(self, generation: int) -> None:
        while True:
            with self._lock:
                if generation == self._generation:
                    self._idle += 1
            try:
                item = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                item = None
            with self._lock:
                current = generation == self._generation
                if current:
                    self._idle -= 1
                if item is None and (not current or self._queue.empty()):  # idle: exit
                    self._live -= current
                    return
                if item is not None and item[1] is None:  # stop()'s marker
                    self._live -= current
                    return
            if item is None:  # a call arrived just as the wait ended
                continue
            future, function, args = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(*args))
                except BaseException as error:  # noqa: BLE001 - handed to the caller
                    future.set_exception(error)
            del item, future, function, args

    def stop(self) -> None:
        """Let every thread exit once the calls queued before now have run."""
        with self._lock:
            for _ in range(self._live):
                self._queue.put((None, None, None))
            self._generation += 1
            self._live = self._idle = self._limit = 0

    def after_fork(self) -> None:
        """In a forked child: forget the parent's threads (they do not exist here)."""
        self._reset()


WORKERS = SharedPool("augwidgets-worker")
PREFETCH = SharedPool("augwidgets-prefetch")

_USERS_LOCK = threading.RLock()  # reentrant: see SharedPool._reset
_USERS = 0
_OPENCV_SAVED: int | None = None


def add_user() -> None:
    """One more executor uses the pools: OpenCV runs single-threaded while there is any."""
    global _USERS, _OPENCV_SAVED
    import cv2

    with _USERS_LOCK:
        if _USERS == 0:
            if _OPENCV_SAVED is None:  # else: the parent's setting, kept across a fork
                _OPENCV_SAVED = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _USERS += 1


def remove_user() -> None:
    """One user fewer: the last one restores OpenCV's setting and stops the threads."""
    global _USERS, _OPENCV_SAVED
    import cv2

    with _USERS_LOCK:
        if _USERS == 0:
            return
        _USERS -= 1
        if _USERS == 0:
            WORKERS.stop()
            PREFETCH.stop()
            if _OPENCV_SAVED is not None:
                cv2.setNumThreads(_OPENCV_SAVED)
                _OPENCV_SAVED = None


def live_threads() -> int:
    """Threads alive in both pools (what item counts and tests look at)."""
    return WORKERS.threads + PREFETCH.threads


def _after_fork_in_child() -> None:
    global _USERS_LOCK, _USERS
    WORKERS.after_fork()
    PREFETCH.after_fork()
    _USERS_LOCK = threading.RLock()
    _USERS = 0  # the child's executors register anew; the parent's saved setting stays


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
