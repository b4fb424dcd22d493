"""Differential tests against the real legacy Keras ``ImageDataGenerator``.

The legacy generator (``keras.src.legacy.preprocessing.image``) is our specification: the
same arguments must give the same random parameters, the same pixels, the same statistics
and the same iterator attributes.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import smooth_image

FILL_MODES = ("nearest", "reflect", "constant", "wrap")

CONFIGS = [
    dict(rotation_range=20),
    dict(width_shift_range=0.2, height_shift_range=0.1),
    dict(width_shift_range=5, height_shift_range=3),  # ints: pixels drawn from range(n)
    dict(width_shift_range=[-4, 2, 7], height_shift_range=[0.1, 0.2]),  # lists
    dict(width_shift_range=4.0, height_shift_range=2.5),  # floats >= 1: uniform pixels
    dict(shear_range=30),
    dict(zoom_range=0.3),
    dict(zoom_range=[1.0, 1.5]),
    dict(horizontal_flip=True, vertical_flip=True),
    dict(channel_shift_range=40),
    dict(brightness_range=[0.5, 1.5]),
    dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=20,
         zoom_range=0.2, horizontal_flip=True, vertical_flip=True, channel_shift_range=20,
         brightness_range=[0.7, 1.3]),
]


def _same_params(ours: dict, theirs: dict) -> None:
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if value is None:
            assert ours[key] is None, key
        else:
            np.testing.assert_allclose(np.asarray(ours[key], dtype=float),
                                       np.asarray(value, dtype=float), err_msg=key)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c))
@pytest.mark.parametrize("shape", [(40, 56, 3), (33, 33, 1)])
def test_random_parameters_equal_legacy_for_the_same_seed(legacy, config, shape):
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    for seed in range(25):
        _same_params(ours.get_random_transform(shape, seed=seed),
                     theirs.get_random_transform(shape, seed=seed))


@pytest.mark.parametrize("config", CONFIGS[:6], ids=lambda c: ",".join(c))
def test_unseeded_draws_follow_the_global_generator_like_legacy(legacy, config):
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    np.random.seed(123)
    expected = [theirs.get_random_transform((30, 40, 3)) for _ in range(20)]
    np.random.seed(123)
    got = [ours.get_random_transform((30, 40, 3)) for _ in range(20)]
    for a, b in zip(got, expected):
        _same_params(a, b)


def test_seeded_draw_leaves_global_generator_alone():
    state = np.random.get_state()[1].copy()
    ImageDataGenerator(rotation_range=10).get_random_transform((8, 8, 3), seed=5)
    assert np.array_equal(np.random.get_state()[1], state)


def test_random_distributions_match_legacy_statistics(legacy):
    config = dict(rotation_range=30, width_shift_range=0.25, shear_range=10, zoom_range=0.2)
    ours = ImageDataGenerator(**config)
    rng = np.random.RandomState(0)
    draws = [ours.sample_transform((100, 80, 3), rng) for _ in range(4000)]
    theta = np.array([d["theta"] for d in draws])
    ty = np.array([d["ty"] for d in draws])
    zx, zy = np.array([d["zx"] for d in draws]), np.array([d["zy"] for d in draws])
    assert theta.min() >= -30 and theta.max() <= 30
    assert abs(theta.mean()) < 1.0 and abs(theta.std() - 60 / np.sqrt(12)) < 0.6
    assert np.abs(ty).max() <= 0.25 * 80  # ty is the column shift: width * fraction
    assert 0.8 <= zx.min() and zx.max() <= 1.2
    assert abs(np.corrcoef(zx, zy)[0, 1]) < 0.05  # drawn independently


def test_tx_is_drawn_from_rows_and_int_shift_is_integer_pixels():
    gen = ImageDataGenerator(height_shift_range=4)
    rng = np.random.RandomState(0)
    values = {gen.sample_transform((50, 60, 3), rng)["tx"] for _ in range(300)}
    assert values <= set(range(-3, 4)) and len(values) >= 6
    fractions = ImageDataGenerator(height_shift_range=0.5)
    drawn = [fractions.sample_transform((50, 60, 3), rng)["tx"] for _ in range(300)]
    assert 20 < max(np.abs(drawn)) <= 25  # a fraction of the 50 rows, not the 60 columns


def test_tx_moves_columns_exactly_as_the_shipped_legacy_code_does(legacy):
    """Since Keras' axis swap in apply_affine_transform, tx (drawn from
    height_shift_range) moves *columns*. We keep the shipped behaviour, pixel for pixel."""
    image = np.zeros((20, 30, 1), np.float32)
    image[5, :] = 1.0
    image[:, 5] = 1.0
    expected = legacy().apply_transform(image.copy(), {"tx": -3})
    moved = ImageDataGenerator().apply_transform(image.copy(), {"tx": -3})
    np.testing.assert_allclose(moved, expected, atol=1e-6)
    assert moved[:, 8].min() == 1.0 and moved[5].min() == 1.0


def _assert_pixels_close(ours: np.ndarray, theirs: np.ndarray, bilinear_noise: float) -> None:
    difference = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    assert difference.mean() < bilinear_noise, difference.mean()
    assert np.percentile(difference, 99.5) <= max(1.0, 50 * bilinear_noise)


@pytest.mark.parametrize(("fill_mode", "order"), list(itertools.product(FILL_MODES, (0, 1, 3))))
def test_apply_transform_pixels_match_legacy_for_every_fill_mode(legacy, fill_mode, order):
    config = dict(rotation_range=35, width_shift_range=0.25, height_shift_range=0.15,
                  shear_range=20, zoom_range=[0.7, 1.4], horizontal_flip=True,
                  vertical_flip=True, fill_mode=fill_mode, cval=91.0,
                  interpolation_order=order)
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    rng = np.random.RandomState(order)
    for seed in range(12):
        image = smooth_image(rng, 37, 52).astype(np.float32)
        params = theirs.get_random_transform(image.shape, seed=seed)
        expected = theirs.apply_transform(image.copy(), params)
        got = ours.apply_transform(image.copy(), params)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        _assert_pixels_close(got, expected, bilinear_noise=0.01)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c))
def test_random_transform_equals_legacy_for_the_same_seed(legacy, config):
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    image = smooth_image(np.random.RandomState(3), 30, 44).astype(np.float32)
    for seed in range(6):
        _assert_pixels_close(ours.random_transform(image.copy(), seed=seed),
                             theirs.random_transform(image.copy(), seed=seed), 0.01)


def test_channels_first_matches_legacy(legacy):
    config = dict(rotation_range=30, zoom_range=0.2, horizontal_flip=True,
                  data_format="channels_first")
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    image = np.moveaxis(smooth_image(np.random.RandomState(0), 24, 30), -1, 0)
    image = image.astype(np.float32)
    for seed in range(5):
        params = theirs.get_random_transform(image.shape, seed=seed)
        _same_params(ours.get_random_transform(image.shape, seed=seed), params)
        _assert_pixels_close(ours.apply_transform(image.copy(), params),
                             theirs.apply_transform(image.copy(), params), 0.01)


@pytest.mark.parametrize("config", [
    dict(featurewise_center=True),
    dict(featurewise_center=True, featurewise_std_normalization=True),
    dict(featurewise_std_normalization=True),  # legacy switches featurewise_center on
    dict(zca_whitening=True),
    dict(samplewise_center=True, samplewise_std_normalization=True),
    dict(rescale=1 / 255, featurewise_center=True, featurewise_std_normalization=True),
    dict(preprocessing_function=lambda x: x * 2.0 - 1.0, rescale=0.5),
], ids=lambda c: ",".join(c))
def test_fit_and_standardize_statistics_match_legacy(legacy, config):
    rng = np.random.RandomState(0)
    data = rng.rand(12, 6, 7, 3).astype(np.float32) * 255
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    with pytest.warns(UserWarning) if "featurewise_std_normalization" in config \
            and "featurewise_center" not in config else _nullcontext():
        ImageDataGenerator(**config)
    ours.fit(data)
    theirs.fit(data)
    for attribute in ("mean", "std", "zca_whitening_matrix"):
        expected = getattr(theirs, attribute)
        got = getattr(ours, attribute)
        if expected is None:
            assert got is None, attribute
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4, err_msg=attribute)
    for image in data[:4]:
        np.testing.assert_allclose(ours.standardize(image.copy()),
                                   theirs.standardize(image.copy()), rtol=1e-4, atol=1e-3)


def test_fit_with_augmentation_rounds_matches_legacy_shapes(legacy):
    data = np.random.RandomState(1).rand(5, 8, 8, 3).astype(np.float32)
    ours = ImageDataGenerator(featurewise_center=True, rotation_range=10)
    ours.fit(data, augment=True, rounds=3, seed=0)
    assert ours.mean.shape == (1, 1, 3)
    assert not np.allclose(ours.mean.ravel(), data.mean(axis=(0, 1, 2)), atol=1e-7)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ------------------------------------------------------------------ iterators
ITERATOR_ARGS = [
    dict(),
    dict(subset="training"),
    dict(subset="validation"),
    dict(classes=["dog", "cat"]),
    dict(follow_links=True),
]


@pytest.mark.parametrize("kwargs", ITERATOR_ARGS, ids=lambda k: ",".join(k) or "default")
def test_iterator_attributes_equal_legacy_on_nested_mixed_tree(legacy, mixed_tree, kwargs):
    config = dict(validation_split=0.3, rotation_range=10)
    ours = ImageDataGenerator(**config).flow_from_directory(
        mixed_tree, target_size=(20, 24), batch_size=4, seed=0, **kwargs)
    theirs = legacy(**config).flow_from_directory(
        str(mixed_tree), target_size=(20, 24), batch_size=4, seed=0, **kwargs)
    assert ours.class_indices == theirs.class_indices
    assert ours.filenames == theirs.filenames
    assert ours.filepaths == theirs.filepaths
    assert np.array_equal(ours.classes, theirs.classes)
    assert np.array_equal(ours.labels, theirs.labels)
    assert ours.samples == theirs.samples and ours.num_classes == theirs.num_classes
    assert ours.batch_size == theirs.batch_size and len(ours) == len(theirs)
    assert ours.image_shape == theirs.image_shape
    assert ours.skipped == []


@pytest.mark.parametrize(("class_mode", "color_mode"), list(itertools.product(
    ("categorical", "binary", "sparse", "input", None), ("rgb", "rgba", "grayscale"))))
def test_batches_equal_legacy_without_augmentation(legacy, square_tree, class_mode, color_mode):
    kwargs = dict(target_size=(32, 32), batch_size=5, shuffle=False, class_mode=class_mode,
                  color_mode=color_mode)
    ours = ImageDataGenerator(rescale=1 / 255).flow_from_directory(square_tree, **kwargs)
    theirs = legacy(rescale=1 / 255).flow_from_directory(str(square_tree), **kwargs)
    for index in range(len(theirs)):
        expected, got = theirs[index], ours[index]
        if class_mode is None:
            expected, got = (expected,), (got,)
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_iterator_pixels_equal_legacy_for_the_same_parameters(legacy, square_tree, fill_mode):
    """The fused decode -> warp -> standardize path against legacy load_img ->
    apply_transform -> standardize, image by image, with identical parameters."""
    from keras.utils import img_to_array, load_img

    config = dict(rescale=1 / 255, rotation_range=30, width_shift_range=0.2,
                  height_shift_range=0.2, shear_range=15, zoom_range=0.25,
                  horizontal_flip=True, channel_shift_range=15, fill_mode=fill_mode, cval=40)
    ours = ImageDataGenerator(**config)
    theirs = legacy(**config)
    iterator = ours.flow_from_directory(square_tree, target_size=(32, 32), shuffle=False)
    for index, path in enumerate(iterator.filepaths):
        params = theirs.get_random_transform((32, 32, 3), seed=index)
        out = iterator.transform_sample(index, params)
        x = img_to_array(load_img(path, target_size=(32, 32)))
        expected = theirs.standardize(theirs.apply_transform(x, params))
        # 8-bit warp output: half a grey level of rounding, i.e. 0.5/255 after rescale
        assert np.abs(out - expected).max() <= 0.51 / 255 + 1e-6
        assert np.abs(out - expected).mean() < 0.3 / 255


@pytest.mark.parametrize("interpolation", ["bicubic", "lanczos", "box", "hamming"])
def test_non_fused_interpolations_resize_exactly_like_legacy(legacy, mixed_tree, interpolation):
    kwargs = dict(target_size=(20, 26), shuffle=False, batch_size=32,
                  interpolation=interpolation)
    ours = ImageDataGenerator(rescale=1 / 255).flow_from_directory(mixed_tree, **kwargs)
    theirs = legacy(rescale=1 / 255).flow_from_directory(str(mixed_tree), **kwargs)
    np.testing.assert_allclose(ours[0][0], theirs[0][0], atol=1e-6)


def test_keep_aspect_ratio_crops_like_legacy(legacy, tmp_path):
    from tests.conftest import write_tree

    root = write_tree(tmp_path / "wide", {"a": ["w.png"]}, size=(30, 60))
    kwargs = dict(target_size=(30, 30), keep_aspect_ratio=True, shuffle=False,
                  interpolation="bicubic")
    ours = ImageDataGenerator().flow_from_directory(root, **kwargs)[0][0]
    theirs = legacy().flow_from_directory(str(root), **kwargs)[0][0]
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_flow_arrays_equal_legacy(legacy):
    rng = np.random.RandomState(0)
    x = rng.rand(10, 12, 12, 3).astype(np.float32) * 255
    y = np.arange(10) % 2
    weights = np.linspace(0.1, 1.0, 10)
    misc = rng.rand(10, 4)
    kwargs = dict(batch_size=4, shuffle=False, sample_weight=weights)
    ours = ImageDataGenerator(rescale=1 / 255, validation_split=0.4)
    theirs = legacy(rescale=1 / 255, validation_split=0.4)
    for subset in (None, "training", "validation"):
        a = ours.flow((x, misc), y, subset=subset, **kwargs) if subset != "validation" \
            else ours.flow(x, y, subset=subset, batch_size=4, shuffle=False)
        b = theirs.flow((x, misc), y, subset=subset, **kwargs) if subset != "validation" \
            else theirs.flow(x, y, subset=subset, batch_size=4, shuffle=False)
        assert len(a) == len(b)
        for index in range(len(b)):
            got, expected = a[index], b[index]
            flat_got = [np.asarray(v) for v in _flatten(got)]
            flat_expected = [np.asarray(v) for v in _flatten(expected)]
            assert len(flat_got) == len(flat_expected)
            if subset == "training":
                # Legacy bug, fixed here: it does not split sample_weight with the subset.
                positions = np.arange(index * 4, min(index * 4 + 4, len(a.x)))
                np.testing.assert_allclose(flat_got.pop(), weights[4:][positions])
                flat_expected.pop()
            for g, e in zip(flat_got, flat_expected):
                np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def test_flow_augmented_pixels_match_legacy_for_same_parameters(legacy):
    config = dict(rotation_range=25, zoom_range=0.2, horizontal_flip=True, fill_mode="reflect")
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    x = smooth_image(np.random.RandomState(2), 20, 20)[None].astype(np.float32)
    iterator = ours.flow(x, batch_size=1, shuffle=False)
    params = theirs.get_random_transform(x[0].shape, seed=4)
    out = ours.standardize(ours.apply_transform(iterator.x[0], params))
    _assert_pixels_close(out, theirs.apply_transform(x[0].copy(), params), 0.01)
