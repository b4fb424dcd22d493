"""Keep glibc's malloc reusing freed image buffers, even after TensorFlow's ``tf.data``.

Every image of a batch goes through a few buffers of a few hundred kilobytes (the decoded
file, the resized and the warped image). glibc's malloc serves blocks that large with a
fresh ``mmap`` unless it has learnt, from earlier frees, to keep them: it normally does,
after the first few. But constructing a ``tf.data.Dataset.from_generator`` (which
``model.fit`` does for every ``PyDataset`` on the TensorFlow backend) calls
``mallopt(M_MMAP_THRESHOLD, 128 KiB)`` (TensorFlow's ``ApplyPython311MemoryPatch``, seen
here in gdb). That turns the learning off, so from then on each of those buffers is a new
mapping whose pages the kernel must fault in and zero: measured here, page faults per
image went from 2 to about 80-200 and the iterator's CPU time per 224 px image from 0.8 to
1.5-3.3 ms.

So before building a batch, ``keep_freed_buffers()`` sets the mmap threshold back above
the sizes a batch uses (32 MiB) and the trim threshold to 64 MiB: freed buffers stay in
the process for the next image instead of going back to the system. The cost is that up
to 64 MiB of freed memory may stay mapped. It is a process-wide malloc setting, applied
only by code that builds batches, only with glibc, and switched off with
``AUGWIDGETS_KEEP_FREED_BUFFERS=0``.

Examples:
    >>> keep_freed_buffers() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20


def _mallopt():
    if os.environ.get("AUGWIDGETS_KEEP_FREED_BUFFERS", "1") == "0":
        return None
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        function = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int)
    function.restype = ctypes.c_int
    return function


_MALLOPT = _mallopt()


def keep_freed_buffers() -> bool:
    """Let malloc keep freed batch-sized buffers for reuse (cheap: call it per batch).

    Returns True when the setting was applied (glibc), False where it does not apply.
    """
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and _MALLOPT(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
