"""generator_code: the exported code runs and rebuilds the same configuration."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from PIL import Image

from augwidgets import generator_code
from augwidgets.engine.arguments import validate_generator_kwargs

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FULL = {"rotation_range": 20, "width_shift_range": 0.1, "height_shift_range": 0.15,
        "shear_range": 10.5, "zoom_range": 0.2, "channel_shift_range": 20.0,
        "brightness_range": [0.8, 1.2], "fill_mode": "constant", "cval": 10.0,
        "horizontal_flip": True, "vertical_flip": True, "rescale": 1 / 255,
        "samplewise_center": True}


@pytest.fixture()
def train_dir(tmp_path):
    for name in ("cat", "dog"):
        (tmp_path / "train" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (20, 16), (i * 40, 90, 0)).save(tmp_path / "train" / name / f"{i}.png")
    return tmp_path / "train"


@pytest.mark.parametrize("kwargs", [FULL, {}, {"zoom_range": [0.5, 1.0], "width_shift_range": 12},
                                    {"height_shift_range": [-8, 0, 8], "interpolation_order": 0}])
def test_python_export_builds_a_generator_with_equal_kwargs(kwargs, train_dir):
    code = generator_code(kwargs, "python", directory=str(train_dir), target_size=(32, 32),
                          batch_size=4, engine="augwidgets")
    namespace: dict = {}
    exec(compile(code, "<export>", "exec"), namespace)
    generator = namespace["datagen"]
    assert generator.generator_kwargs == validate_generator_kwargs(kwargs)
    flow = namespace["train_generator"]
    assert flow.samples == 6 and flow.target_size == (32, 32) and flow.batch_size == 4


def test_python_export_runs_on_the_legacy_keras_generator(train_dir):
    code = generator_code(FULL, "python", directory=str(train_dir), target_size=(32, 32))
    assert code.startswith("from tensorflow.keras.preprocessing.image import ImageDataGenerator")
    namespace: dict = {}
    exec(compile(code, "<export>", "exec"), namespace)
    legacy = namespace["datagen"]
    assert legacy.rotation_range == 20 and legacy.shear_range == 10.5
    assert legacy.rescale == 1 / 255 and list(legacy.zoom_range) == [0.8, 1.2]
    assert legacy.fill_mode == "constant" and legacy.cval == 10.0
    assert namespace["train_generator"].samples == 6


def test_python_export_writes_short_literals():
    code = generator_code({"rescale": 1 / 255, "rotation_range": 20.0, "zoom_range": 0.2,
                           "width_shift_range": 1.0})
    assert "rescale=1/255," in code and "rotation_range=20," in code
    assert "zoom_range=0.2," in code
    assert "width_shift_range=1.0," in code  # a float shift of 1.0 differs from the int 1


def test_keras3_export_converts_units_and_comments_inexact_lines(train_dir):
    code = generator_code(FULL, "keras3", directory=str(train_dir), target_size=(32, 32))
    assert "keras.layers.Pipeline([" in code
    assert "RandomRotation(factor=20/360" in code
    assert 'RandomZoom(height_factor=(-0.2, 0.2), width_factor=(-0.2, 0.2), fill_mode="constant"' in code
    assert f"x_factor={round(math.sin(math.radians(10.5)), 4)}" in code
    # swapped on purpose: legacy height_shift_range moves images sideways
    assert "RandomTranslation(height_factor=0.1, width_factor=0.15" in code
    assert "keras.layers.Rescaling(1/255)" in code
    for layer in ("RandomShear", "RandomBrightness(factor=(-0.2, 0.2)", "RandomTranslation"):
        line = next(line for line in code.splitlines() if layer in line)
        assert "  # " in line, line
    assert "samplewise_center=True: no Keras 3 layer" in code


def test_keras3_zoom_sign_matches_the_legacy_generator():
    code = generator_code({"zoom_range": [1.2, 1.5]}, "keras3")
    # legacy factors above 1 zoom out; Keras 3 zooms out for positive factors
    assert "RandomZoom(height_factor=(0.2, 0.5), width_factor=(0.2, 0.5)" in code


def test_keras3_export_executes_and_builds_a_working_pipeline(train_dir):
    code = generator_code(FULL, "keras3", directory=str(train_dir), target_size=(32, 32),
                          batch_size=2)
    namespace: dict = {}
    exec(compile(code, "<export>", "exec"), namespace)
    batch = np.random.RandomState(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    out = np.asarray(namespace["augment"](batch, training=True))
    assert out.shape == (2, 32, 32, 3)
    assert 0 <= out.min() and out.max() <= 1.0 + 1e-6  # Rescaling(1/255) ran last
    assert not np.allclose(out, batch / 255)
    images, labels = next(iter(namespace["train_ds"]))
    assert tuple(images.shape) == (2, 32, 32, 3) and tuple(labels.shape) == (2, 2)


def test_r_export():
    code = generator_code({**FULL, "interpolation_order": 0}, "r", directory="data/train",
                          batch_size=16, seed=3)
    assert code.startswith("library(keras)")
    assert "datagen <- image_data_generator(" in code
    assert "  rotation_range = 20,\n" in code and "  horizontal_flip = TRUE,\n" in code
    assert "  brightness_range = c(0.8, 1.2),\n" in code and "  rescale = 1/255\n" in code
    assert 'fill_mode = "constant"' in code
    assert "# interpolation_order=0 has no R argument" in code
    assert ('flow_images_from_directory(\n  "data/train",\n  generator = datagen,\n'
            "  target_size = c(224, 224),\n  batch_size = 16,\n") in code
    assert "seed = 3" in code
    assert generator_code({}, "r").count("image_data_generator()") == 1


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="Received: dialect='julia'"):
        generator_code({}, "julia")
    with pytest.raises(ValueError, match="Received: engine='torch'"):
        generator_code({}, engine="torch")
    with pytest.raises(ValueError, match="rotation_range"):
        generator_code({"rotation_range": -1})
