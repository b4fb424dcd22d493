"""Settings survive a trip through JSON and through a share string."""

from __future__ import annotations

import json

import pytest

from augwidgets.tools.sharing import (
    from_json,
    from_share_string,
    non_default_kwargs,
    to_json,
    to_share_string,
)

SETTINGS = {"rotation_range": 20, "zoom_range": [0.8, 1.3], "brightness_range": [0.5, 1.5],
            "fill_mode": "reflect", "horizontal_flip": True, "rescale": 1 / 255,
            "width_shift_range": [-4, 0, 4]}


def test_round_trips():
    assert from_json(to_json(SETTINGS)) == non_default_kwargs(SETTINGS)
    text = to_share_string(SETTINGS)
    assert text.startswith("aw1:") and len(text) < 120
    assert from_share_string(text) == non_default_kwargs(SETTINGS)
    assert from_share_string(to_json(SETTINGS)) == non_default_kwargs(SETTINGS)


def test_only_non_default_values_are_stored():
    assert json.loads(to_json({"rotation_range": 0, "shear_range": 5, "fill_mode": "nearest"})) \
        == {"shear_range": 5}
    assert to_share_string({}) == "aw1:e30"


def test_bad_input_is_rejected_clearly():
    with pytest.raises(ValueError, match="share string"):
        from_share_string("hello")
    with pytest.raises(ValueError, match="not a valid share string"):
        from_share_string("aw1:!!!")
    with pytest.raises(ValueError, match="Received: fill_mode='mirror'"):
        from_json('{"fill_mode": "mirror"}')
    with pytest.raises(TypeError, match="unexpected"):
        from_json('{"rotation": 3}')
    with pytest.raises(ValueError, match="preprocessing_function"):
        to_json({"preprocessing_function": abs})
