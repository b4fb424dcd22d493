"""Exact legacy pixels on realistic trees: mixed sizes, aspect ratios, formats and modes.

Without augmentation a batch must equal the legacy generator's batch (atol 1e-6 after
rescale) for every ``interpolation``, ``color_mode`` and ``keep_aspect_ratio``: swapping
the import must not change what a trained model sees. With augmentation, for the same drawn
parameters, each image must stay within the 8-bit warp's rounding (0.51 grey level) of
legacy's ``load_img -> apply_transform -> standardize``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator
from augwidgets.image.pipeline import INTERPOLATIONS
from tests.conftest import smooth_image

COLOR_MODES = ("rgb", "grayscale", "rgba")
SIZES = [(40, 90), (90, 41), (57, 57), (73, 48), (44, 66), (88, 80), (31, 47), (64, 64)]
FORMATS = ["PNG", "JPEG", "BMP", "PNG-L", "PNG-RGBA", "PNG-P", "JPEG-L", "TIFF"]


@pytest.fixture(scope="module")
def realistic_tree(tmp_path_factory):
    """Two classes, images of 31-90 px in eight formats and PIL modes."""
    root = tmp_path_factory.mktemp("realistic")
    rng = np.random.RandomState(7)
    for c, name in enumerate(("cat", "dog")):
        (root / name).mkdir()
        for i, ((h, w), kind) in enumerate(zip(SIZES, FORMATS[c:] + FORMATS[:c])):
            array = smooth_image(rng, h, w)
            image = Image.fromarray(array)
            fmt, _, mode = kind.partition("-")
            if mode == "RGBA":
                alpha = np.linspace(60, 255, w, dtype=np.uint8)[None].repeat(h, 0)
                image = Image.fromarray(np.dstack([array, alpha]), "RGBA")
            elif mode:
                image = image.convert(mode)
            suffix = {"PNG": "png", "JPEG": "jpg", "BMP": "bmp", "TIFF": "tif"}[fmt]
            save = {"quality": 92} if fmt == "JPEG" else {}
            image.save(root / name / f"{i}.{suffix}", format=fmt, **save)
    return root


CASES = list(itertools.product(INTERPOLATIONS, COLOR_MODES, (False, True)))


@pytest.mark.parametrize(("interpolation", "color_mode", "keep_aspect_ratio"), CASES,
                         ids=["-".join(map(str, c)) for c in CASES])
def test_batches_equal_legacy_without_augmentation(legacy, realistic_tree, interpolation,
                                                   color_mode, keep_aspect_ratio):
    kwargs = dict(target_size=(32, 40), batch_size=16, shuffle=False, color_mode=color_mode,
                  interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio)
    ours = ImageDataGenerator(rescale=1 / 255).flow_from_directory(realistic_tree, **kwargs)
    theirs = legacy(rescale=1 / 255).flow_from_directory(str(realistic_tree), **kwargs)
    assert ours.filenames == theirs.filenames
    for index in range(len(theirs)):
        (x, y), (ex, ey) = ours[index], theirs[index]
        assert x.shape == ex.shape and x.dtype == ex.dtype
        np.testing.assert_allclose(x, ex, atol=1e-6, rtol=0)
        np.testing.assert_array_equal(y, ey)


AUGMENTATION = dict(rescale=1 / 255, rotation_range=30, width_shift_range=0.2,
                    height_shift_range=0.2, shear_range=15, zoom_range=0.25,
                    horizontal_flip=True, vertical_flip=True)


@pytest.mark.parametrize(("interpolation", "color_mode", "keep_aspect_ratio"), CASES,
                         ids=["-".join(map(str, c)) for c in CASES])
def test_augmented_images_match_legacy_for_the_same_parameters(
        legacy, realistic_tree, interpolation, color_mode, keep_aspect_ratio):
    from keras.utils import img_to_array, load_img

    ours, theirs = ImageDataGenerator(**AUGMENTATION), legacy(**AUGMENTATION)
    iterator = ours.flow_from_directory(
        realistic_tree, target_size=(32, 40), shuffle=False, color_mode=color_mode,
        interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio)
    for index, path in enumerate(iterator.filepaths):
        x = img_to_array(load_img(path, color_mode=color_mode, target_size=(32, 40),
                                  interpolation=interpolation,
                                  keep_aspect_ratio=keep_aspect_ratio))
        params = theirs.get_random_transform(x.shape, seed=index)
        expected = theirs.standardize(theirs.apply_transform(x, params))
        got = iterator.transform_sample(index, params)
        difference = np.abs(got - expected) * 255
        assert difference.max() <= 0.51, (path, difference.max())
        assert difference.mean() < 0.3


@pytest.mark.parametrize("fill_mode", ["nearest", "reflect", "constant", "wrap"])
def test_every_fill_mode_matches_legacy_after_a_resize(legacy, realistic_tree, fill_mode):
    from keras.utils import img_to_array, load_img

    config = {**AUGMENTATION, "fill_mode": fill_mode, "cval": 40.0, "channel_shift_range": 20}
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    iterator = ours.flow_from_directory(realistic_tree, target_size=(28, 28), shuffle=False)
    for index, path in enumerate(iterator.filepaths[:8]):
        x = img_to_array(load_img(path, target_size=(28, 28)))
        params = theirs.get_random_transform(x.shape, seed=100 + index)
        expected = theirs.standardize(theirs.apply_transform(x, params))
        got = iterator.transform_sample(index, params)
        assert np.abs(got - expected).max() * 255 <= 0.51


def test_fast_resize_is_an_explicit_opt_in(legacy, realistic_tree):
    kwargs = dict(target_size=(24, 24), batch_size=16, shuffle=False, interpolation="bilinear")
    exact = ImageDataGenerator(rescale=1 / 255).flow_from_directory(realistic_tree, **kwargs)
    fast = ImageDataGenerator(rescale=1 / 255).flow_from_directory(realistic_tree,
                                                                    resize="fast", **kwargs)
    theirs = legacy(rescale=1 / 255).flow_from_directory(str(realistic_tree), **kwargs)
    assert exact.resize == "legacy"
    np.testing.assert_allclose(exact[0][0], theirs[0][0], atol=1e-6)
    difference = np.abs(fast[0][0] - theirs[0][0])
    assert 0 < difference.mean() < 0.03  # close, but not the legacy pixels
    with pytest.raises(ValueError, match=r"`resize` must be one of .*Received: resize='quick'"):
        ImageDataGenerator().flow_from_directory(realistic_tree, resize="quick")
