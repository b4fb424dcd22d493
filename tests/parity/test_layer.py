"""GeneratorAugmentation against the OpenCV/legacy path, its sampling, and Keras plumbing."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from augwidgets.engine.arguments import TransformConfig  # noqa: E402
from augwidgets.engine.sampling import sample_transform  # noqa: E402
from augwidgets.image.pipeline import ImageSettings, process_image  # noqa: E402
from augwidgets.layers import GeneratorAugmentation  # noqa: E402

ROWS, COLS = 24, 32  # not square: catches row/column mix-ups in the legacy centring
GEOMETRY = dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.15,
                shear_range=20, zoom_range=0.3, horizontal_flip=True, vertical_flip=True)


def smooth_image(offset: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """A float32 RGB image without sharp edges, values in about 0..255."""
    yy, xx = np.mgrid[0:ROWS, 0:COLS].astype(np.float32)
    image = np.stack([127 + 60 * np.sin(xx / 5 + 1) * np.cos(yy / 6),
                      100 + 50 * np.cos(xx / 7 + yy / 4),
                      30 + 4 * xx + 2 * yy], axis=-1)
    return (image * scale + offset).astype(np.float32)


def legacy_batch(kwargs: dict, image: np.ndarray, count: int, seed: int):
    """Legacy parameters (sample_transform), their OpenCV output, and the batched dict."""
    config = TransformConfig.from_kwargs(kwargs)
    rng = np.random.RandomState(seed)
    params = [sample_transform(config, image.shape, rng) for _ in range(count)]
    settings = ImageSettings(fill_mode=config.fill_mode, cval=config.cval,
                             order=config.interpolation_order)
    expected = np.stack([process_image(image, p, settings) for p in params])
    batched = {key: None if all(p[key] is None for p in params)
               else np.array([p[key] for p in params]) for key in params[0]}
    return params, expected, batched


def source_inside(layer: GeneratorAugmentation, batched: dict) -> np.ndarray:
    """Output pixels whose source point lies inside the image, shape (batch, rows, cols)."""
    m = np.asarray(layer.transformation_matrices(batched, ROWS, COLS))
    ys, xs = np.mgrid[0:ROWS, 0:COLS]
    src_x = m[:, 0, 0, None, None] * xs + m[:, 0, 1, None, None] * ys + m[:, 0, 2, None, None]
    src_y = m[:, 1, 0, None, None] * xs + m[:, 1, 1, None, None] * ys + m[:, 1, 2, None, None]
    return (src_x >= 0) & (src_x <= COLS - 1) & (src_y >= 0) & (src_y <= ROWS - 1)


def apply_layer(kwargs: dict, image: np.ndarray, batched: dict) -> np.ndarray:
    layer = GeneratorAugmentation(**kwargs)
    batch = np.repeat(image[None], len(next(v for v in batched.values() if v is not None)), 0)
    return np.asarray(layer.transform_images(batch, batched)), layer


@pytest.mark.parametrize("fill_mode", ["nearest", "reflect", "constant", "wrap"])
def test_geometry_matches_opencv_path_for_every_fill_mode(fill_mode):
    kwargs = {**GEOMETRY, "fill_mode": fill_mode, "cval": 77.0}
    image = smooth_image()
    _, expected, batched = legacy_batch(kwargs, image, 12, seed=3)
    out, layer = apply_layer(kwargs, image, batched)
    inside = source_inside(layer, batched)
    assert 0.3 < inside.mean() < 0.95  # the draws do move content across the border
    np.testing.assert_allclose(out[inside], expected[inside], atol=2e-3)
    if fill_mode == "wrap":
        # Documented difference: Keras wraps with period n, legacy scipy with n - 1.
        assert np.abs(out - expected)[~inside].max() > 1
    else:
        np.testing.assert_allclose(out, expected, atol=2e-3)
    if fill_mode == "constant":
        assert np.all(out[~inside] == 77.0)


@pytest.mark.parametrize("kwargs", [
    dict(rotation_range=90), dict(width_shift_range=0.3), dict(height_shift_range=5),
    dict(width_shift_range=[2, 7]), dict(shear_range=45), dict(zoom_range=(0.5, 1.5)),
    dict(horizontal_flip=True), dict(vertical_flip=True), dict(rotation_range=30,
                                                               interpolation_order=0),
], ids=lambda k: "-".join(map(str, k)))
def test_each_geometric_argument_matches(kwargs):
    image = smooth_image()
    _, expected, batched = legacy_batch({**kwargs, "fill_mode": "reflect"}, image, 8, seed=5)
    out, _ = apply_layer({**kwargs, "fill_mode": "reflect"}, image, batched)
    np.testing.assert_allclose(out, expected, atol=2e-3)
    assert not np.allclose(out, image[None], atol=1)  # the transform did something


@pytest.mark.parametrize("kwargs", [
    dict(brightness_range=(0.2, 1.8)), dict(channel_shift_range=80),
    dict(channel_shift_range=50, brightness_range=(0.5, 1.5)),
])
@pytest.mark.parametrize("offset, scale", [(0.0, 1.0), (-200.0, 3.0)],
                         ids=["0-255", "outside-0-255"])
def test_colour_matches_legacy_exactly(kwargs, offset, scale):
    image = smooth_image(offset, scale)
    _, expected, batched = legacy_batch(kwargs, image, 8, seed=7)
    out, _ = apply_layer(kwargs, image, batched)
    np.testing.assert_allclose(out, expected, atol=1e-3 * scale)
    assert not np.allclose(out, image[None], atol=1)


def test_geometry_and_colour_together():
    kwargs = {**GEOMETRY, "channel_shift_range": 40, "brightness_range": (0.6, 1.4),
              "fill_mode": "nearest"}
    image = smooth_image()
    _, expected, batched = legacy_batch(kwargs, image, 8, seed=11)
    out, _ = apply_layer(kwargs, image, batched)
    # Brightness truncates to integers, so a 1e-4 warp difference may flip one level.
    difference = np.abs(out - expected)
    assert difference.max() <= 2
    assert (difference > 1e-3).mean() < 0.01


def test_uint8_input_and_output_dtype():
    image = np.clip(smooth_image(), 0, 255).astype(np.uint8)
    layer = GeneratorAugmentation(rotation_range=20, seed=0)
    out = layer(image[None], training=True)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    unbatched = layer(image, training=True)
    assert tuple(unbatched.shape) == image.shape


def test_no_op_unless_training():
    images = np.random.default_rng(0).integers(0, 256, (4, ROWS, COLS, 3)).astype("uint8")
    layer = GeneratorAugmentation(**GEOMETRY, brightness_range=(0.5, 1.5), seed=0)
    for training in (None, False, 0):
        out = layer(images, training=training)
        np.testing.assert_array_equal(np.asarray(out), images.astype("float32"))
    assert layer.get_random_transformation(images, training=False) is None
    assert not np.allclose(np.asarray(layer(images, training=True)), images)


def test_seeds_make_runs_repeatable():
    images = np.repeat(smooth_image()[None], 6, 0)
    kwargs = {**GEOMETRY, "channel_shift_range": 20}
    first = GeneratorAugmentation(**kwargs, seed=42)(images, training=True)
    again = GeneratorAugmentation(**kwargs, seed=42)(images, training=True)
    other = GeneratorAugmentation(**kwargs, seed=43)(images, training=True)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    assert not np.allclose(np.asarray(first), np.asarray(other))
    # One layer keeps drawing new transforms, and an explicit seed repeats a draw.
    layer = GeneratorAugmentation(**kwargs, seed=42)
    assert not np.allclose(np.asarray(layer(images, training=True)),
                           np.asarray(layer(images, training=True)))
    t1 = layer.get_random_transformation(images, seed=7)
    t2 = layer.get_random_transformation(images, seed=7)
    np.testing.assert_array_equal(np.asarray(t1["theta"]), np.asarray(t2["theta"]))


DRAWS = 4000


def draw(kwargs: dict, rows: int = 20, cols: int = 40) -> dict:
    layer = GeneratorAugmentation(**kwargs, seed=0)
    t = layer.get_random_transformation(np.zeros((DRAWS, rows, cols, 1), "float32"))
    return {k: None if v is None else np.asarray(v) for k, v in t.items()}


def legacy_draws(kwargs: dict, key: str, rows: int = 20, cols: int = 40) -> np.ndarray:
    config = TransformConfig.from_kwargs(kwargs)
    rng = np.random.RandomState(0)
    return np.array([sample_transform(config, (rows, cols, 1), rng)[key]
                     for _ in range(DRAWS)], dtype=float)


def test_rotation_and_shear_are_uniform_in_degrees():
    t = draw(dict(rotation_range=25, shear_range=10))
    assert np.all(np.abs(t["theta"]) <= 25) and np.all(np.abs(t["shear"]) <= 10)
    assert stats.kstest(t["theta"], stats.uniform(-25, 50).cdf).pvalue > 1e-3
    assert stats.kstest(t["shear"], stats.uniform(-10, 20).cdf).pvalue > 1e-3
    legacy = legacy_draws(dict(rotation_range=25), "theta")
    assert stats.ks_2samp(t["theta"], legacy).pvalue > 1e-3


def test_shift_semantics_follow_the_legacy_generator():
    fraction = draw(dict(height_shift_range=0.25, width_shift_range=0.1))
    # tx is the row shift (height), ty the column shift (width); fractions of each side.
    assert np.abs(fraction["tx"]).max() <= 0.25 * 20 and np.abs(fraction["tx"]).max() > 4.5
    assert np.abs(fraction["ty"]).max() <= 0.1 * 40 and np.abs(fraction["ty"]).max() > 3.5
    integer = draw(dict(width_shift_range=4))
    values, counts = np.unique(integer["ty"], return_counts=True)
    assert values.tolist() == [-3, -2, -1, 0, 1, 2, 3]  # choice(range(4)) times a sign
    legacy = legacy_draws(dict(width_shift_range=4), "ty")
    assert np.unique(legacy).tolist() == values.tolist()
    assert counts[3] == pytest.approx(DRAWS / 4, rel=0.15)  # 0 from both signs
    listed = draw(dict(height_shift_range=[0.1, 0.5]))
    assert sorted(np.unique(listed["tx"]).round(4).tolist()) == [-10.0, -2.0, 2.0, 10.0]
    pixels = draw(dict(height_shift_range=3.0))  # a float from 1 is pixels, uniform
    assert np.abs(pixels["tx"]).max() <= 3 and len(np.unique(pixels["tx"])) > 100


def test_zoom_is_drawn_independently_per_axis_and_flips_are_fair():
    t = draw(dict(zoom_range=(0.7, 1.3), horizontal_flip=True))
    assert t["zx"].min() >= 0.7 and t["zx"].max() <= 1.3
    assert abs(np.corrcoef(t["zx"], t["zy"])[0, 1]) < 0.1
    assert np.mean(t["zx"] != t["zy"]) > 0.99
    assert stats.kstest(t["zy"], stats.uniform(0.7, 0.6).cdf).pvalue > 1e-3
    assert t["flip_horizontal"].mean() == pytest.approx(0.5, abs=0.05)
    assert not t["flip_vertical"].any()
    assert t["channel_shift_intensity"] is None and t["brightness"] is None
    colour = draw(dict(channel_shift_range=30, brightness_range=(0.5, 2.0)))
    assert np.abs(colour["channel_shift_intensity"]).max() <= 30
    assert colour["brightness"].min() >= 0.5 and colour["brightness"].max() <= 2.0


def test_trains_inside_a_sequential_model():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (16, 16, 16, 3)).astype("uint8")
    y = rng.integers(0, 2, 16)
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        GeneratorAugmentation(rotation_range=20, width_shift_range=0.1, zoom_range=0.2,
                              horizontal_flip=True, brightness_range=(0.8, 1.2),
                              fill_mode="constant", seed=0),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, activation="softmax"),
    ])
    # jit_compile=True is what "auto" resolves to on a GPU. TensorFlow's XLA cannot compile
    # the warp, so the layer turns it off there; JAX compiles it fine.
    if keras.backend.backend() == "tensorflow":
        with pytest.warns(UserWarning, match="jit_compile"):
            model.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
        assert model.jit_compile is False
    else:
        model.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(x[:2], verbose=0).shape == (2, 2)


def test_get_config_round_trips():
    layer = GeneratorAugmentation(rotation_range=15, width_shift_range=[1, 3],
                                  height_shift_range=2, zoom_range=(0.9, 1.2),
                                  brightness_range=(0.5, 1.5), fill_mode="wrap", cval=3.0,
                                  seed=9, name="aug")
    config = layer.get_config()
    clone = GeneratorAugmentation.from_config(config)
    assert clone.get_config() == config
    assert clone.transform_config == layer.transform_config
    assert isinstance(config["height_shift_range"], int)  # int shift keeps pixel semantics
    images = np.repeat(smooth_image()[None], 3, 0)
    np.testing.assert_array_equal(np.asarray(layer(images, training=True)),
                                  np.asarray(clone(images, training=True)))


@pytest.mark.parametrize("kwargs, name", [
    (dict(rotation_range=-5), "rotation_range"),
    (dict(fill_mode="mirror"), "fill_mode"),
    (dict(zoom_range=(1.2, 0.8)), "zoom_range"),
    (dict(brightness_range=1.5), "brightness_range"),
    (dict(interpolation_order=3), "interpolation_order"),
    (dict(rescale=1 / 255), "rescale"),
    (dict(featurewise_center=True), "featurewise_center"),
    (dict(preprocessing_function=np.fliplr), "preprocessing_function"),
    (dict(data_format="channels_middle"), "data_format"),
    (dict(seed="abc"), "seed"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`.*Received: {name}="):
        GeneratorAugmentation(**kwargs)


def test_rescale_message_points_to_rescaling_layer():
    with pytest.raises(ValueError, match="Rescaling"):
        GeneratorAugmentation(rescale=1 / 255)
    # The generator's defaults are accepted, so a generator's kwargs can be passed through.
    GeneratorAugmentation(rescale=None, featurewise_center=False, validation_split=0.0)


def test_channels_first_matches_channels_last():
    image = smooth_image()
    _, expected, batched = legacy_batch({**GEOMETRY, "fill_mode": "constant"}, image, 4, 2)
    layer = GeneratorAugmentation(**GEOMETRY, fill_mode="constant", data_format="channels_first")
    batch = np.repeat(np.transpose(image, (2, 0, 1))[None], 4, 0)
    out = np.transpose(np.asarray(layer.transform_images(batch, batched)), (0, 2, 3, 1))
    np.testing.assert_allclose(out, expected, atol=2e-3)
