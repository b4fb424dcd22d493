"""diagnose: each documented mistake is flagged, a sane configuration is not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from augwidgets import Finding, diagnose

SANE = {"rescale": 1 / 255, "rotation_range": 20, "width_shift_range": 0.1,
        "height_shift_range": 0.1, "zoom_range": 0.1, "horizontal_flip": True}


def _tree(root, classes, per_class):
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            Image.new("RGB", (8, 8), (i * 20, 0, 0)).save(root / name / f"{i}.png")
    return root


def _by(findings, parameter):
    return [f for f in findings if f.parameter == parameter]


def _loud(findings):
    return [f for f in findings if f.severity in ("warning", "error")]


def test_sane_configuration_has_no_warnings_or_errors(tmp_path):
    directory = _tree(tmp_path / "train", ["cat", "dog"], 5)
    findings = diagnose(SANE, directory=directory, batch_size=4, steps_per_epoch=3,
                        input_range=(0, 1))
    assert _loud(findings) == []
    assert all(isinstance(f, Finding) and f.severity in ("info", "warning", "error")
               for f in findings)


def test_tiny_shear_is_a_warning_with_the_fix():
    (finding,) = _by(diagnose({"shear_range": 0.2, "rescale": 1 / 255}), "shear_range")
    assert finding.severity == "warning"
    assert "degree" in finding.message.lower() and "11.5" in finding.message
    assert _by(diagnose({"shear_range": 10, "rescale": 1 / 255}), "shear_range") == []


def test_zoom_explains_that_above_one_zooms_out():
    (info,) = _by(diagnose({"zoom_range": 0.2, "rescale": 1 / 255}), "zoom_range")
    assert info.severity == "info" and "zooms OUT" in info.message
    (only_out,) = _by(diagnose({"zoom_range": [1.0, 1.5], "rescale": 1 / 255}), "zoom_range")
    assert only_out.severity == "warning" and "zoom_range=[0.6667, 1.0]" in only_out.message
    (bad,) = diagnose({"zoom_range": 1.5})
    assert bad.severity == "error" and bad.parameter == "zoom_range" and "pair" in bad.message


@pytest.mark.parametrize("kwargs, parameter", [
    ({"width_shift_range": 0.45, "height_shift_range": 0.45}, "width_shift_range"),
    ({"height_shift_range": 0.6}, "height_shift_range"),
    ({"zoom_range": [0.4, 1.0]}, "zoom_range"),
    ({"width_shift_range": 0.3, "height_shift_range": 0.3, "zoom_range": 0.3}, None),
    ({"rotation_range": 120}, "rotation_range"),
])
def test_aggressive_geometry_that_cuts_the_object_out(kwargs, parameter):
    loud = _loud(diagnose({**kwargs, "rescale": 1 / 255}))
    assert loud, kwargs
    if parameter:
        assert parameter in [f.parameter for f in loud]
    assert any("frame" in f.message for f in loud)


def test_pixel_shifts_use_the_target_size():
    assert _loud(diagnose({"width_shift_range": 100, "rescale": 1 / 255},
                          target_size=(128, 128)))
    assert not _loud(diagnose({"width_shift_range": 10, "rescale": 1 / 255},
                              target_size=(128, 128)))


def test_flips_and_rotation_on_digits(tmp_path):
    digits = _tree(tmp_path / "digits", [str(d) for d in range(10)], 1)
    findings = diagnose({**SANE, "vertical_flip": True, "rotation_range": 45},
                        directory=digits)
    flagged = {f.parameter for f in _loud(findings)}
    assert {"horizontal_flip", "vertical_flip", "rotation_range"} <= flagged
    assert "mirrored" in _by(findings, "horizontal_flip")[0].message
    photos = _tree(tmp_path / "photos", ["cat", "dog"], 1)
    assert not _loud(diagnose(SANE, directory=photos))
    assert _by(_loud(diagnose(SANE, orientation_matters=True)), "horizontal_flip")


def test_steps_per_epoch_mismatch_names_the_class_folder_mistake(tmp_path):
    directory = _tree(tmp_path / "train", ["a", "b", "c"], 20)  # 60 images
    (error,) = _by(diagnose(SANE, directory=directory, batch_size=8, steps_per_epoch=3),
                   "steps_per_epoch")
    assert error.severity == "error"
    assert "class FOLDERS" in error.message and str(math.ceil(60 / 8)) in error.message
    (fewer,) = _by(diagnose(SANE, directory=directory, batch_size=8, steps_per_epoch=5),
                   "steps_per_epoch")
    assert fewer.severity == "warning" and "40 of 60" in fewer.message
    assert not _by(diagnose(SANE, directory=directory, batch_size=8, steps_per_epoch=8),
                   "steps_per_epoch")
    split = {**SANE, "validation_split": 0.25}  # 15 + 15 + 15 training images
    assert not _by(diagnose(split, directory=directory, batch_size=8, steps_per_epoch=6),
                   "steps_per_epoch")


def test_augmentation_on_a_validation_generator():
    (error,) = _loud(diagnose(SANE, role="validation"))
    assert error.severity == "error" and "validation" in error.message
    assert "rotation_range" in error.message
    assert _loud(diagnose({"rescale": 1 / 255}, role="validation")) == []


def test_missing_rescale_with_a_model_that_expects_unit_range():
    (warning,) = _by(diagnose({"rotation_range": 10}, input_range=(0, 1)), "rescale")
    assert warning.severity == "warning" and "rescale=1/255" in warning.message
    assert _by(diagnose({"rotation_range": 10}), "rescale")[0].severity == "info"
    assert not _by(diagnose({"rescale": 1 / 255}, input_range=(0, 1)), "rescale")
    (mismatch,) = _by(diagnose({"rescale": 1 / 255}, input_range=(-1, 1)), "rescale")
    assert mismatch.severity == "warning"
    (wrong,) = _by(diagnose({"rescale": 255}), "rescale")
    assert wrong.severity == "error" and "1/255" in wrong.message


def test_preprocessing_function_with_rescale_is_double_scaling():
    def preprocess_input(x):
        return x / 127.5 - 1

    (warning,) = _by(diagnose({"preprocessing_function": preprocess_input,
                               "rescale": 1 / 255}), "preprocessing_function")
    assert warning.severity == "warning" and "Double scaling" in warning.message
    assert "preprocess_input" in warning.message
    assert not _loud(diagnose({"preprocessing_function": preprocess_input}))


def test_invalid_arguments_become_error_findings():
    (unknown,) = diagnose({"rotation": 20})
    assert unknown.severity == "error" and unknown.parameter == "rotation"
    (bad,) = diagnose({"fill_mode": "mirror"})
    assert bad.parameter == "fill_mode" and "Received: fill_mode='mirror'" in bad.message


def test_bad_role_and_directory():
    with pytest.raises(ValueError, match="Received: role='test'"):
        diagnose(SANE, role="test")
    (missing,) = _by(diagnose(SANE, directory="/no/such/dir"), "directory")
    assert missing.severity == "error"


def test_findings_are_sorted_errors_first():
    findings = diagnose({"rescale": 255, "shear_range": 0.5, "zoom_range": 0.2})
    order = [f.severity for f in findings]
    assert order == sorted(order, key=["error", "warning", "info"].index)
    assert np.all([isinstance(str(f), str) for f in findings])


def test_large_photos_suggest_the_fast_resize_opt_in(tmp_path):
    from PIL import Image

    for name in ("cat", "dog"):
        (tmp_path / "big" / name).mkdir(parents=True)
        (tmp_path / "small" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (1200, 900), (i * 40, 90, 30)).save(
                tmp_path / "big" / name / f"{i}.jpg")
            Image.new("RGB", (80, 60), (i * 40, 90, 30)).save(
                tmp_path / "small" / name / f"{i}.jpg")
    findings = diagnose({"rescale": 1 / 255}, directory=tmp_path / "big", target_size=(64, 64))
    resize = [f for f in findings if f.parameter == "resize"]
    assert len(resize) == 1 and "resize='fast'" in resize[0].message
    assert "1200x900" in resize[0].message
    assert not [f for f in diagnose({"rescale": 1 / 255}, directory=tmp_path / "small",
                                    target_size=(64, 64)) if f.parameter == "resize"]
