"""InterpretationView: a matrix of buttons whose clicks fill the gallery; a static picture.

The interpretation is built by hand (known true and predicted classes, images from
arrays), so every count, caption and click result is known in advance.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("ipywidgets")

from augwidgets.training.interpretation import Interpretation  # noqa: E402
from augwidgets.widgets.interpretation import GALLERY_LIMIT, InterpretationView  # noqa: E402

TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
PREDICTED = np.array([0, 1, 1, 1, 1, 2, 0, 2, 1, 1])


@pytest.fixture
def interpretation() -> Interpretation:
    probabilities = np.full((len(TRUE), 3), 0.1)
    probabilities[np.arange(len(TRUE)), PREDICTED] = 0.8
    probabilities[6] = [0.5, 0.2, 0.3]  # the least sure mistake: the lowest loss
    images = np.stack([np.full((8, 8, 1), i / 10) for i in range(len(TRUE))])
    return Interpretation(["zero", "one", "two"], TRUE, PREDICTED, probabilities,
                          [f"f{i}.png" for i in range(len(TRUE))], np.arange(len(TRUE)),
                          "sparse", load_image=lambda index: images[index])


def test_buttons_show_the_matrix_and_clicks_show_the_cell(interpretation):
    view = InterpretationView(interpretation)
    matrix = interpretation.confusion_matrix
    for (t, p), button in view.buttons.items():
        assert button.description == str(matrix[interpretation.class_names.index(t),
                                                 interpretation.class_names.index(p)])
    view.cell_button("zero", "one").click()
    assert view.selection == ("zero", "one")
    assert [s.filename for s in view.shown] == ["f1.png", "f2.png"]
    assert "2 image(s)" in view.caption.value
    with Image.open(io.BytesIO(view.gallery.value)) as gallery:
        first = np.asarray(gallery.convert("RGB"))
    view.cell_button("two", "two").click()
    assert [s.index for s in view.shown] == [5, 7]
    with Image.open(io.BytesIO(view.gallery.value)) as gallery:
        assert np.asarray(gallery.convert("RGB")).shape != first.shape or not np.array_equal(
            np.asarray(gallery.convert("RGB")), first)
    view.top_button.click()
    assert view.selection is None
    # equal losses keep the order of the files; the least sure mistake comes last
    assert [s.index for s in view.shown] == [1, 2, 8, 6]


def test_an_empty_cell_and_a_large_cell(interpretation):
    view = InterpretationView(interpretation)
    assert view.select("one", "zero") == [] and view.shown == []
    assert "0 image(s)" in view.caption.value
    many = Interpretation(["a", "b"], np.zeros(40, int), np.ones(40, int),
                          np.tile([0.3, 0.7], (40, 1)), [f"{i}" for i in range(40)],
                          np.arange(40), "sparse", load_image=lambda i: np.zeros((4, 4, 3)))
    big = InterpretationView(many)
    assert len(big.select("a", "b")) == 40 and len(big.shown) == GALLERY_LIMIT
    assert f"the first {GALLERY_LIMIT}" in big.caption.value


def test_the_bundle_carries_a_static_picture(interpretation):
    view = InterpretationView(interpretation)
    bundle = view._repr_mimebundle_()
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(bundle)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == view.model_id
    assert bundle["text/plain"].startswith("Interpretation: 10 images, 3 classes, 4 wrong")
    with Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))) as picture:
        assert picture.format == "PNG" and picture.size[0] > 400
    assert interpretation.view() is interpretation.view()
