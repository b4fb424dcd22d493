"""A widget's static picture that follows it: displayed with a display id, re-sent later.

``augwidgets.widgets.static`` puts a picture of a widget's state beside its view, taken when
the widget is displayed. A training figure changes after that: the panel is displayed empty
and trained later, a live plot is displayed before the first epoch. So these outputs are
displayed with a display id and ``refresh()`` re-sends the bundle with the final picture;
JupyterLab, VS Code and nbclient replace the saved output with it, and a notebook saved
after training shows the final curves on GitHub, nbviewer or in an nbconvert export.

Examples:
    >>> import ipywidgets
    >>> view = LivePicture(ipywidgets.Image(format="png"), lambda: None, lambda: "curves")
    >>> view.bundle()["text/plain"]
    'curves'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from augwidgets.widgets.static import StaticPictureMixin, static_bundle


def _display(bundle: dict[str, Any], handles: list[Any]) -> None:
    from IPython.display import display

    # IPython's display() is unannotated.
    handle = display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]
    if handle is not None:  # None outside IPython
        handles.append(handle)


def _update(bundle: dict[str, Any], handles: list[Any]) -> None:
    for handle in handles:
        handle.update(bundle, raw=True)


class LivePicture:
    """Displays ``widget`` with a picture of its state, and re-sends the picture on request.

    Args:
        widget: the widget to display (an ``ipywidgets.Image`` of a figure, say).
        picture: returns PNG (or JPEG) bytes of the current state, or None.
        text: returns the plain-text fallback; None uses ``repr(widget)``.

    Attributes:
        handles: the display handles of every place the widget was displayed.
    """

    def __init__(self, widget: Any, picture: Callable[[], bytes | None],
                 text: Callable[[], str] | None = None) -> None:
        self.widget = widget
        self.picture = picture
        self.text = text
        self.handles: list[Any] = []

    def bundle(self) -> dict[str, Any]:
        """The widget view, the picture and the text, as one output bundle."""
        return static_bundle(self.widget, self.picture(),
                             None if self.text is None else self.text())

    def display(self) -> None:
        """Displays the bundle in the current cell and remembers where."""
        _display(self.bundle(), self.handles)

    def refresh(self) -> None:
        """Re-sends the bundle to every place it was displayed (a new picture, same view)."""
        if self.handles:
            _update(self.bundle(), self.handles)


class LivePictureMixin(StaticPictureMixin):
    """``StaticPictureMixin`` whose picture ``refresh_picture()`` re-sends later.

    Displays through ``_ipython_display_`` under ipywidgets 7 and 8 alike, since IPython
    consults it before ``_repr_mimebundle_`` and only there can a display id be attached.
    """

    _picture_handles: list[Any] | None = None

    def _ipython_display_(self, **kwargs: Any) -> None:
        if self._picture_handles is None:
            self._picture_handles = []
        _display(self._repr_mimebundle_(), self._picture_handles)
        displayed = getattr(self, "_handle_displayed", None)  # ipywidgets 7's on_displayed
        if displayed is not None:
            displayed(**kwargs)

    def refresh_picture(self) -> None:
        """Re-sends the static picture wherever the widget was displayed."""
        if self._picture_handles:
            _update(self._repr_mimebundle_(), self._picture_handles)
