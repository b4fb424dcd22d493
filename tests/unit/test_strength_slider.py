"""The explorer's strength slider: one knob that moves every geometry slider as sweep does."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from augwidgets import AugmentationPanel
from augwidgets.engine.arguments import PIXEL_PARAMETERS
from augwidgets.tools.strength import GEOMETRY_ARGUMENTS, strength_kwargs

STRENGTHS = [0.25, 1.0, 2.0, 3.35, 5.0, 0.0]


@pytest.fixture()
def panel(tmp_path):
    for c, name in enumerate(("a", "b")):
        (tmp_path / "train" / name).mkdir(parents=True)
        for i in range(3):
            pixels = np.full((20, 24), 30 + 60 * c + 10 * i, np.uint8)
            Image.fromarray(pixels).save(tmp_path / "train" / name / f"{i}.png")
    return AugmentationPanel(tmp_path / "train", target_size=(16, 16), grid=(1, 2),
                             rescale=1 / 255, horizontal_flip=True, fill_mode="constant")


def test_the_slider_sits_with_the_geometry_controls(panel):
    assert panel.strength == 0.0
    assert panel.strength_control.description == "strength"
    assert GEOMETRY_ARGUMENTS == tuple(n for n, s in PIXEL_PARAMETERS.items()
                                       if s.group == "geometry")


@pytest.mark.parametrize("strength", STRENGTHS)
def test_generator_kwargs_at_a_strength_are_what_sweep_trains_with(panel, strength):
    panel.strength_control.value = strength  # what a browser drag ends with
    kept = {"horizontal_flip": True, "fill_mode": "constant", "rescale": 1 / 255}
    assert panel.generator_kwargs == {**kept, **strength_kwargs(strength)}


def test_every_geometry_slider_moves_with_the_strength_consistently(panel):
    previous = {name: None for name in GEOMETRY_ARGUMENTS}
    renders = panel.render_count
    for strength in sorted(STRENGTHS):
        panel.strength = strength
        expected = strength_kwargs(strength)
        for name in GEOMETRY_ARGUMENTS:
            control = panel.controls[name].value
            value = expected.get(name, 0.0)
            if name == "zoom_range":
                assert control == pytest.approx((1 - value, 1 + value))
                control = control[1] - 1
            else:
                assert control == pytest.approx(value)
            if previous[name] is not None:
                assert control >= previous[name]
            previous[name] = control
    assert panel.render_count - renders == len(set(STRENGTHS) - {0.0}), "one render per change"


def test_moving_one_slider_afterwards_leaves_the_strength_knob_alone(panel):
    panel.strength = 2
    panel.controls["rotation_range"].value = 5.0
    assert panel.strength == 2
    assert panel.generator_kwargs["rotation_range"] == 5.0
    panel.strength = 1
    assert panel.generator_kwargs["rotation_range"] == 10.0
    with pytest.raises(ValueError, match="Received: strength=-1"):
        panel.strength = -1
