"""Static pictures beside widget views, and progress bars that leave their final state.

Every widget output (the explorer and training panels, ``LivePlot``, ``compare``,
``sweep``) carries an ``image/png`` in its output bundle; the training figures re-send it
when training ends, so a saved notebook shows the final figure where widgets are not drawn. These tests capture what IPython
publishes (no kernel needed); ``test_lesson_exports_show_a_picture_for_every_widget``
executes a notebook with nbclient and exports it to HTML with nbconvert.

They also run under ipywidgets 7.7.1 (``scripts/test_ipywidgets7``).

Example:
    pytest -q tests/notebooks/test_static_pictures.py
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from PIL import Image
from tests.training_data import digits_tree, iterators

from augwidgets.widgets.live_picture import LivePicture
from augwidgets.widgets.static import WIDGET_VIEW_MIME as WIDGET_VIEW
from augwidgets.widgets.static import static_bundle

PNG = b"\x89PNG"


@pytest.fixture
def published(monkeypatch):
    """What ``IPython.display.display`` publishes, as a list of ``{data, transient, update}``."""
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    publisher = CapturingDisplayPublisher()
    monkeypatch.setattr(shell, "display_pub", publisher)
    return publisher.outputs


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return digits_tree(tmp_path_factory.mktemp("digits"), image_size=12, per_class=6)


def _png(bundle: dict) -> bytes:
    return base64.b64decode(bundle["image/png"])


def _tiny_png(grey: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (2, 2), grey).save(buffer, format="PNG")
    return buffer.getvalue()


def test_bundle_carries_the_view_the_picture_and_text():
    import ipywidgets

    image = ipywidgets.Image(format="png")
    bundle = static_bundle(image, _tiny_png(0), "curves")
    assert bundle[WIDGET_VIEW] == {"version_major": 2, "version_minor": 0,
                                   "model_id": image.model_id}
    assert _png(bundle) == _tiny_png(0) and bundle["text/plain"] == "curves"
    assert "image/png" not in static_bundle(image, None)  # nothing drawn yet: text only
    assert static_bundle(image, b"")["text/plain"].startswith("Image(")


def test_display_then_refresh_updates_the_same_output(published):
    import ipywidgets

    pictures = iter([_tiny_png(0), _tiny_png(255)])
    view = LivePicture(ipywidgets.Image(), lambda: next(pictures), lambda: "state")
    view.display()
    view.refresh()
    first, second = published
    assert not first["update"] and second["update"]
    assert first["transient"]["display_id"] == second["transient"]["display_id"]
    assert _png(first["data"]) == _tiny_png(0) and _png(second["data"]) == _tiny_png(255)
    assert first["data"][WIDGET_VIEW] == second["data"][WIDGET_VIEW]


def test_training_panel_leaves_its_final_curves_in_the_output(digits, published):
    from IPython.display import display

    from augwidgets.widgets.training_panel import TrainingPanel

    train, validation = iterators(digits, image_size=12)
    panel = TrainingPanel(train, validation=validation, epochs=1)
    display(panel)
    (shown,) = published
    assert shown["data"][WIDGET_VIEW]["model_id"] == panel.model_id
    assert _png(shown["data"]) == panel.plot.value  # the empty axes, as drawn
    assert shown["data"]["text/plain"] == repr(panel)

    panel.start()
    panel.wait()
    updates = [o for o in published if o["update"]]
    assert updates, "training's end re-sends the picture"
    final = updates[-1]
    assert final["transient"] == shown["transient"]
    assert _png(final["data"]) == panel.plot.value != _png(shown["data"])
    assert "epochs_done=1" in final["data"]["text/plain"]
    assert Image.open(io.BytesIO(_png(final["data"]))).format == "PNG"


def test_liveplot_in_a_notebook_displays_once_and_leaves_the_final_figure(
        digits, published, monkeypatch):
    import keras

    from augwidgets.training import callback

    monkeypatch.setattr(callback, "in_notebook_kernel", lambda: True)
    train, validation = iterators(digits, image_size=12)
    model = keras.Sequential([keras.Input(train.image_shape), keras.layers.Flatten(),
                              keras.layers.Dense(train.num_classes, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    live = callback.LivePlot(min_interval=3600)  # one draw, at the end
    model.fit(train, validation_data=validation, epochs=2, verbose=0, callbacks=[live])
    shown, *updates = published
    assert not shown["update"] and "image/png" not in shown["data"]  # nothing drawn yet
    assert updates and all(u["update"] for u in updates)
    (image,) = live.outputs
    assert _png(updates[-1]["data"]) == image.last_png == image.widget.value
    assert updates[-1]["data"]["text/plain"].startswith("training curves, 2 epoch(s): accuracy")


@pytest.mark.slow
def test_compare_leaves_the_final_overlay_and_a_finished_bar(digits, published, monkeypatch,
                                                             capsys):
    from augwidgets.training import experiment, runs

    # compare() trains through runs.run_configurations, which asks whether it is in a kernel
    monkeypatch.setattr(runs, "in_notebook_kernel", lambda: True)
    result = experiment.compare(digits / "train", digits / "validation",
                                configs={"none": {}, "light": {"rotation_range": 10}},
                                epochs=2, image_size=12)
    shown, *updates = published
    assert shown["data"]["text/plain"] == "0 of 2 configurations trained"
    assert _png(updates[-1]["data"]) == result.png
    assert updates[-1]["data"]["text/plain"] == "2 of 2 configurations trained"
    bar = capsys.readouterr().err  # outside a kernel tqdm.auto is the text bar
    assert "training" in bar and "4/4" in bar
    experiment.compare(digits / "train", digits / "validation", configs={"none": {}},
                       epochs=1, image_size=12, progress=False, verbose=False)
    assert "training" not in capsys.readouterr().err


def test_notebook_progress_bar_is_saved_with_its_final_text(published):
    from augwidgets.progress import _notebook_bar

    bar = _notebook_bar()(total=3, desc="demo", unit="file")
    for _ in range(3):
        bar.update(1)
    bar.close()
    shown, update = published
    assert WIDGET_VIEW in shown["data"] and "0/3" in shown["data"]["text/plain"]
    assert update["update"] and update["transient"] == shown["transient"]
    assert "100%" in update["data"]["text/plain"] and "3/3" in update["data"]["text/plain"]


# ---------------------------------------------------------------- executed and exported
ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")
                 if nbformat.read(p, as_version=4).metadata.kernelspec.name == "python3")
FINISHED_BAR = re.compile(r"100%\|.*\| *(\d+)/\1 ")  # tqdm's text once a bar is complete
IMG = re.compile(r'<img [^>]*src="data:image/png;base64,')


def widget_outputs_without_picture(nb: nbformat.NotebookNode) -> list[str]:
    """Widget outputs with neither an ``image/png`` nor, for a tqdm bar, its final text."""
    missing = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data or "image/png" in data:
                continue
            text = data.get("text/plain", "")
            if not FINISHED_BAR.search(text):
                missing.append(f"{text[:60]!r} in cell:\n{cell.source[:200]}")
    return missing


def exported_pictures(nb: nbformat.NotebookNode) -> list[tuple[int, int, str]]:
    """(pictures expected, ``<img>`` found, html) per cell with a widget output, exported alone.

    Cells are exported one by one so that each widget output's picture is found in its own
    cell's HTML. Widget state is stripped first, as in the saved lessons.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    found = []
    for cell in nb.cells:
        outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
        if not outputs:
            continue
        single = nbformat.v4.new_notebook(cells=[cell], metadata={
            k: v for k, v in nb.metadata.items() if k != "widgets"})
        html, _ = exporter.from_notebook_node(single)
        expected = sum("image/png" in o.data for o in outputs)
        found.append((expected, len(IMG.findall(html)), html))
    return found


