"""One image pipeline: the explorer's preview tile is exactly what the iterator yields, for
the same image, parameters and iterator options; every consumer calls ``process_image``."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator
from augwidgets.engine.iterators.base import batch_seed
from augwidgets.image.pipeline import ImageSettings, process_image
from augwidgets.preview.image_source import ImageSource
from augwidgets.preview.render import render_preview, tile_values
from tests.conftest import smooth_image

KWARGS = dict(rescale=1 / 255, rotation_range=25, width_shift_range=0.15,
              height_shift_range=0.1, shear_range=10, zoom_range=0.2, horizontal_flip=True,
              fill_mode="reflect")
TARGET = (40, 48)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    rng = np.random.RandomState(3)
    sizes = [(70, 50), (45, 90), (64, 64), (33, 81)]
    for name in ("ant", "bee"):
        (root / name).mkdir()
        for i, (h, w) in enumerate(sizes):
            suffix = "jpg" if i % 2 else "png"
            Image.fromarray(smooth_image(rng, h, w)).save(root / name / f"{i}.{suffix}")
    return root


OPTIONS = list(itertools.product(("rgb", "grayscale", "rgba"), ("nearest", "bicubic"),
                                 (False, True)))


@pytest.mark.parametrize(("color_mode", "interpolation", "keep_aspect_ratio"), OPTIONS)
def test_preview_tile_equals_the_iterator_output(tree, color_mode, interpolation,
                                                 keep_aspect_ratio):
    options = dict(color_mode=color_mode, interpolation=interpolation,
                   keep_aspect_ratio=keep_aspect_ratio)
    source = ImageSource(tree, TARGET, **options)
    iterator = ImageDataGenerator(**KWARGS).flow_from_directory(
        tree, target_size=TARGET, shuffle=False, **options)
    sample = source.sample(4, seed=1)
    preview = render_preview(sample, KWARGS, target_size=TARGET, settings=source.settings,
                             seed=9)
    for tile, image in enumerate(sample):
        params = preview.params[tile]
        assert params is not None
        got = tile_values(image, KWARGS, params, source.settings)
        expected = iterator.transform_sample(iterator.filenames.index(image.filename), params)
        assert got.shape == expected.shape == TARGET + (source.settings.channels,)
        np.testing.assert_array_equal(got, expected)
        # the tile's caption range is the range of those very values
        assert preview.ranges[tile] == (float(got.min()), float(got.max()))


def test_preview_draws_use_the_iterators_image_shape(tree):
    source = ImageSource(tree, TARGET, color_mode="grayscale")
    generator = ImageDataGenerator(**KWARGS)
    iterator = generator.flow_from_directory(tree, target_size=TARGET, color_mode="grayscale")
    preview = render_preview(source.sample(2), KWARGS, target_size=TARGET,
                             settings=source.settings, seed=4, draw=1)
    for tile, params in enumerate(preview.params):
        assert params == generator.get_random_transform(iterator.image_shape,
                                                        seed=4 + 1000 + tile)


def test_batch_slot_equals_transform_sample_for_the_batch_draw(tree):
    """What a batch holds is process_image of the file with that slot's draw."""
    generator = ImageDataGenerator(**KWARGS)
    iterator = generator.flow_from_directory(tree, target_size=TARGET, shuffle=False,
                                             batch_size=8, seed=5)
    x, _ = iterator[0]
    rng = np.random.RandomState(batch_seed(5, 0, 0))  # batch 0 of epoch 0, seed 5
    for slot in range(8):
        params = generator.sample_transform(iterator.image_shape, rng)
        np.testing.assert_array_equal(x[slot], iterator.transform_sample(slot, params))


def test_apply_transform_and_flow_use_the_same_pipeline():
    rng = np.random.RandomState(0)
    image = smooth_image(rng, 20, 30).astype(np.float32)
    generator = ImageDataGenerator(rotation_range=30, zoom_range=0.2, fill_mode="wrap")
    params = generator.get_random_transform(image.shape, seed=2)
    settings = ImageSettings.for_generator(generator)
    np.testing.assert_array_equal(generator.apply_transform(image, params),
                                  process_image(image, params, settings))


def test_panel_preview_honours_the_iterator_options(tree):
    from augwidgets import AugmentationPanel

    panel = AugmentationPanel(tree, target_size=TARGET, color_mode="grayscale",
                              interpolation="bicubic", **KWARGS)
    assert panel.source.settings.color_mode == "grayscale"
    assert panel.images[0].pixels.shape == TARGET + (1,)
    assert panel.last_preview is not None and panel.last_preview.params[0] is not None
    assert os.fspath(tree) == panel.directory
