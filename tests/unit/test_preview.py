"""The explorer's pure preview: sampling, per-tile draws through the core engine, encoding."""

from __future__ import annotations

import io
import os
import re
import tracemalloc
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from augwidgets.engine.arguments import TransformConfig
from augwidgets.engine.sampling import sample_transform
from augwidgets.image.decode import decode_image
from augwidgets.image.pipeline import ImageSettings, process_image
from augwidgets.preview.encoding import encode_image, message_image
from augwidgets.preview.image_source import ImageSource, SampleImage
from augwidgets.preview.render import feature_statistics, render_preview, standardize

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def transform_image(pixels, params, config, target_size):
    """The iterator's pipeline for one image, as 0..255 grey levels (no scaling)."""
    settings = ImageSettings(target_size=target_size, fill_mode=config.fill_mode,
                             cval=config.cval, order=config.interpolation_order)
    return np.rint(process_image(pixels, params or None, settings)).astype(np.uint8)


KWARGS = {"rotation_range": 25, "width_shift_range": 0.1, "height_shift_range": 0.1,
          "shear_range": 8, "zoom_range": 0.2, "horizontal_flip": True, "rescale": 1 / 255}
PAD = 6  # the grid's outer padding


def make_tree(root, classes=("cat", "dog", "owl"), per_class=4, size=(60, 80)):
    rng = np.random.RandomState(1)
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = np.zeros((*size, 3), np.uint8)
            pixels[..., c] = 200
            pixels[10:30, 10 + 5 * i:40 + 5 * i] = rng.randint(0, 255, 3)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


@pytest.fixture()
def source(tmp_path):
    return ImageSource(make_tree(tmp_path / "train"), target_size=(224, 224))


def decode(value: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(value)).convert("RGB"))


def test_sample_is_fixed_class_balanced_and_labelled(source):
    first = source.sample(9, seed=0)
    assert [s.filename for s in first] == [s.filename for s in source.sample(9, seed=0)]
    assert Counter(s.label for s in first) == {"cat": 3, "dog": 3, "owl": 3}
    assert all(s.filename.startswith(s.label + "/") for s in first)
    other = source.sample(9, seed=0, round=1)
    assert [s.filename for s in other] != [s.filename for s in first]
    repeated = source.sample(20, seed=0)
    assert len(repeated) == 20  # fewer images than tiles: images repeat


def test_tiles_use_the_core_draw_seeded_per_tile(source):
    images = source.sample(9)
    preview = render_preview(images, KWARGS, seed=5, draw=2, format="png")
    config = TransformConfig.from_kwargs(KWARGS)
    for tile, params in enumerate(preview.params):
        expected = sample_transform(config, (224, 224, 3), np.random.RandomState(5 + 2000 + tile))
        assert params == expected
    grid = decode(preview.value)
    first = transform_image(images[0].pixels, preview.params[0], config, (224, 224))
    np.testing.assert_array_equal(grid[PAD:PAD + 224, PAD:PAD + 224], first)


def test_draws_match_the_core_generator(source):
    from augwidgets.engine.generator import ImageDataGenerator

    preview = render_preview(source.sample(3), KWARGS, seed=11, draw=1)
    generator = ImageDataGenerator(**KWARGS)
    for tile, params in enumerate(preview.params):
        assert params == generator.get_random_transform((224, 224, 3), seed=11 + 1000 + tile)


def test_same_state_same_bytes_new_draw_or_seed_new_bytes(source):
    images = source.sample(9)
    value = render_preview(images, KWARGS).value
    assert render_preview(images, KWARGS).value == value
    assert render_preview(images, KWARGS, draw=1).value != value
    assert render_preview(images, KWARGS, seed=1).value != value
    assert render_preview(images, {**KWARGS, "rotation_range": 26}).value != value


