"""The interpretation view in JupyterLab, in Chromium: click a matrix cell, see its images.

The notebook builds an ``Interpretation`` by hand (scikit-learn's digits as images, a known
set of mistakes), so it starts no TensorFlow and every count is known. Displaying it in a
live kernel shows the view; clicking an off-diagonal cell must redraw the gallery with that
cell's images and caption.

Run with ``scripts/test_browser`` (or ``pytest tests/browser --browser``).
"""

from __future__ import annotations

import nbformat
import pytest

from tests.browser import harness, panels

pytestmark = pytest.mark.browser

SOURCE = """\
import numpy as np
from sklearn.datasets import load_digits

from augwidgets.training.interpretation import Interpretation

digits = load_digits()
images = (digits.images[:60] * 255 / 16).astype("uint8")[..., None]
true = digits.target[:60].copy()
predicted = true.copy()
predicted[true == 3] = 5          # every 3 taken for a 5 ...
predicted[np.flatnonzero(true == 8)[:2]] = 1   # ... and two 8s for a 1
probabilities = np.full((60, 10), 0.02)
probabilities[np.arange(60), predicted] = 0.82
result = Interpretation([str(d) for d in range(10)], true, predicted, probabilities,
                        [f"{d}/{i}.png" for i, d in enumerate(true)], np.arange(60), "sparse",
                        load_image=lambda index: images[index])
threes = int((true == 3).sum())
result"""


def test_clicking_a_cell_shows_its_images(lab_notebook, tmp_path):
    notebook = tmp_path / "interpretation.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, notebook)
    page = lab_notebook(notebook)
    harness.run_all_cells(page)
    view = page.locator(panels.PANEL).filter(
        has=page.locator("button", has_text="top losses")).first
    view.wait_for(state="visible", timeout=harness.WIDGET_TIMEOUT_MS)
    harness.check_widgets_rendered(page)
    assert view.locator(".widget-gridbox button").count() == 100
    gallery = view.locator("img").first
    harness.watch_image(gallery)
    caption = view.locator(".widget-html", has_text="mistakes with the highest loss")
    assert caption.count() == 1

    cell = view.locator("button[title^='true 3, predicted 5:']")
    count = int(cell.inner_text().strip())
    assert count > 0
    cell.click()
    harness.wait_for_new_src(gallery, seen=1)
    page.wait_for_function(
        "(el) => el.textContent.includes('true 3, predicted 5')",
        arg=view.element_handle(), timeout=harness.WIDGET_TIMEOUT_MS)
    assert f"{count} image(s)" in view.inner_text()
    harness.screenshot(view, "interpretation-jupyterlab")

    view.locator("button[title^='true 8, predicted 1:']").click()
    harness.wait_for_new_src(gallery, seen=2)
    assert "2 image(s)" in view.inner_text()
    assert not page.console.widget_errors()
