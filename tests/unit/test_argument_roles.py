"""Every list of argument names derives from one table (``params.ROLES``), and
``generator_kwargs`` says what the generator really does."""

from __future__ import annotations

import warnings

from augwidgets import ImageDataGenerator
from augwidgets.engine import arguments as params


def test_every_argument_has_exactly_one_role():
    assert set(params.ROLES) == set(params.DEFAULTS)
    assert set(params.RANDOM_ARGUMENTS).isdisjoint(params.SCALING_ARGUMENTS)
    for name, spec in params.PIXEL_PARAMETERS.items():
        assert params.ROLES[name] == spec.group


def test_consumers_use_the_derived_lists():
    from augwidgets.layers import LAYER_ARGUMENTS
    from augwidgets.training.model import AUGMENTATION_ARGUMENTS

    expected = params.arguments_with_role(*params.RANDOM_ROLES, "fill")
    assert LAYER_ARGUMENTS == AUGMENTATION_ARGUMENTS == expected
    assert "interpolation_order" in expected and "rescale" not in expected


def test_is_active_is_the_one_definition():
    from augwidgets.training.model import augmentation_arguments

    assert not params.is_active("zoom_range", 0.0)
    assert not params.is_active("zoom_range", (1.0, 1.0))
    assert params.is_active("zoom_range", [0.9, 1.0])
    assert params.is_active("brightness_range", [1.0, 1.0])  # drawn, even if it is a no-op
    assert not params.is_active("width_shift_range", [])
    assert params.is_active("width_shift_range", [0])
    assert augmentation_arguments({"fill_mode": "constant", "cval": 3}) == {}
    assert augmentation_arguments({"fill_mode": "constant", "rotation_range": 5}) == {
        "rotation_range": 5, "fill_mode": "constant"}


def test_generator_kwargs_reflect_the_legacy_overrides(legacy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ImageDataGenerator(zca_whitening=True, featurewise_std_normalization=True)
        theirs = legacy(zca_whitening=True, featurewise_std_normalization=True)
        std_only = ImageDataGenerator(samplewise_std_normalization=True)
    for name in ("featurewise_center", "featurewise_std_normalization", "zca_whitening"):
        assert getattr(ours, name) == getattr(theirs, name) == ours.generator_kwargs[name]
    assert ours.generator_kwargs["featurewise_center"] is True
    assert ours.generator_kwargs["featurewise_std_normalization"] is False
    assert std_only.generator_kwargs["samplewise_center"] is True
    rebuilt = ImageDataGenerator(**ours.generator_kwargs)  # round-trips without surprises
    assert rebuilt.generator_kwargs == ours.generator_kwargs
