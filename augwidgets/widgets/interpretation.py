"""The view of an ``Interpretation``: a clickable confusion matrix beside an image gallery.

Every cell of the matrix is a button showing its count; clicking it shows that cell's
validation images, un-augmented and captioned ``true -> predicted (probability)``. The
gallery starts on the top losses (the images the model was most confidently wrong about),
and the **top losses** button returns to them. Under the matrix, a table gives each
class's precision, recall and number of images.

Only core widgets are used (``GridBox``, ``Button``, ``Image``, ``HTML``), which exist in
ipywidgets 7.7 (Colab) and 8. A saved notebook shows the static picture
(``Interpretation.figure()``) where widgets cannot be rendered.

Examples:
    >>> import numpy as np
    >>> from augwidgets.training.interpretation import Interpretation
    >>> result = Interpretation(["6", "9"], np.array([0, 1, 1]), np.array([1, 1, 1]),
    ...                         np.array([[0.2, 0.8], [0.1, 0.9], [0.3, 0.7]]),
    ...                         ["6/a.png", "9/b.png", "9/c.png"], np.arange(3), "sparse")
    >>> view = InterpretationView(result)
    >>> view.cell_button("6", "9").click()   # shows the 6 taken for a 9
"""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as widgets

from augwidgets.preview.encoding import encode_image
from augwidgets.training.interpret_figure import gallery_image
from augwidgets.training.interpretation import Interpretation, Prediction
from augwidgets.widgets.static import StaticPictureMixin

#: Most images the gallery shows for one cell.
GALLERY_LIMIT = 24
_CELL = {"width": "38px", "height": "28px", "padding": "0", "margin": "1px"}


def _shade(count: int, largest: int, diagonal: bool) -> str:
    """A cell colour: white for 0, deeper with the count; blue on the diagonal, red off it."""
    if count == 0:
        return "#f7f7f7"
    strength = 0.15 + 0.85 * math.sqrt(count / max(largest, 1))
    base = (33, 102, 172) if diagonal else (203, 24, 29)
    r, g, b = (round(255 - strength * (255 - c)) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


class InterpretationView(StaticPictureMixin, widgets.VBox):
    """A confusion matrix of buttons and the gallery of the selected cell.

    Args:
        interpretation: what ``augwidgets.interpret`` returned.
        top: how many top losses the gallery starts with.

    Attributes:
        selection: ``(true, predicted)`` class names of the cell shown, or None for the top
            losses.
        shown: the predictions in the gallery now, in display order.
    """

    def __init__(self, interpretation: Interpretation, *, top: int = 9, **kwargs: Any) -> None:
        self.interpretation = interpretation
        self.top = top
        self.selection: tuple[str, str] | None = None
        self.shown: list[Prediction] = []
        self._picture: bytes | None = None
        names = interpretation.class_names
        matrix = interpretation.confusion_matrix
        largest_off = int(max((matrix[t, p] for t in range(len(names))
                               for p in range(len(names)) if t != p), default=0))
        largest_on = int(max((matrix[t, t] for t in range(len(names))), default=0))
        self.buttons: dict[tuple[str, str], widgets.Button] = {}
        # One layout shared by the cells of this view (a widget each would be 100 more).
        cell_layout, label_layout = widgets.Layout(**_CELL), widgets.Layout(**_CELL)
        cells: list[widgets.Widget] = [widgets.HTML("<small>true&#8595; pred&#8594;</small>",
                                                    layout=widgets.Layout(width="76px"))]
        cells += [widgets.HTML(f"<b>{html.escape(n)}</b>", layout=label_layout) for n in names]
        for t, true_name in enumerate(names):
            cells.append(widgets.HTML(f"<b>{html.escape(true_name)}</b>",
                                      layout=widgets.Layout(width="76px")))
            for p, predicted_name in enumerate(names):
                count = int(matrix[t, p])
                button = widgets.Button(
                    description=str(count), layout=cell_layout,
                    tooltip=f"true {true_name}, predicted {predicted_name}: {count} image(s)")
                button.style.button_color = _shade(count, largest_on if t == p else largest_off,
                                                   t == p)
                if count and t != p:
                    button.style.font_weight = "bold"
                button.on_click(self._on_cell(true_name, predicted_name))
                self.buttons[(true_name, predicted_name)] = button
                cells.append(button)
        self.matrix = widgets.GridBox(cells, layout=widgets.Layout(
            grid_template_columns=f"80px repeat({len(names)}, 40px)", overflow="auto"))
        self.top_button = widgets.Button(description="top losses",
                                         tooltip="the images the model was most sure of, "
                                                 "and wrong")
        self.top_button.on_click(lambda _button: self.show_top_losses())
        self.caption = widgets.HTML()
        self.gallery = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.classes = widgets.HTML(self._class_html())
        header = widgets.HTML(f"<b>{html.escape(interpretation.summary())}</b>")
        left = widgets.VBox([self.matrix, self.classes])
        right = widgets.VBox([widgets.HBox([self.top_button, self.caption]), self.gallery],
                             layout=widgets.Layout(margin="0 0 0 16px"))
        super().__init__([header, widgets.HBox([left, right],
                                                layout=widgets.Layout(flex_flow="row wrap"))],
                         **kwargs)
        self.show_top_losses()

    # ---------------------------------------------------------------- actions
    def cell_button(self, true: str, predicted: str) -> widgets.Button:
        """The button of one matrix cell (by class names)."""
        return self.buttons[(str(true), str(predicted))]

    def select(self, true: int | str, predicted: int | str) -> list[Prediction]:
        """Shows the images of one cell (what clicking it does); returns them."""
        found = self.interpretation.cell(true, predicted)
        self.selection = (found[0].true_class, found[0].predicted_class) if found else (
            self._name(true), self._name(predicted))
        t, p = self.selection
        more = f", the first {GALLERY_LIMIT}" if len(found) > GALLERY_LIMIT else ""
        self.caption.value = (f"true <b>{html.escape(t)}</b>, predicted "
                              f"<b>{html.escape(p)}</b>: {len(found)} image(s){more}")
        self._show(found[:GALLERY_LIMIT])
        return found

    def show_top_losses(self) -> list[Prediction]:
        """Shows the images the model got wrong with the highest loss."""
        top = self.interpretation.top_losses(self.top)
        self.selection = None
        self.caption.value = (f"the {len(top)} mistakes with the highest loss"
                              if top else "no mistakes")
        self._show(top)
        return top

    # -------------------------------------------------------------- internals
    def _name(self, value: int | str) -> str:
        names = self.interpretation.class_names
        return names[value] if isinstance(value, int) else str(value)

    def _on_cell(self, true: str, predicted: str):
        return lambda _button: self.select(true, predicted)

    def _show(self, predictions: list[Prediction]) -> None:
        self.shown = list(predictions)
        canvas = gallery_image(self.interpretation, self.shown, columns=4 if len(
            self.shown) > 9 else 3)
        self.gallery.value = encode_image(canvas, "png")

    def _class_html(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{v['precision']:.3f}</td>"
            f"<td>{v['recall']:.3f}</td><td>{v['support']}</td></tr>"
            for name, v in self.interpretation.per_class().items())
        return ("<table style='font-size:small'><tr><th>class</th><th>precision</th>"
                f"<th>recall</th><th>images</th></tr>{rows}</table>")

    def _static_picture(self) -> bytes | None:
        if self._picture is None:
            self._picture = self.interpretation.figure(k=self.top)
        return self._picture

    def _static_text(self) -> str | None:
        return str(self.interpretation)
