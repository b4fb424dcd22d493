"""The explorer's parts on their own: the validated config, the HTML, the links, the
update coalescing, and the static picture a panel leaves for frontends without widgets."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from augwidgets import AugmentationPanel
from augwidgets.engine import arguments
from augwidgets.engine.config import GeneratorConfig
from augwidgets.preview import render
from augwidgets.preview.render import PreviewRequest, render_preview
from augwidgets.widgets.explorer import html
from augwidgets.widgets.explorer.layout import BESIDE_FROM_PX, Fold
from augwidgets.widgets.explorer.sync import Coalescer
from augwidgets.widgets.static import WIDGET_VIEW_MIME
from tests.unit.test_augmentation_panel import make_tree


@pytest.fixture()
def panel(tmp_path):
    return AugmentationPanel(make_tree(tmp_path / "train"), target_size=(32, 32), seed=0,
                             rotation_range=20, rescale=1 / 255)


def test_a_preview_request_compares_by_its_settings_and_options():
    a = PreviewRequest(GeneratorConfig.from_kwargs({"rotation_range": 20, "zoom_range": 0.2}))
    b = PreviewRequest(GeneratorConfig.from_kwargs({"zoom_range": 0.2, "rotation_range": 20}))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != PreviewRequest(GeneratorConfig.from_kwargs({"rotation_range": 21,
                                                            "zoom_range": 0.2}))
    assert a != PreviewRequest(a.config, draw=1)
    first, second = (PreviewRequest(GeneratorConfig.from_kwargs({"preprocessing_function": f}))
                     for f in (np.abs, np.negative))
    assert first != second  # a callable compares by identity


def test_a_config_is_rendered_without_validating_again(monkeypatch):
    from augwidgets.preview.image_source import SampleImage

    images = [SampleImage(f"a/{i}.png", "a", np.full((16, 16, 3), 40 * i, np.uint8))
              for i in range(4)]
    config = GeneratorConfig.from_kwargs({"rotation_range": 30, "rescale": 1 / 255})
    expected = render_preview(images, {"rotation_range": 30, "rescale": 1 / 255},
                              target_size=(16, 16), columns=2).value
    calls = []
    monkeypatch.setattr("augwidgets.engine.config.validate_generator_kwargs",
                        lambda kwargs: calls.append(kwargs) or arguments.DEFAULTS)
    request = PreviewRequest(config, target_size=(16, 16), columns=2)
    assert request.render(images).value == expected
    assert render.tile_values(images[0], config, None, render.ImageSettings((16, 16))).max() <= 1
    assert calls == []


def test_the_panel_validates_once_per_settings_change(panel, monkeypatch):
    import augwidgets.engine.config as config_module

    calls = []
    real = config_module.validate_generator_kwargs
    monkeypatch.setattr(config_module, "validate_generator_kwargs",
                        lambda kwargs: calls.append(1) or real(kwargs))
    panel.controls["rotation_range"].value = 25.0
    per_change = len(calls)
    assert 1 <= per_change <= 2  # the settings (and their scaling part, for validation)
    panel.new_draw_button.click()
    panel.mode.value = "one_image"
    panel.show_original.value = True
    for _ in range(3):
        panel.refresh()
    assert len(calls) == per_change  # preview options and redraws never validate
    panel.generator_kwargs = {"rotation_range": 5, "zoom_range": 0.1, "horizontal_flip": True}
    assert len(calls) == 2 * per_change  # many traits changed: one update, checked once


def test_html_is_escaped():
    assert "&lt;b&gt;" in html.header("<b>", ["c<1>"], 3)
    assert "Skipped 1 broken file" in html.header("d", ["a"], 1, [("a/x.jpg", "bad")])
    assert "<li>" in html.details(["tile 1 <x>"]) and "&lt;x&gt;" in html.details(["<x>"])
    assert html.validation_note("ImageDataGenerator(rescale=1/255)").count("<code>") == 1
    assert "looks sane" in html.findings([])


def test_coalescer_runs_once_per_burst_and_again_for_changes_made_while_running():
    runs = []

    def update():
        runs.append(1)
        if len(runs) == 1:
            coalesce()  # a change made by the update itself: one more run, after it

    coalesce = Coalescer(update)
    coalesce()
    assert len(runs) == 2
    with coalesce.hold():
        with coalesce.hold():
            coalesce()
        coalesce()
        assert len(runs) == 2
    assert len(runs) == 3


def test_fold_reads_like_an_accordion():
    import ipywidgets as widgets

    content = widgets.HTML("x")
    fold = Fold("more", content)
    assert fold.selected_index is None and content.layout.display == "none"
    fold.selected_index = 0
    assert fold.toggle.value and content.layout.display is None
    fold.toggle.value = False
    assert fold.selected_index is None and content.layout.display == "none"


def test_controls_are_linked_both_ways(panel):
    panel.settings.rotation_range = 200.0  # past the slider: the slider widens
    assert panel.controls["rotation_range"].value == 200.0
    assert panel.controls["rotation_range"].max >= 200
    panel.controls["zoom_range"].value = (0.7, 1.3)
    assert panel.settings.zoom_range == (0.7, 1.3)
    panel.settings.zoom_range = (0.3, 1.9)
    assert panel.controls["zoom_range"].value == (0.3, 1.9)
    panel.controls["rescale"].value = "1/127.5"
    assert panel.generator_kwargs["rescale"] == pytest.approx(1 / 127.5)
    panel.settings.rescale = 0.25
    assert panel.controls["rescale"].value == "0.25"


def test_geometry_is_open_and_the_other_groups_are_folded(panel):
    assert panel.group_folds["geometry"].selected_index == 0
    for group in ("colour", "flips", "fill", "scaling"):
        assert panel.group_folds[group].selected_index is None
        assert panel.group_boxes[group].layout.display == "none"
    assert BESIDE_FROM_PX < 848  # JupyterLab's output at 1280 px with the file browser


def _bundle_picture(bundle):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))))


def test_the_panel_carries_a_picture_of_its_current_preview(panel):
    bundle = panel._repr_mimebundle_()
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == panel.model_id
    assert bundle["text/plain"] == repr(panel)
    shown = np.asarray(Image.open(io.BytesIO(panel.preview.value)))
    picture = _bundle_picture(bundle)
    assert picture.shape == shown.shape
    assert np.abs(picture.astype(int) - shown).max() == 0  # the same decoded pixels
    panel.controls["rotation_range"].value = 90.0
    moved = _bundle_picture(panel._repr_mimebundle_())
    assert np.abs(moved.astype(int) - picture).mean() > 1  # the picture follows the state


def test_ipython_display_carries_the_picture_beside_the_widget(panel):
    from IPython.core.formatters import DisplayFormatter

    data, _metadata = DisplayFormatter().format(panel)  # what a kernel publishes
    assert {"image/png", "text/plain", WIDGET_VIEW_MIME} <= set(data)
    assert data["text/plain"] == repr(panel)
