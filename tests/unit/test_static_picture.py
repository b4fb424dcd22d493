"""The static picture behind a widget: what frontends without widgets display."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import numpy as np
from PIL import Image

from augwidgets.preview.encoding import encode_image
from augwidgets.widgets.static import WIDGET_VIEW_MIME, StaticPictureMixin, static_bundle, to_png


class _Picture(StaticPictureMixin, widgets.Image):
    def _static_picture(self) -> bytes | None:
        return bytes(self.value) or None


def _decode(bundle: dict) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))))


def test_bundle_carries_view_text_and_the_current_picture():
    pixels = np.zeros((6, 10, 3), np.uint8)
    pixels[:, 5:] = 255
    widget = _Picture(value=encode_image(pixels, "png"), format="png")
    bundle = widget._repr_mimebundle_()
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == widget.model_id
    assert bundle["text/plain"].startswith("_Picture(")
    np.testing.assert_array_equal(_decode(bundle), pixels)
    # the picture follows the state at display time
    widget.value = encode_image(255 - pixels, "png")
    np.testing.assert_array_equal(_decode(widget._repr_mimebundle_()), 255 - pixels)


def test_no_picture_and_include_exclude():
    widget = _Picture()
    assert "image/png" not in widget._repr_mimebundle_()
    widget.value = encode_image(np.zeros((4, 4, 3), np.uint8), "jpeg")
    assert set(widget._repr_mimebundle_(include=["image/png"])) == {"image/png"}
    assert "image/png" not in widget._repr_mimebundle_(exclude=["image/png"])


def test_failing_picture_still_displays_the_widget():
    class Broken(StaticPictureMixin, widgets.HTML):
        def _static_picture(self) -> bytes | None:
            raise RuntimeError("no picture")

    bundle = Broken("x")._repr_mimebundle_()
    assert WIDGET_VIEW_MIME in bundle and "image/png" not in bundle


def test_to_png_converts_jpeg_and_keeps_png():
    png = encode_image(np.full((3, 3, 3), 7, np.uint8), "png")
    assert to_png(png) is png
    converted = to_png(encode_image(np.full((8, 8, 3), 200, np.uint8), "jpeg"))
    assert converted.startswith(b"\x89PNG")
    assert abs(int(np.asarray(Image.open(io.BytesIO(converted))).mean()) - 200) <= 2


def test_static_bundle_text_given_is_kept_whole():
    text = "x" * 300
    assert static_bundle(widgets.HTML(), None, text)["text/plain"] == text