def test_validation_view_is_not_augmented(source):
    images = source.sample(9)
    preview = render_preview(images, KWARGS, augment=False, format="png", show_params=False)
    assert preview.params == [None] * 9
    grid = decode(preview.value)
    plain = transform_image(images[0].pixels, {}, TransformConfig(), (224, 224))
    np.testing.assert_array_equal(grid[PAD:PAD + 224, PAD:PAD + 224], plain)
    assert preview.ranges[0][1] <= 1.0  # values as the model gets them: rescaled


def test_one_image_mode_and_original_toggle(source):
    images = source.sample(9)
    one = render_preview(images, KWARGS, mode="one_image", focus=4, format="png")
    assert len({str(p) for p in one.params}) == 9  # nine different draws
    grid = decode(one.value)
    config = TransformConfig.from_kwargs(KWARGS)
    last = transform_image(images[4].pixels, one.params[8], config, (224, 224))
    top = PAD + 2 * (one.shape[0] - PAD) // 3
    left = PAD + 2 * (one.shape[1] - PAD) // 3
    np.testing.assert_array_equal(grid[top:top + 224, left:left + 224], last)
    side = render_preview(images, KWARGS, show_original=True)
    assert side.shape[1] > 1.9 * render_preview(images, KWARGS).shape[1]


def test_scaling_is_shown_and_matches_the_core_standardize(source):
    from augwidgets.engine.generator import ImageDataGenerator

    images = source.sample(9)
    x = transform_image(images[0].pixels, {}, TransformConfig(), (224, 224)).astype(np.float32)
    for kwargs in ({"rescale": 1 / 255, "samplewise_center": True},
                   {"samplewise_std_normalization": True, "samplewise_center": True},
                   {"preprocessing_function": lambda v: v / 127.5 - 1}):
        np.testing.assert_allclose(standardize(x.copy(), kwargs),
                                   ImageDataGenerator(**kwargs).standardize(x.copy()), rtol=1e-5)
    centred = render_preview(images, {"rescale": 1 / 255, "samplewise_center": True})
    assert centred.ranges[0][0] < 0 < centred.ranges[0][1]
    featurewise = {"featurewise_center": True, "featurewise_std_normalization": True}
    stats = feature_statistics(images, featurewise, (224, 224))
    generator = ImageDataGenerator(**featurewise)
    batch = np.stack([transform_image(s.pixels, {}, TransformConfig(), (224, 224))
                      for s in images]).astype(np.float32)
    generator.fit(batch)
    np.testing.assert_allclose(stats[0], generator.mean.ravel(), rtol=1e-4)
    np.testing.assert_allclose(stats[1], generator.std.ravel(), rtol=1e-4)


def test_small_targets_are_enlarged_for_display(source):
    preview = render_preview(source.sample(4), KWARGS, target_size=(32, 32), columns=2)
    assert preview.shape[1] >= 2 * 168


def test_bad_directories_give_clear_messages(tmp_path):
    with pytest.raises(ValueError, match="No such directory"):
        ImageSource(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no class subfolders"):
        ImageSource(tmp_path / "empty")
    (tmp_path / "noimages" / "cat").mkdir(parents=True)
    (tmp_path / "noimages" / "cat" / "notes.txt").write_text("hi")
    with pytest.raises(ValueError, match="but no images"):
        ImageSource(tmp_path / "noimages")
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(ValueError, match="is a file"):
        ImageSource(tmp_path / "file.png")


def test_broken_files_are_skipped_with_the_core_reason(tmp_path):
    root = make_tree(tmp_path / "train", per_class=2)
    (root / "cat" / "broken.png").write_bytes(b"not an image")
    (root / "dog" / "empty.jpg").write_bytes(b"")
    source = ImageSource(root)
    sample = source.sample(9)
    assert len(sample) == 9 and all(s.pixels.ndim == 3 for s in sample)
    reasons = dict(source.skipped)
    assert set(reasons) == {"cat/broken.png", "dog/empty.jpg"}
    for name, reason in reasons.items():
        with pytest.raises(ValueError) as info:
            decode_image(root / name)
        # the core's PIL reasons can embed an object address; compare without it
        assert re.sub("0x[0-9a-f]+", "", info.value.reason) == re.sub("0x[0-9a-f]+", "", reason)


def test_memory_stays_flat_over_many_renders(source):
    images = source.sample(9)
    for draw in range(20):
        render_preview(images, KWARGS, draw=draw)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for draw in range(300):
        render_preview(images, KWARGS, draw=draw)
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 1_000_000, growth


def test_encoding_helpers():
    assert encode_image(np.zeros((4, 4, 3), np.uint8))[:2] == b"\xff\xd8"
    assert encode_image(np.zeros((4, 4, 3), np.uint8), "png")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="Received: format='gif'"):
        encode_image(np.zeros((4, 4, 3), np.uint8), "gif")
    assert decode(message_image("No such directory: 'x'")).shape == (120, 480, 3)


