"""Argument validation: every bad value names the argument, the range and what it got."""

from __future__ import annotations

import re

import pytest

from augwidgets.engine.arguments import (
    DEFAULTS,
    PIXEL_PARAMETERS,
    TransformConfig,
    validate_generator_kwargs,
    zoom_bounds,
)

BAD_VALUES = [
    ("rotation_range", -5),
    ("rotation_range", "20"),
    ("rotation_range", 400),
    ("width_shift_range", -0.1),
    ("height_shift_range", [[1, 2]]),
    ("height_shift_range", []),
    ("shear_range", -1),
    ("zoom_range", 1.5),
    ("zoom_range", -0.1),
    ("zoom_range", [1.2, 0.8]),
    ("zoom_range", [0, 1]),
    ("zoom_range", [1, 2, 3]),
    ("brightness_range", 0.5),
    ("brightness_range", [1.5, 0.5]),
    ("brightness_range", [-1, 1]),
    ("channel_shift_range", -3),
    ("fill_mode", "mirror"),
    ("cval", "black"),
    ("rescale", float("nan")),
    ("preprocessing_function", 3),
    ("data_format", "NHWC"),
    ("validation_split", 1.0),
    ("validation_split", -0.2),
    ("interpolation_order", 1.5),
    ("interpolation_order", 7),
    ("dtype", "not-a-dtype"),
    ("horizontal_flip", "yes"),
    ("zca_epsilon", -1),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_bad_value_names_argument_and_received(name, value):
    with pytest.raises(ValueError) as info:
        validate_generator_kwargs({name: value})
    message = str(info.value)
    assert f"`{name}`" in message
    assert message.endswith(f"Received: {name}={value!r}")


@pytest.mark.parametrize(("name", "value"), BAD_VALUES[:6])
def test_generator_constructor_validates(name, value):
    from augwidgets import ImageDataGenerator

    with pytest.raises(ValueError, match=re.escape(f"`{name}`")):
        ImageDataGenerator(**{name: value})


def test_unknown_argument_is_a_type_error():
    with pytest.raises(TypeError, match="rotation"):
        validate_generator_kwargs({"rotation": 20})


def test_defaults_are_the_legacy_constructor_defaults(legacy):
    import inspect

    signature = inspect.signature(legacy.__init__)
    legacy_defaults = {name: p.default for name, p in signature.parameters.items()
                       if name != "self"}
    assert legacy_defaults == DEFAULTS
    assert list(legacy_defaults) == list(DEFAULTS)


@pytest.mark.parametrize(("value", "expected"), [
    (0.2, (0.8, 1.2)), (0.0, (1.0, 1.0)), ([0.5, 1.5], (0.5, 1.5)), ((1.0, 1.3), (1.0, 1.3)),
])
def test_zoom_bounds_follow_legacy(value, expected):
    assert zoom_bounds(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [3, [2, 5, 9], (0.1, 0.2), 0.5, 12.0])
def test_shift_forms_accepted(value):
    assert validate_generator_kwargs({"width_shift_range": value})["width_shift_range"] == value


def test_transform_config_identity_detection():
    assert TransformConfig.from_kwargs({"rescale": 1 / 255}).is_identity
    assert TransformConfig.from_kwargs({"fill_mode": "wrap", "cval": 3}).is_identity
    for name, value in [("rotation_range", 1), ("width_shift_range", [2]),
                        ("zoom_range", [1.0, 1.1]), ("brightness_range", [0.9, 1.1]),
                        ("vertical_flip", True), ("channel_shift_range", 5)]:
        assert not TransformConfig.from_kwargs({name: value}).is_identity, name


def test_pixel_parameter_specs_cover_pixel_arguments():
    assert set(PIXEL_PARAMETERS) <= set(DEFAULTS)
    groups = {spec.group for spec in PIXEL_PARAMETERS.values()}
    assert groups == {"geometry", "colour", "flips", "fill", "scaling"}
    assert PIXEL_PARAMETERS["shear_range"].unit == "degrees"
    assert PIXEL_PARAMETERS["rotation_range"].unit == "degrees"
    for spec in PIXEL_PARAMETERS.values():
        if spec.kind in ("float", "range"):
            assert spec.minimum < spec.maximum and spec.step > 0, spec.name
