"""A static picture behind a widget, for frontends that cannot show widgets.

A saved notebook keeps a widget's output as a display bundle. A frontend without the widget
manager (GitHub, nbviewer, an nbconvert export, a VS Code without the renderer, a JupyterLab
whose kernel is gone) skips the widget view and shows the next type it knows, which by
default is only ``text/plain``. ipympl and plotly add a picture of the current state to the
same bundle; ``StaticPictureMixin`` does that for any ipywidgets widget:

- mix it in before the widget class (``class Panel(StaticPictureMixin, widgets.VBox)``);
- override ``_static_picture`` to return PNG or JPEG bytes of what the widget shows now
  (``None`` when there is nothing to show), and ``_static_text`` when ``repr`` is not the
  text to keep.

The bundle is built here, not by calling the widget's own ``_repr_mimebundle_``, so it is the
same under ipywidgets 7 (which displays through ``_ipython_display_``) and 8.

Examples:
    >>> import ipywidgets as widgets
    >>> class Square(StaticPictureMixin, widgets.Image):
    ...     def _static_picture(self) -> bytes | None:
    ...         return bytes(self.value) or None
    >>> from augwidgets.preview.encoding import encode_image
    >>> import numpy as np
    >>> square = Square(value=encode_image(np.zeros((4, 4, 3), np.uint8)), format="jpeg")
    >>> sorted(square._repr_mimebundle_())
    ['application/vnd.jupyter.widget-view+json', 'image/png', 'text/plain']
"""

from __future__ import annotations

import base64
import io
from collections.abc import Container
from typing import Any

import ipywidgets
from PIL import Image

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TEXT_LIMIT = 110  # as ipywidgets 8 cuts a widget's text/plain


def to_png(picture: bytes) -> bytes:
    """``picture`` (PNG, JPEG or any format Pillow reads) as PNG bytes.

    Examples:
        >>> from augwidgets.preview.encoding import encode_image
        >>> import numpy as np
        >>> to_png(encode_image(np.zeros((2, 2, 3), np.uint8), "jpeg"))[:4]
        b'\\x89PNG'
    """
    if picture.startswith(_PNG_MAGIC):
        return picture
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(picture)) as image:
        image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def static_bundle(widget: ipywidgets.Widget, picture: bytes | None,
                  text: str | None = None) -> dict[str, Any]:
    """The display bundle of ``widget``: its view, ``text/plain`` and, when ``picture`` is
    given, an ``image/png`` of it (base64, as notebooks store it).

    Examples:
        >>> bundle = static_bundle(ipywidgets.HTML("hi"), None, "a greeting")
        >>> bundle["text/plain"], "image/png" in bundle
        ('a greeting', False)
    """
    plain = repr(widget) if text is None else text
    if len(plain) > _TEXT_LIMIT and text is None:
        plain = plain[:_TEXT_LIMIT] + "…"
    bundle: dict[str, Any] = {"text/plain": plain}
    if picture:
        bundle["image/png"] = base64.b64encode(to_png(picture)).decode("ascii")
    if getattr(widget, "_view_name", None) is not None and widget.comm is not None:
        bundle[WIDGET_VIEW_MIME] = {"version_major": 2, "version_minor": 0,
                                    "model_id": widget.model_id}
    return bundle


class StaticPictureMixin:
    """Adds a static picture of the widget's current state to its display bundle.

    Subclasses override ``_static_picture`` (and optionally ``_static_text``). A picture that
    fails to render is left out: displaying the widget itself must never fail because of it.
    """

    def _static_picture(self) -> bytes | None:
        """PNG or JPEG bytes of what the widget shows now, or ``None``."""
        return None

    def _static_text(self) -> str | None:
        """The ``text/plain`` kept beside the picture (``None``: the widget's ``repr``)."""
        return None

    def _repr_mimebundle_(self, include: Container[str] | None = None,
                          exclude: Container[str] | None = None,
                          **_kwargs: Any) -> dict[str, Any]:
        try:
            picture = self._static_picture()
        except Exception:  # noqa: BLE001 - the fallback picture must not hide the widget
            picture = None
        bundle = static_bundle(self, picture, self._static_text())  # type: ignore[arg-type]
        return {mime: data for mime, data in bundle.items()
                if (include is None or mime in include)
                and (exclude is None or mime not in exclude)}

    if hasattr(ipywidgets.Widget, "_ipython_display_"):  # ipywidgets 7 displays through it
        def _ipython_display_(self, **kwargs: Any) -> None:
            from IPython.display import display

            display(self._repr_mimebundle_(), raw=True)
            self._handle_displayed(**kwargs)  # type: ignore[attr-defined]
