"""The per-image shortcuts give exactly what the slower legacy way gives: OpenCV's exact
nearest resize against PIL's NEAREST (legacy ``load_img``), and the rescale in the output's
precision against legacy's ``x *= rescale`` on a float32 array."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from augwidgets.image.pipeline import ImageSettings, _cast_into, resize_image

_MODES = {1: "L", 3: "RGB", 4: "RGBX"}


@pytest.mark.parametrize("channels,color_mode", [(1, "grayscale"), (3, "rgb"), (4, "rgb"),
                                                 (4, "rgba")])
def test_nearest_resize_picks_the_pixels_pil_picks(channels, color_mode):
    rng = np.random.default_rng(channels)
    for _ in range(40):
        height, width = (int(v) for v in rng.integers(3, 300, 2))
        target = tuple(int(v) for v in rng.integers(3, 300, 2))
        image = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
        mode = "RGBA" if color_mode == "rgba" else _MODES[channels]
        pil = Image.frombuffer(mode, (width, height),
                               np.ascontiguousarray(image if channels > 1 else image[..., 0]),
                               "raw", mode, 0, 1)
        expected = np.asarray(pil.resize(target[::-1], Image.Resampling.NEAREST))
        expected = expected.reshape(target + (channels,))
        settings = ImageSettings(target_size=target, color_mode=color_mode)
        got = resize_image(image, settings)
        used = 3 if mode == "RGBX" else channels  # PIL leaves RGBX's pad channel at 255
        np.testing.assert_array_equal(got[..., :used], expected[..., :used])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("rescale", [1 / 255, 1 / 127.5, 0.5, 3])
def test_rescale_equals_legacy_in_place_multiply(dtype, rescale):
    image = np.arange(256, dtype=np.uint8).reshape(16, 16, 1)
    legacy = image.astype(dtype)
    legacy *= rescale  # keras.src.legacy ... ImageDataGenerator.standardize
    out = np.empty(image.shape, dtype)
    _cast_into(image, rescale, out)
    np.testing.assert_array_equal(out, legacy)
