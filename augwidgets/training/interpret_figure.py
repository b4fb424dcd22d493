"""The static picture of an ``Interpretation``: confusion matrix beside the top-loss gallery.

One PNG, drawn with matplotlib's object-oriented API (never pyplot state). It is what a
saved notebook shows where widgets cannot be rendered, what ``docs/interpret.md`` shows,
and what ``Interpretation.figure()`` returns.

Examples:
    >>> import numpy as np
    >>> from augwidgets.training.interpretation import Interpretation
    >>> result = Interpretation(["a", "b"], np.array([0, 1]), np.array([1, 1]),
    ...                         np.array([[0.2, 0.8], [0.1, 0.9]]), ["x", "y"],
    ...                         np.arange(2), "sparse")
    >>> render_interpretation(result)[:4] == b"\\x89PNG"
    True
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from augwidgets.preview.gallery import render_gallery

if TYPE_CHECKING:
    from augwidgets.training.interpretation import Interpretation, Prediction

#: Caption colours: a mistake in red, a correct (but unsure) prediction in green.
WRONG_COLOUR = (180, 20, 20)
RIGHT_COLOUR = (20, 120, 40)


def gallery_image(interpretation: Interpretation, predictions: list[Prediction], *,
                  columns: int = 3, tile: int = 96) -> np.ndarray:
    """The un-augmented images of ``predictions``, captioned ``true -> predicted (p)`` and
    with their file name; a blank canvas when the interpretation keeps no images."""
    if interpretation.load_image is None:
        images = [np.full((tile, tile, 3), 230, np.uint8) for _ in predictions]
    else:
        images = [interpretation.image(p.index) for p in predictions]
    captions = [(p.caption(), p.filename.replace("\\", "/").rsplit("/", 1)[-1])
                for p in predictions]
    colours = [RIGHT_COLOUR if p.correct else WRONG_COLOUR for p in predictions]
    return render_gallery(images, captions, columns=columns, tile=tile, colours=colours)


def render_interpretation(interpretation: Interpretation, *, k: int = 9,
                          title: str | None = None, dpi: int = 80) -> bytes:
    """PNG bytes: the confusion matrix (counts, darker = more) and the ``k`` top losses."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrix = interpretation.confusion_matrix
    names = interpretation.class_names
    size = len(names)
    figure = Figure(figsize=(10.0, 4.8), dpi=dpi)
    FigureCanvasAgg(figure)
    matrix_axes = figure.add_axes((0.07, 0.12, 0.40, 0.76))
    gallery_axes = figure.add_axes((0.53, 0.04, 0.45, 0.84))
    matrix_axes.imshow(matrix, cmap="Blues", vmin=0, vmax=max(1, int(matrix.max())))
    threshold = matrix.max() / 2 if matrix.size else 0
    fontsize = "small" if size <= 12 else "x-small"
    for t in range(size):
        for p in range(size):
            if matrix[t, p] or t == p:
                matrix_axes.text(p, t, str(matrix[t, p]), ha="center", va="center",
                                 fontsize=fontsize,
                                 color="white" if matrix[t, p] > threshold else
                                 ("tab:red" if t != p else "black"))
    matrix_axes.set_xticks(range(size), names, fontsize=fontsize)
    matrix_axes.set_yticks(range(size), names, fontsize=fontsize)
    matrix_axes.set_xlabel("predicted class")
    matrix_axes.set_ylabel("true class")
    matrix_axes.set_title(f"confusion matrix: {interpretation.mistakes} of "
                          f"{len(interpretation)} wrong", fontsize="medium")

    top = interpretation.top_losses(k)
    gallery_axes.set_axis_off()
    if top:
        gallery_axes.imshow(gallery_image(interpretation, top, columns=3 if k <= 9 else 4))
        gallery_axes.set_title("top losses: true -> predicted (probability)",
                               fontsize="medium")
    else:
        gallery_axes.text(0.5, 0.5, "no mistakes", ha="center", va="center",
                          transform=gallery_axes.transAxes, color="grey")
    if title:
        figure.suptitle(title)
    buffer = io.BytesIO()
    figure.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
