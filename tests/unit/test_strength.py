"""tools.strength: one strength number -> generator arguments, the mapping sweep and the panel share."""

from __future__ import annotations

import pytest

from augwidgets.engine.arguments import PIXEL_PARAMETERS, validate_generator_kwargs
from augwidgets.tools.strength import (
    BASE_STRENGTH,
    GEOMETRY_ARGUMENTS,
    check_base,
    max_strength,
    strength_kwargs,
    with_strength,
)

STRENGTHS = [0, 0.05, 0.25, 0.3, 0.5, 1, 1.7, 2, 3, 4, 5, 8, 18, 100]


def test_the_base_is_the_geometry_group_of_the_parameter_table():
    geometry = [name for name, spec in PIXEL_PARAMETERS.items() if spec.group == "geometry"]
    assert list(GEOMETRY_ARGUMENTS) == geometry
    assert set(BASE_STRENGTH) == set(geometry)


def test_zero_is_no_augmentation_and_one_is_the_base():
    assert strength_kwargs(0) == {}
    assert strength_kwargs(1) == BASE_STRENGTH


@pytest.mark.parametrize("strength", STRENGTHS)
def test_every_strength_gives_valid_arguments_within_the_slider_ranges(strength):
    kwargs = strength_kwargs(strength)
    validate_generator_kwargs(kwargs)
    for name, value in kwargs.items():
        spec = PIXEL_PARAMETERS[name]
        if name == "zoom_range":
            assert spec.minimum <= 1 - value and 1 + value <= spec.maximum
        else:
            assert spec.minimum <= value <= spec.maximum
        assert not (name.endswith("shift_range") and value >= 1), "a shift from 1 means pixels"


def test_each_argument_grows_linearly_until_its_clip_and_never_shrinks():
    previous = {name: 0.0 for name in BASE_STRENGTH}
    for strength in sorted(STRENGTHS):
        kwargs = strength_kwargs(strength)
        for name, base in BASE_STRENGTH.items():
            value = kwargs.get(name, 0.0)
            assert value >= previous[name]
            spec = PIXEL_PARAMETERS[name]
            limit = max(1 - spec.minimum, spec.maximum - 1) if spec.kind == "range" else spec.maximum
            assert value == pytest.approx(min(base * strength, limit))
            previous[name] = value
    assert strength_kwargs(max_strength()) == strength_kwargs(max_strength() * 2)
    assert strength_kwargs(0.3)["width_shift_range"] == 0.03  # rounded, not 0.030000000000000002


def test_a_custom_base_scales_numbers_and_the_distance_of_factor_pairs_from_one():
    base = {"rotation_range": 4, "brightness_range": (0.8, 1.1), "zoom_range": (0.9, 1.0)}
    assert strength_kwargs(2, base) == {"rotation_range": 8.0, "brightness_range": [0.6, 1.2],
                                        "zoom_range": [0.8, 1.0]}
    assert strength_kwargs(0, base) == {}
    assert strength_kwargs(100, base)["zoom_range"] == [0.5, 1.0]


@pytest.mark.parametrize("base", [{"horizontal_flip": True}, {"rescale": 0.5}, {},
                                  {"rotation_range": -1}, {"zoom_range": (1.2, 0.8)}])
def test_a_base_that_cannot_be_scaled_is_rejected_naming_it(base):
    with pytest.raises(ValueError, match="Received: base="):
        check_base(base)


@pytest.mark.parametrize("strength", [-0.5, float("nan"), "1", True, None])
def test_a_bad_strength_is_rejected(strength):
    with pytest.raises(ValueError, match="Received: strength="):
        strength_kwargs(strength)


def test_with_strength_replaces_only_the_scaled_arguments():
    current = {"rescale": 1 / 255, "rotation_range": 90, "horizontal_flip": True,
               "fill_mode": "constant"}
    assert with_strength(current, 2) == {"rescale": 1 / 255, "horizontal_flip": True,
                                         "fill_mode": "constant", **strength_kwargs(2)}
    assert with_strength(current, 0) == {"rescale": 1 / 255, "horizontal_flip": True,
                                         "fill_mode": "constant"}
