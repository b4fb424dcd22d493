"""The R exports: every snippet parses in a real R, and runs against R-keras shims.

``Rscript`` comes from Debian's ``r-base-core`` (``.ci/run`` installs it). Without it these
tests skip, saying so. The run tests also need ``r-cran-reticulate``: they source
``tests/r/keras_shims.R``, stand-ins with the real R functions' signatures that forward to
the Python Keras in this interpreter, because neither R ``keras`` nor ``keras3`` can be
installed here. Over the same configurations, the Python dialects must compile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from augwidgets import generator_code


def _preprocess(image):
    return image


CONFIGS = {
    "defaults": {},
    "course": {"rescale": 1 / 255, "rotation_range": 40, "width_shift_range": 0.2,
               "height_shift_range": 0.2, "shear_range": 0.2, "zoom_range": 0.2,
               "horizontal_flip": True, "fill_mode": "nearest"},
    "everything": {"rotation_range": 20, "width_shift_range": 0.1, "height_shift_range": 0.15,
                   "shear_range": 10.5, "zoom_range": 0.2, "channel_shift_range": 20.0,
                   "brightness_range": [0.8, 1.2], "fill_mode": "constant", "cval": 10.0,
                   "horizontal_flip": True, "vertical_flip": True, "rescale": 1 / 255,
                   "samplewise_center": True, "samplewise_std_normalization": True,
                   "featurewise_center": True, "featurewise_std_normalization": True},
    "pixel_shifts": {"width_shift_range": 12, "height_shift_range": [-8, 0, 8]},
    "float_pixel_shift": {"width_shift_range": 3.0, "height_shift_range": 1.0},
    "zoom_pair": {"zoom_range": [0.5, 1.0], "fill_mode": "reflect"},
    "zoom_out_far": {"zoom_range": [1.2, 3.5], "fill_mode": "wrap"},
    "nearest_order": {"interpolation_order": 0, "rotation_range": 90, "dtype": "float64"},
    "cubic_order": {"interpolation_order": 3, "shear_range": 45},
    "flips_only": {"vertical_flip": True},
    "rescale_only": {"rescale": 0.5},
    "zca": {"zca_whitening": True, "zca_epsilon": 1e-5},
    "validation_split": {"validation_split": 0.25, "rescale": 1 / 255},
    "preprocessing": {"preprocessing_function": _preprocess},
    "lambda": {"preprocessing_function": lambda image: image},
}
CALLS = {
    "plain": {},
    "seeded_sparse": {"seed": 7, "class_mode": "sparse", "batch_size": 8},
    "binary_odd_path": {"class_mode": "binary", "directory": 'C:\\data\\"quoted" données',
                        "target_size": (32, 48)},
    "no_labels": {"class_mode": None},
}
R_DIALECTS = ("r", "r-keras3")
RSCRIPT = shutil.which("Rscript")
needs_r = pytest.mark.skipif(RSCRIPT is None, reason="Rscript not found: install Debian's "
                             "r-base-core (.ci/run does) to check the R exports")
SHIMS = Path(__file__).parent / "keras_shims.R"


def _r_string(text: str) -> str:
    return json.dumps(str(text))


def _rscript(code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "RETICULATE_PYTHON": sys.executable, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([RSCRIPT, "--vanilla", "-e", code], capture_output=True, text=True,
                          timeout=timeout, env=env)


@needs_r
def test_every_r_snippet_parses_in_r(tmp_path):
    files = []
    for dialect in R_DIALECTS:
        for config_name, kwargs in CONFIGS.items():
            for call_name, call in CALLS.items():
                path = tmp_path / f"{dialect}-{config_name}-{call_name}.R"
                path.write_text(generator_code(kwargs, dialect, **call) + "\n", encoding="utf-8")
                files.append(path)
    check = ("for (f in commandArgs(TRUE)) tryCatch(invisible(parse(file = f, encoding = 'UTF-8')),"
             " error = function(e) cat('FAILED', f, conditionMessage(e), '\\n'))")
    result = subprocess.run([RSCRIPT, "--vanilla", "-e", check, *map(str, files)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "FAILED" not in result.stdout, result.stdout
    assert len(files) == len(R_DIALECTS) * len(CONFIGS) * len(CALLS)


@needs_r
def test_rscript_parse_check_catches_a_broken_snippet(tmp_path):
    # the parse test is only worth something if R really rejects broken code
    path = tmp_path / "broken.R"
    path.write_text(generator_code(CONFIGS["course"], "r-keras3").replace(" |>", " |> |>", 1))
    result = _rscript(f"invisible(parse(file = {_r_string(path)}))", timeout=60)
    assert result.returncode != 0 and "unexpected" in result.stderr


def _train_dir(root: Path) -> Path:
    for name in ("cat", "dog"):
        (root / "train" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (40, 30), (i * 60, 90, 200 - i * 50)).save(
                root / "train" / name / f"{i}.png")
    return root / "train"


def _has_reticulate() -> bool:
    if RSCRIPT is None:
        return False
    return _rscript("quit(status = !requireNamespace('reticulate', quietly = TRUE))",
                    timeout=60).returncode == 0


@needs_r
@pytest.mark.slow
def test_r_snippets_run_against_the_keras_signatures(tmp_path):
    if not _has_reticulate():
        pytest.skip("R package reticulate not found: install Debian's r-cran-reticulate")
    directory = _train_dir(tmp_path)
    runnable = {name: kwargs for name, kwargs in CONFIGS.items()
                if "preprocessing_function" not in kwargs}
    files = []
    for dialect in R_DIALECTS:
        for config_name, kwargs in runnable.items():
            code = generator_code(kwargs, dialect, directory=str(directory), target_size=(24, 24),
                                  batch_size=4, seed=1)
            # tfdatasets is not installable here; the shim runs the mapped function on a batch
            code = code.replace("tfdatasets::dataset_map(", "dataset_map_first_batch(")
            code = code.replace("library(keras3)", "").replace("library(keras)", "")
            if dialect == "r":
                code += "\nstopifnot(train_generator$samples == 6L)"
                code += "\nbatch <- reticulate::iter_next(train_generator)"
            else:
                code += "\nbatch <- if (is.list(train_ds)) train_ds else " \
                        "reticulate::iter_next(reticulate::as_iterator(train_ds))"
            code += ("\nimages <- batch[[1]]"
                     # reticulate 1.28 (Debian) can't convert NumPy 2 arrays: read .shape
                     "\nif (reticulate::py_has_attr(images, 'numpy')) images <- images$numpy()"
                     "\nshape <- unlist(images$shape)"
                     "\nif (!identical(shape, c(4L, 24L, 24L, 3L))) "
                     "stop('batch shape ', paste(shape, collapse = 'x'))")
            path = tmp_path / f"{dialect}-{config_name}.R"
            path.write_text(code + "\n")
            files.append(path)
    runner = (f"source({_r_string(SHIMS)}); "
              "for (f in commandArgs(TRUE)) tryCatch({ source(f, local = new.env()); "
              "cat('OK', basename(f), '\\n') }, "
              "error = function(e) cat('FAILED', basename(f), conditionMessage(e), '\\n'))")
    result = subprocess.run([RSCRIPT, "--vanilla", "-e", runner, *map(str, files)],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "RETICULATE_PYTHON": sys.executable,
                                 "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FAILED" not in result.stdout, result.stdout
    assert result.stdout.count("OK ") == len(files), result.stdout + result.stderr[-2000:]


def test_r_keras3_export_converts_units_like_the_python_keras3_dialect():
    code = generator_code(CONFIGS["everything"], "r-keras3", seed=3)
    assert code.startswith("library(keras3)\n")
    assert "augment <- keras_model_sequential() |>\n" in code
    assert "  layer_random_rotation(factor = 20/360, fill_mode = \"constant\", " \
           "fill_value = 10) |>  # rotation_range in degrees / 360: exact" in code
    assert "layer_random_zoom(height_factor = c(-0.2, 0.2), width_factor = c(-0.2, 0.2)" in code
    # swapped on purpose, as in the Python Keras 3 export
    assert "layer_random_translation(height_factor = 0.1, width_factor = 0.15" in code
    assert 'layer_random_flip(mode = "horizontal") |>  # exact' in code
    assert "layer_rescaling(scale = 1/255)  # exact\n" in code
    assert "layer_normalization(axis = -1)" in code and "keras.layers" not in code
    python = generator_code(CONFIGS["everything"], "keras3", seed=3)
    for python_line, r_line in [("RandomShear(x_factor=0.1822", "x_factor = 0.1822"),
                                ("RandomBrightness(factor=(-0.2, 0.2)", "factor = c(-0.2, 0.2)")]:
        assert python_line in python and r_line in code
    for layer in ("layer_random_shear", "layer_random_brightness", "layer_random_translation"):
        line = next(line for line in code.splitlines() if layer in line)
        assert "  # " in line, line
    assert ('train_ds <- image_dataset_from_directory(\n  "data/train",\n'
            '  image_size = c(224, 224),\n  batch_size = 32,\n  label_mode = "categorical",\n'
            '  interpolation = "nearest",  # the resize flow_images_from_directory uses by '
            'default\n  seed = 3\n)\n') in code
    assert code.endswith("dataset_map(function(x, y) list(augment(x, training = TRUE), y))")


def test_r_keras3_without_augmentation_writes_only_the_dataset():
    code = generator_code({}, "r-keras3")
    assert "augment" not in code and "dataset_map" not in code
    assert code.endswith('  interpolation = "nearest"  # the resize flow_images_from_directory '
                         "uses by default\n)")


def test_augwidgets_dialect_is_the_python_code_with_the_fast_import():
    kwargs = CONFIGS["course"]
    fast = generator_code(kwargs, "augwidgets", seed=2)
    legacy = generator_code(kwargs, "python", seed=2)
    assert fast.startswith("from augwidgets import ImageDataGenerator\n")
    assert fast.split("\n", 1)[1] == legacy.split("\n", 1)[1]
    assert fast == generator_code(kwargs, "python", seed=2, engine="augwidgets")


def test_a_lambda_is_exported_as_a_name_both_languages_accept():
    for dialect in ("python", "augwidgets", "r", "keras3", "r-keras3"):
        code = generator_code(CONFIGS["lambda"], dialect)
        assert "<lambda>" not in code and "preprocess" in code, dialect
    compile(generator_code(CONFIGS["lambda"], "python"), "<export>", "exec")


def test_class_mode_none_is_written_as_none_and_null():
    assert "class_mode=None," in generator_code({}, "python", class_mode=None)
    assert "class_mode = NULL" in generator_code({}, "r", class_mode=None)
    assert "label_mode=None," in generator_code({}, "keras3", class_mode=None)
    assert "label_mode = NULL," in generator_code({}, "r-keras3", class_mode=None)


@pytest.mark.parametrize("dialect", ["python", "augwidgets", "keras3"])
def test_every_python_snippet_compiles_over_the_same_configurations(dialect):
    for config_name, kwargs in CONFIGS.items():
        for call_name, call in CALLS.items():
            code = generator_code(kwargs, dialect, **call)
            compile(code, f"<{dialect}-{config_name}-{call_name}>", "exec")