def _execute(nb: nbformat.NotebookNode, directory: Path) -> nbformat.NotebookNode:
    import os

    from nbclient import NotebookClient

    environment = {"PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
    old = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)  # the kernel inherits them
    try:
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(directory)}}).execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    from tests.notebooks.execute_notebooks import clean

    assert clean(nb) == 0
    return nb


def _assert_pictures_everywhere(nb: nbformat.NotebookNode) -> int:
    assert widget_outputs_without_picture(nb) == []
    exported = exported_pictures(nb)
    for expected, found, html in exported:
        assert found >= expected, html[-2000:]
        body = html.split("<body", 1)[-1]
        for fallback in ("Image(value=", "TrainingPanel(state", "AugmentationPanel("):
            assert fallback not in body, fallback
    return sum(expected for expected, _found, _html in exported)


SCRATCH = [
    "import augwidgets, keras\nkeras.utils.set_random_seed(0)\n"
    "root = augwidgets.datasets.digits('data', image_size=8)\n"
    "options = dict(target_size=(8, 8), color_mode='grayscale', batch_size=128)\n"
    "train = augwidgets.ImageDataGenerator(rescale=1/255).flow_from_directory(\n"
    "    root / 'train', seed=0, **options)\n"
    "validation = augwidgets.ImageDataGenerator(rescale=1/255).flow_from_directory(\n"
    "    root / 'validation', shuffle=False, **options)",
    "panel = augwidgets.TrainingPanel(train, validation=validation, epochs=1)\npanel",
    "panel.start()\npanel.wait()",
    "model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),\n"
    "                          keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])\n"
    "_ = model.fit(train, validation_data=validation, epochs=2, verbose=0,\n"
    "              callbacks=[augwidgets.LivePlot()])",
    "result = augwidgets.compare(root / 'train', root / 'validation', epochs=1, image_size=8,\n"
    "                            configs={'none': {}, 'flip': {'horizontal_flip': True}},\n"
    "                            per_class=5)",
]


@pytest.mark.slow
def test_executed_notebook_exports_a_picture_for_every_widget(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in SCRATCH])
    nb.metadata.kernelspec = {"name": "python3", "language": "python",
                              "display_name": "Python 3"}
    _execute(nb, tmp_path)
    panel = nb.cells[1].outputs
    assert [list(o.data) for o in panel if o.output_type == "display_data"] == [
        ["text/plain", "image/png", WIDGET_VIEW]]
    assert "epochs_done=1" in panel[0].data["text/plain"]  # updated when training ended
    assert "training curves, 2 epoch(s)" in nb.cells[3].outputs[-1].data["text/plain"]
    assert "2 of 2 configurations trained" in str(nb.cells[4].outputs)
    assert _assert_pictures_everywhere(nb) == 3


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_exports_show_a_picture_for_every_widget(name):
    nb = _execute(nbformat.read(ROOT / "notebooks" / name, as_version=4), ROOT / "notebooks")
    _assert_pictures_everywhere(nb)
