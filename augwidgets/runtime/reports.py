"""Reports from Keras' worker processes back to the process that owns the iterator.

With ``use_multiprocessing=True`` Keras builds batches in worker processes, each with its
own copy of the iterator, so a broken file found there would never reach the parent's
``iterator.skipped``, and every worker would warn about it in every epoch. A worker instead
appends ``(index, reason)`` to a small spool file; the owning process reads what is new
(at the end of each epoch, and whenever ``skipped`` is read), records each file once and
warns once. A file works the same whether workers are forked or spawned (the iterator is
then pickled), and needs no process-shared object that Keras would have to carry.

Examples:
    >>> reports = ProcessReports(enabled=True)
    >>> reports.in_worker  # the process that made it
    False
    >>> reports.receive()
    []
"""

from __future__ import annotations

import os
import tempfile
import weakref


def _remove(path: str, owner: int) -> None:
    # A forked worker's copy may be collected first: only the owner removes the file.
    if os.getpid() == owner:
        try:
            os.remove(path)
        except OSError:
            pass


class ProcessReports:
    """A one-way channel of ``(index, reason)`` pairs from worker processes to the owner.

    Args:
        enabled: make the spool file (only iterators with ``use_multiprocessing=True``
            need one); when False, ``in_worker`` is always False and nothing is sent.
    """

    def __init__(self, enabled: bool):
        self.owner = os.getpid()
        self.path: str | None = None
        self._offset = 0
        if enabled:
            descriptor, self.path = tempfile.mkstemp(prefix="augwidgets-reports-",
                                                     suffix=".tsv")
            os.close(descriptor)
            weakref.finalize(self, _remove, self.path, self.owner)

    @property
    def in_worker(self) -> bool:
        """True in a process other than the owner (a Keras worker), where reports go out."""
        return self.path is not None and os.getpid() != self.owner

    def send(self, index: int, reason: str) -> None:
        """Append one report (one ``write`` in append mode: lines never interleave)."""
        text = " ".join(str(reason).split())
        line = f"{int(index)}\t{text}\n".encode()
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)

    def receive(self) -> list[tuple[int, str]]:
        """The reports that arrived since the last call (owner only; else ``[]``)."""
        if self.path is None or self.in_worker:
            return []
        try:
            with open(self.path, "rb") as spool:
                spool.seek(self._offset)
                data = spool.read()
        except OSError:
            return []
        complete = data[:data.rfind(b"\n") + 1]  # a line still being written waits
        self._offset += len(complete)
        reports = []
        for line in complete.decode(errors="replace").splitlines():
            index, _, reason = line.partition("\t")
            if index.isdigit():
                reports.append((int(index), reason))
        return reports
