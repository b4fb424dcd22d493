"""The explorer's Check view and paste box, driven from Python (no browser needed)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from augwidgets.widgets.explorer.check_view import CheckView
from augwidgets.widgets.explorer.migrate_view import MigrateView


def test_check_view_shows_findings_with_files(tmp_path):
    for k, c in enumerate(("ants", "bees")):
        (tmp_path / c).mkdir()
        for i in range(3):
            rng = np.random.default_rng(10 * k + i)
            Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(
                tmp_path / c / f"{i}.jpg")
    (tmp_path / "bees" / "broken.jpg").write_bytes(b"\xff\xd8\xff not really")
    view = CheckView(tmp_path)
    report = view.run()
    assert report is not None and not report.ok
    assert "broken.jpg" in view.result.value and "error" in view.result.value
    assert view._repr_mimebundle_()["text/html"] == view.result.value
    view.validation.value = str(tmp_path / "missing")
    assert view.run() is None and "missing" in view.result.value


def test_paste_box_converts_on_change_and_reports_errors():
    view = MigrateView()
    view.source.value = ("from keras.preprocessing.image import ImageDataGenerator\n"
                         "datagen = ImageDataGenerator(rescale=1./255, shear_range=0.2)\n")
    assert "keras.layers.Pipeline" in view.output.value
    assert "shear_range" in view.output.value and "Not exact" in view.output.value
    view.target.value = "augwidgets"
    assert "from augwidgets import ImageDataGenerator" in view.output.value
    view.source.value = "this is ((( not code"
    assert view.result is None and "source" in view.output.value
    view.source.value = ""
    assert view.output.value == ""


def test_explorer_has_a_check_tab_and_a_paste_box(tmp_path):
    from augwidgets import AugmentationPanel

    for k, c in enumerate(("ants", "bees")):
        (tmp_path / c).mkdir()
        for i in range(2):
            rng = np.random.default_rng(100 + 10 * k + i)
            Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(
                tmp_path / c / f"{i}.jpg")
    panel = AugmentationPanel(tmp_path, target_size=(32, 32), rotation_range=10)
    titles = [panel.tabs.get_title(i) for i in range(len(panel.tabs.children))]
    assert titles == ["Findings", "Code", "Share", "Check"]
    assert panel.tabs.children[3] is panel.check_view
    assert panel.migrate_view in panel.tabs.children[1].children
    assert panel.check_view.report is None  # nothing is checked until asked
    panel.tabs.selected_index = 3
    report = panel.check_view.run()
    assert report is not None and report.ok
    assert "ants: 2" in panel.check_view.result.value
    panel.migrate_view.source.value = "g = ImageDataGenerator(rotation_range=20)"
    assert "RandomRotation" in panel.migrate_view.output.value
    panel.tabs.selected_index = 1  # the Code tab still writes the panel's own code
    assert "rotation_range=10" in panel.code_area.value


def test_check_view_shows_a_bad_folder_message_inside_a_kernel(tmp_path):
    # In a kernel, an Output widget swallows exceptions raised in its context; the view must
    # still show the message, and not keep an earlier report.
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()
    (tmp_path / "cats").mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "cats" / "0.png")
    view = CheckView(tmp_path)
    assert view.run() is not None
    view.validation.value = str(tmp_path / "missing")
    assert view.run() is None
    assert view.report is None and "missing" in view.result.value
