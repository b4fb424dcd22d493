"""A static picture beside a widget view, for frontends that cannot draw widgets.

A widget displayed in a notebook is saved as a widget-view reference plus a line of plain
text. GitHub, nbviewer, an nbconvert export or a VS Code without the widget renderer shows
only that text (``Image(value=b'')``). Like ipympl and plotly, augwidgets puts a PNG of the
widget's current state in the same output bundle: a frontend with widgets draws the widget
(its renderer ranks above ``image/png``), every other frontend draws the picture.

The picture is a snapshot. ``StaticPicture`` displays its bundle with a display id and
``refresh()`` re-sends it, so an output whose widget changed later (training finished)
carries the final state when the notebook is saved, by JupyterLab, VS Code or nbclient.

Works with ipywidgets 7 and 8: both use widget-view protocol 2.0, and ``_ipython_display_``
(which IPython consults before ``_repr_mimebundle_``) is the hook both honour.

Example:
    >>> import ipywidgets
    >>> image = ipywidgets.Image(format="png")
    >>> view = StaticPicture(image, lambda: b"\\x89PNG...")
    >>> sorted(view.bundle())
    ['application/vnd.jupyter.widget-view+json', 'image/png', 'text/plain']
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_bundle(widget: Any, png: bytes | None, text: str | None = None) -> dict[str, Any]:
    """The output bundle of ``widget`` with ``png`` (when there is one) as its picture.

    Args:
        widget: an ipywidgets widget (7 or 8).
        png: PNG bytes of the widget's current state, or None for a text fallback only.
        text: the plain-text fallback; None uses ``repr(widget)``.
    """
    plain = repr(widget) if text is None else text
    bundle: dict[str, Any] = {"text/plain": plain}
    if png:
        bundle["image/png"] = base64.b64encode(png).decode("ascii")  # as notebooks store it
    if getattr(widget, "_view_name", None) is not None:
        bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0,
                               "model_id": widget.model_id}
    return bundle


class StaticPicture:
    """Displays ``widget`` with a picture of its state, and refreshes the picture later.

    Args:
        widget: the widget to display.
        picture: returns PNG bytes of the current state (or None).
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
        return widget_bundle(self.widget, self.picture(),
                             None if self.text is None else self.text())

    def display(self, **kwargs: Any) -> None:
        """Displays the bundle in the current cell and remembers where."""
        from IPython.display import display

        handle = display(self.bundle(), raw=True, display_id=True)
        if handle is not None:
            self.handles.append(handle)
        displayed = getattr(self.widget, "_handle_displayed", None)
        if displayed is not None:  # the widget's on_displayed callbacks
            displayed(**kwargs)

    def refresh(self) -> None:
        """Re-sends the bundle to every place it was displayed (a new picture, same view)."""
        if not self.handles:
            return
        bundle = self.bundle()
        for handle in self.handles:
            handle.update(bundle, raw=True)


class PictureWidgetMixin:
    """For a widget class: display with a picture (``_static_png``) beside the view.

    The class defines ``_static_png()``; ``refresh_picture()`` re-sends the picture.
    """

    _static_view: StaticPicture | None = None

    def _static_png(self) -> bytes | None:
        raise NotImplementedError

    def _static_picture(self) -> StaticPicture:
        if self._static_view is None:
            self._static_view = StaticPicture(self, self._static_png)
        return self._static_view

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return self._static_picture().bundle()

    def _ipython_display_(self, **kwargs: Any) -> None:
        self._static_picture().display(**kwargs)

    def refresh_picture(self) -> None:
        """Re-sends the static picture wherever the widget was displayed."""
        if self._static_view is not None:
            self._static_view.refresh()
