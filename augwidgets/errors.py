"""The one way augwidgets words a bad argument, after Keras: expected, then ``Received:``.

Examples:
    >>> str(reject("batch_size", "an int >= 1", 0))
    '`batch_size` must be an int >= 1. Received: batch_size=0'
"""

from __future__ import annotations

from typing import Any


def reject(name: str, expected: str, value: Any, legacy: str = "") -> ValueError:
    """A ``ValueError`` saying what ``name`` must be and what it received.

    ``legacy``: where the legacy generator raises for the same mistake, its message, kept as
    the opening words (code and test suites in the wild match on them).
    """
    opening = f"{legacy.rstrip('.')}. " if legacy else ""
    return ValueError(f"{opening}`{name}` must be {expected}. Received: {name}={value!r}")
