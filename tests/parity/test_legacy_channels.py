"""Arrays of every channel count, against the real legacy generator.

Legacy accepts arrays with 1, 3 or 4 channels, and any other count as long as no colour step
needs RGB (``brightness_range`` goes through PIL). Each method is checked for each count, in
both data formats, in float32 and float64: ``flow``, ``fit`` (featurewise centre and std,
ZCA), ``standardize``, ``apply_transform`` and ``random_transform``.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from augwidgets.engine.iterators.base import batch_seed

# Legacy's warnings for 2 and 5 channels are checked once, in the last test.
pytestmark = [pytest.mark.filterwarnings("ignore:NumpyArrayIterator is set to use"),
              pytest.mark.filterwarnings("ignore:Expected input to be images")]

CHANNELS = (1, 2, 3, 4, 5)
FORMATS = ("channels_last", "channels_first")
DTYPES = ("float32", "float64")
CASES = list(itertools.product(CHANNELS, FORMATS, DTYPES))
GEOMETRY = dict(rotation_range=30, width_shift_range=0.2, height_shift_range=0.1,
                shear_range=15, zoom_range=0.2, horizontal_flip=True, vertical_flip=True,
                channel_shift_range=30.0, fill_mode="reflect")
STATISTICS = [
    dict(featurewise_center=True),
    dict(featurewise_center=True, featurewise_std_normalization=True),
    dict(zca_whitening=True),
    dict(rescale=1 / 255, samplewise_center=True, samplewise_std_normalization=True),
]


def _ids(case):
    channels, data_format, dtype = case
    return f"{channels}ch-{data_format.split('_')[1]}-{dtype}"


def _images(channels: int, data_format: str, dtype: str, count: int = 8,
            seed: int = 0) -> np.ndarray:
    """Smooth random images (channels-last 12x14, moved for channels_first)."""
    rng = np.random.RandomState(seed + channels)
    small = rng.rand(count, 4, 5, channels) * 255
    x = np.repeat(np.repeat(small, 3, axis=1), 3, axis=2)[:, :12, :14]
    x = x + rng.rand(*x.shape) * 8
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    return np.ascontiguousarray(x.astype(dtype))


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():  # legacy warns about 2 and 5 channels; so do we
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _close(got: np.ndarray, expected: np.ndarray, dtype: str, scale: float = 1.0) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    difference = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    # OpenCV's bilinear warp rounds its weights to 1/32 (scipy's are exact): a small mean
    # error, and a tail bounded by a fraction of the local contrast.
    assert difference.mean() < 0.05 * scale, difference.mean()
    assert np.percentile(difference, 99) < 2.0 * scale, np.percentile(difference, 99)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_apply_and_random_transform_match_legacy(legacy, case):
    channels, data_format, dtype = case
    config = dict(GEOMETRY, data_format=data_format, dtype=dtype)
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    for seed, image in enumerate(_images(channels, data_format, dtype, count=4)):
        params = theirs.get_random_transform(image.shape, seed=seed)
        _close(ours.apply_transform(image.copy(), params),
               theirs.apply_transform(image.copy(), params), dtype)
        _close(ours.random_transform(image.copy(), seed=seed),
               theirs.random_transform(image.copy(), seed=seed), dtype)


@pytest.mark.parametrize("channels", (1, 3, 4))
@pytest.mark.parametrize("dtype", DTYPES)
def test_brightness_matches_legacy_where_legacy_takes_the_channel_count(legacy, channels, dtype):
    config = dict(brightness_range=(0.4, 1.6), dtype=dtype)
    ours, theirs = ImageDataGenerator(**config), legacy(**config)
    for seed, image in enumerate(_images(channels, "channels_last", dtype, count=4)):
        got = ours.random_transform(image.copy(), seed=seed)
        expected = theirs.random_transform(image.copy(), seed=seed)
        # Legacy hands back PIL's float32 unless the image needed rescaling to 8 bits; the
        # input's dtype is kept here.
        assert got.dtype == image.dtype
        _close(got, expected.astype(image.dtype), dtype)


@pytest.mark.parametrize("channels", (2, 5))
def test_brightness_on_other_channel_counts_is_per_channel(legacy, channels):
    """Legacy raises (PIL has no 2- or 5-channel mode); here each channel is brightened as
    an "L" image, the arithmetic PIL applies to every channel of an RGB image."""
    image = np.clip(_images(channels, "channels_last", "float32", count=1)[0], 0, 255)
    with pytest.raises(ValueError, match="Unsupported channel number"):
        legacy(brightness_range=(0.5, 0.5)).random_transform(image.copy(), seed=0)
    got = ImageDataGenerator(brightness_range=(0.5, 0.5)).random_transform(image.copy(), seed=0)
    rgb = ImageDataGenerator(brightness_range=(0.5, 0.5)).random_transform(
        np.ascontiguousarray(image[..., [0, 1, 1]]), seed=0)
    np.testing.assert_array_equal(got[..., :2], rgb[..., :2])
    assert np.abs(got - image * 0.5).max() <= 1.0  # truncated to 8 bits, as legacy


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("config", STATISTICS, ids=lambda c: ",".join(c))
def test_fit_and_standardize_match_legacy(legacy, case, config):
    channels, data_format, dtype = case
    kwargs = dict(config, data_format=data_format, dtype=dtype)
    ours, theirs = _quiet(ImageDataGenerator, **kwargs), _quiet(legacy, **kwargs)
    x = _images(channels, data_format, dtype)
    _quiet(ours.fit, x)
    _quiet(theirs.fit, x)
    for name in ("mean", "std", "zca_whitening_matrix"):
        expected, got = getattr(theirs, name), getattr(ours, name)
        if expected is None:
            assert got is None, name
        else:
            assert got.shape == expected.shape, name
            np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4, err_msg=name)
    np.testing.assert_allclose(ours.standardize(x[:3].copy()), theirs.standardize(x[:3].copy()),
                               rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_flow_batches_equal_legacy_after_fit(legacy, case):
    channels, data_format, dtype = case
    kwargs = dict(featurewise_center=True, featurewise_std_normalization=True, rescale=0.5,
                  data_format=data_format, dtype=dtype)
    ours, theirs = ImageDataGenerator(**kwargs), legacy(**kwargs)
    x = _images(channels, data_format, dtype)
    y = np.arange(len(x))
    _quiet(ours.fit, x)
    _quiet(theirs.fit, x)
    a = ours.flow(x, y, batch_size=3, shuffle=False)
    b = _quiet(theirs.flow, x, y, batch_size=3, shuffle=False)
    assert len(a) == len(b)
    for index in range(len(b)):
        (got_x, got_y), (expected_x, expected_y) = a[index], b[index]
        assert got_x.dtype == expected_x.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got_x, expected_x, rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(got_y, expected_y)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_augmented_flow_equals_legacy_for_the_batch_draw(legacy, case):
    """Each slot of an augmented batch is legacy's ``apply_transform`` + ``standardize`` of
    its image under the parameters the batch drew."""
    channels, data_format, dtype = case
    kwargs = dict(GEOMETRY, rescale=1 / 255, data_format=data_format, dtype=dtype)
    ours, theirs = ImageDataGenerator(**kwargs), legacy(**kwargs)
    x = _images(channels, data_format, dtype, count=5)
    batch = ours.flow(x, batch_size=5, shuffle=False, seed=9)[0]
    rng = np.random.RandomState(batch_seed(9, 0, 0))  # batch 0 of epoch 0, first read
    for slot in range(5):
        params = ours.sample_transform(x.shape[1:], rng)
        expected = theirs.standardize(theirs.apply_transform(x[slot].copy(), params))
        _close(batch[slot], expected, dtype, scale=1 / 255)


@pytest.mark.parametrize("channels", CHANNELS)
def test_save_to_dir_takes_what_it_can_write(tmp_path, channels):
    x = _images(channels, "channels_last", "float32", count=2)
    if channels in (1, 3, 4):
        ImageDataGenerator().flow(x, batch_size=2, save_to_dir=tmp_path)[0]
        assert len(list(tmp_path.iterdir())) == 2
    else:  # legacy's array_to_img raises for these too
        with pytest.raises(ValueError, match="Unsupported channel number"):
            ImageDataGenerator().flow(x, batch_size=2, save_to_dir=tmp_path)[0]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("channels", CHANNELS)
def test_unusual_channel_counts_warn_like_legacy(legacy, data_format, channels):
    """Legacy warns (and carries on) for counts other than 1, 3 and 4: often an array in
    the other data format. The same words here, and nothing for the usual counts."""
    x = _images(channels, data_format, "float32")

    def messages(generator_class):
        generator = generator_class(featurewise_center=True, data_format=data_format)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            generator.fit(x)
            generator.flow(x, batch_size=4)
        return [str(w.message) for w in caught if "channels" in str(w.message)]

    assert messages(ImageDataGenerator) == messages(legacy)
    assert bool(messages(ImageDataGenerator)) == (channels not in (1, 3, 4))


@pytest.mark.parametrize("color_mode", ["grayscale", "rgb", "rgba"])
def test_directory_batches_standardize_channels_first_like_legacy(legacy, square_tree, color_mode):
    """Files, too: the fitted statistics of a channels-first generator apply on the channel
    axis (they have shape (channels, 1, 1))."""
    channels = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]
    kwargs = dict(featurewise_center=True, featurewise_std_normalization=True,
                  data_format="channels_first")
    ours, theirs = ImageDataGenerator(**kwargs), legacy(**kwargs)
    sample = _images(channels, "channels_first", "float32")
    ours.fit(sample)
    theirs.fit(sample)
    options = dict(target_size=(32, 32), color_mode=color_mode, batch_size=6, shuffle=False)
    got = ours.flow_from_directory(str(square_tree), **options)[0]
    expected = theirs.flow_from_directory(str(square_tree), **options)[0]
    assert got[0].shape == expected[0].shape == (6, channels, 32, 32)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(got[1], expected[1])
