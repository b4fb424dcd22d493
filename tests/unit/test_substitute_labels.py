"""A file that breaks after the scan is replaced by another good sample *with that sample's
own label and weight*: never a white image labelled "black"."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator


def _black_and_white_tree(root):
    for name, value in (("a", 0), ("b", 255)):
        (root / name).mkdir(parents=True)
        for i in range(4):
            Image.new("RGB", (8, 8), (value,) * 3).save(root / name / f"{i}.png")
    return root


def _label_of_pixels(x: np.ndarray) -> np.ndarray:
    """Class index implied by the pixels: a is black (0), b is white (1)."""
    return (x.reshape(len(x), -1).mean(axis=1) > 0.5).astype(int)


@pytest.mark.parametrize("class_mode", ["sparse", "binary", "categorical"])
@pytest.mark.parametrize("victim", ["a/3.png", "a/0.png", "b/3.png"])
def test_substitute_keeps_its_own_label(tmp_path, class_mode, victim):
    root = _black_and_white_tree(tmp_path / "bw")
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        root, target_size=(8, 8), batch_size=8, shuffle=False, class_mode=class_mode)
    (root / victim).write_bytes(b"garbage, not a PNG any more")
    with pytest.warns(UserWarning, match=os.path.basename(victim)):
        x, y = iterator[0]
    labels = np.argmax(y, axis=1) if class_mode == "categorical" else y.astype(int)
    np.testing.assert_array_equal(labels, _label_of_pixels(x))
    assert [name for name, _ in iterator.skipped] == [victim.replace("/", os.sep)]


def test_substitute_keeps_its_label_when_shuffled_and_augmented(tmp_path):
    root = _black_and_white_tree(tmp_path / "bw")
    iterator = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True).flow_from_directory(
        root, target_size=(8, 8), batch_size=3, seed=3, class_mode="sparse")
    for victim in ("a/1.png", "a/2.png", "b/0.png"):
        (root / victim).write_bytes(b"")
    with pytest.warns(UserWarning):
        for _epoch in range(3):
            for index in range(len(iterator)):
                x, y = iterator[index]
                np.testing.assert_array_equal(y.astype(int), _label_of_pixels(x))
            iterator.on_epoch_end()
    assert len(iterator.skipped) == 3


def test_input_mode_target_is_the_substitute_image(tmp_path):
    root = _black_and_white_tree(tmp_path / "bw")
    iterator = ImageDataGenerator().flow_from_directory(
        root, target_size=(8, 8), batch_size=8, shuffle=False, class_mode="input")
    (root / "a" / "3.png").write_bytes(b"garbage")
    with pytest.warns(UserWarning):
        x, y = iterator[0]
    np.testing.assert_array_equal(x, y)