def test_bad_arguments():
    image = SampleImage("a/1.png", "a", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="Received: mode='movie'"):
        render_preview([image], {}, mode="movie")
    with pytest.raises(ValueError, match="images"):
        render_preview([], {})
    with pytest.raises(ValueError, match="rotation_range"):
        render_preview([image], {"rotation_range": -3})


def test_captions_are_large_text_with_the_class_and_only_the_values_drawn(source):
    from augwidgets.preview.encoding import CAPTION_PX, TextAtlas
    from augwidgets.preview.render import _caption, caption_lines

    atlas = TextAtlas.get(CAPTION_PX)
    assert CAPTION_PX >= 13 and atlas.line_height >= CAPTION_PX
    preview = render_preview(source.sample(9), KWARGS, format="png")
    params = preview.params[0]
    lines = _caption("owl", params, preview.ranges[0], True, width=168)
    assert len(lines) == caption_lines(True) == 4
    assert lines[0] == f"owl\t0 .. {preview.ranges[0][1]:.3g}"  # the range goes at the right
    shown = " ".join(lines[1:])
    assert f"rot {params['theta']:+.1f}°" in shown
    assert all(atlas.width(line.replace("\t", "  ")) <= 168 for line in lines)
    # nothing drawn, nothing to read; a tile that drew no shear does not list it
    still = dict(params, theta=0.0, tx=0.0, ty=0.0, shear=0.0, zx=1.0, zy=1.0,
                 flip_horizontal=False, flip_vertical=False)
    assert _caption("owl", still, (0, 1), True, width=168)[1] == "no transform"
    # every value, with the legacy keys, is in the details
    assert preview.details[0].startswith("tile 1, ") and "shear" in preview.details[0]
    assert len(preview.details) == 9


def test_caption_pixels_are_drawn_under_each_tile(source):
    preview = render_preview(source.sample(9), KWARGS, format="png")
    grid = decode(preview.value)
    strip = grid[PAD + 224 + 2:PAD + 224 + 2 + 60, PAD:PAD + 224]
    assert (strip < 100).any(), "no dark caption text under the first tile"


def test_text_atlas_draws_measures_and_fits():
    from augwidgets.preview.encoding import TextAtlas

    atlas = TextAtlas.get(14)
    canvas = np.full((30, 200, 3), 255, np.uint8)
    width = atlas.draw(canvas, 2, 2, "tx +1.2 ty -0.4", (0, 0, 0))
    assert width == atlas.width("tx +1.2 ty -0.4") and 60 < width < 150
    inked = np.flatnonzero((canvas < 128).any(axis=(0, 2)))
    assert inked[0] >= 2 and inked[-1] <= 2 + width
    assert atlas.fit("a" * 100, 60).endswith("...") and atlas.width(atlas.fit("a" * 100, 60)) <= 60
    atlas.draw(canvas, 190, 25, "clipped at the edge ☃", (0, 0, 0))  # no error past the canvas
