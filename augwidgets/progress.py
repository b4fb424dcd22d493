"""Progress bars for long operations: ``tqdm.auto``, or a bar that does nothing.

``tqdm.auto`` draws a widget bar in a notebook kernel and a text bar in a terminal; this
module imports neither IPython nor ipywidgets itself (tqdm looks at them only where IPython
is already running), so the engine and the dataset writers may use it.

In a notebook the bar is displayed with a display id and re-sent when it closes, so the
saved output's text reads the final state (``100%|...| 40/40``) instead of the ``0%`` it
was displayed with, where widgets are not drawn (GitHub, nbconvert).

Callers update a bar once per unit of real work (a file, an epoch), never per pixel or
per batch element.

Examples:
    >>> with progress_bar(3, desc="demo", enabled=False) as bar:  # draws nothing
    ...     for _ in range(3):
    ...         bar.update(1)
    >>> bar.disable
    True
"""

from __future__ import annotations

import functools
import sys
from typing import Any


def progress_bar(total: int | None, *, desc: str, unit: str = "it",
                 enabled: bool = True) -> Any:
    """A ``tqdm.auto`` bar (use it as a context manager, or ``close()`` it).

    Args:
        total: the number of units expected (None: unknown).
        desc: the text before the bar.
        unit: the name of one unit ("file", "epoch").
        enabled: False gives a bar that does nothing (``update`` is a no-op).
    """
    from tqdm.auto import tqdm

    if not enabled:
        return tqdm(total=total, desc=desc, unit=unit, disable=True)
    notebook = sys.modules.get("tqdm.notebook")  # imported by tqdm.auto in a kernel only
    if notebook is not None and issubclass(tqdm, notebook.tqdm):
        return _notebook_bar()(total=total, desc=desc, unit=unit)
    return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True)


@functools.cache
def _notebook_bar() -> type:
    """tqdm's notebook bar, displayed with a display id and re-sent when it closes."""
    from IPython.display import display
    from tqdm.notebook import tqdm

    from augwidgets.widgets.static import static_bundle

    # tqdm ships no type information, so mypy sees tqdm.notebook.tqdm as Any.
    class SavedBar(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, display=False, **kwargs)
            self._handle = None
            if not self.disable:
                # IPython's display() is unannotated.
                self._handle = display(self._bundle(), raw=True,  # type: ignore[no-untyped-call]
                                       display_id=True)
                self.displayed = True

        def _bundle(self) -> dict[str, Any]:
            return static_bundle(self.container, None, repr(self.container))

        def close(self) -> None:
            super().close()
            handle, self._handle = getattr(self, "_handle", None), None
            if handle is not None:
                handle.update(self._bundle(), raw=True)

    return SavedBar
