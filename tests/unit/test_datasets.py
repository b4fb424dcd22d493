"""Offline sample datasets: layout, split, determinism, safety, and that Keras can read them."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augwidgets import datasets


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def counts(root: Path, split: str) -> dict[str, int]:
    return {d.name: len(list(d.glob("*.png"))) for d in sorted((root / split).iterdir())}


@pytest.fixture(scope="module")
def digits_root(tmp_path_factory) -> Path:
    return datasets.digits(tmp_path_factory.mktemp("d") / "digits", image_size=16)


def test_digits_layout_counts_and_stratified_split(digits_root):
    train, validation = counts(digits_root, "train"), counts(digits_root, "validation")
    assert list(train) == [str(d) for d in range(10)] == list(validation)
    assert sum(train.values()) + sum(validation.values()) == 1797
    for digit in train:
        total = train[digit] + validation[digit]
        assert validation[digit] == int(np.floor(total * 0.2 + 0.5))  # per class, not overall
    names = [p.name for p in digits_root.rglob("*.png")]
    assert len(set(names)) == 1797  # each sklearn index written exactly once
    with Image.open(next((digits_root / "train" / "0").glob("*.png"))) as image:
        assert image.size == (16, 16) and image.mode == "L"


def test_digit_images_are_the_real_scans(digits_root):
    from scipy import stats

    per_image, means = {}, {}
    for digit in range(10):
        files = sorted((digits_root / "train" / str(digit)).glob("*.png"))
        stack = np.stack([np.asarray(Image.open(f), dtype=np.float32) for f in files])
        per_image[digit], means[digit] = stack.mean(axis=(1, 2)), stack.mean(axis=0)
    # Mean intensity depends on the class (an "8" carries more ink than a "7") ...
    assert stats.f_oneway(*per_image.values()).pvalue < 1e-6
    assert per_image[8].mean() > per_image[7].mean() + 3
    # ... and so does the picture: the centre of a "0" is its hole, a "1" is inked there.
    assert means[0][6:10, 6:10].mean() < 60 < 150 < means[1][6:10, 6:10].mean()
    assert np.abs(means[0] - means[1]).mean() > 30


def test_digits_are_deterministic_and_seeded(tmp_path, digits_root):
    again = datasets.digits(tmp_path / "again", image_size=16)
    assert tree_hash(again) == tree_hash(digits_root)
    other = datasets.digits(tmp_path / "other", image_size=16, seed=1)
    assert counts(other, "validation") == counts(digits_root, "validation")
    assert tree_hash(other) != tree_hash(digits_root)  # different files in validation


def test_digits_without_validation(tmp_path):
    root = datasets.digits(tmp_path / "all", image_size=8, validation_fraction=0)
    assert not (root / "validation").exists()
    assert sum(counts(root, "train").values()) == 1797


def test_refuses_a_foreign_directory_and_leaves_it_alone(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    for call in (lambda: datasets.digits(foreign), lambda: datasets.shapes(foreign)):
        with pytest.raises(ValueError, match="Received: directory=.*mine"):
            call()
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    assert (foreign / "notes.txt").read_text() == "precious"
    a_file = tmp_path / "file.png"
    a_file.write_bytes(b"x")
    with pytest.raises(ValueError, match="file.png"):
        datasets.digits(a_file)


def test_recall_is_idempotent_and_other_arguments_are_refused(tmp_path):
    root = datasets.shapes(tmp_path / "s", num_per_class=4, image_size=16)
    sample = next(root.rglob("*.png"))
    before = sample.stat().st_mtime_ns
    os.utime(sample, ns=(1, 1))  # a rewrite would change the time stamp
    assert datasets.shapes(tmp_path / "s", num_per_class=4, image_size=16) == root
    assert sample.stat().st_mtime_ns == 1
    os.utime(sample, ns=(before, before))
    with pytest.raises(ValueError, match="other arguments"):
        datasets.shapes(tmp_path / "s", num_per_class=5, image_size=16)
    with pytest.raises(ValueError, match="other arguments"):
        datasets.digits(tmp_path / "s")
    assert len(list(root.rglob("*.png"))) == 12
    # A file lost from our own dataset is written again; user files next to it survive.
    (root / "train" / "circle" / "extra.txt").write_text("mine")
    sample.unlink()
    datasets.shapes(tmp_path / "s", num_per_class=4, image_size=16)
    assert sample.is_file() and (root / "train" / "circle" / "extra.txt").is_file()
    marker = json.loads((root / datasets.MARKER).read_text())
    assert marker["parameters"]["num_per_class"] == 4


def test_shapes_layout_and_determinism(tmp_path):
    root = datasets.shapes(tmp_path / "a", num_per_class=10, image_size=32, seed=3,
                           classes=("triangle", "circle", "star"))
    train, validation = counts(root, "train"), counts(root, "validation")
    assert train == {"circle": 8, "star": 8, "triangle": 8}
    assert validation == {"circle": 2, "star": 2, "triangle": 2}
    with Image.open(next(root.rglob("*.png"))) as image:
        assert image.size == (32, 32) and image.mode == "RGB"
    same = datasets.shapes(tmp_path / "b", num_per_class=10, image_size=32, seed=3,
                           classes=("triangle", "circle", "star"))
    assert tree_hash(same) == tree_hash(root)
    other = datasets.shapes(tmp_path / "c", num_per_class=10, image_size=32, seed=4,
                            classes=("triangle", "circle", "star"))
    assert tree_hash(other) != tree_hash(root)


def test_shapes_are_drawn(tmp_path):
    root = datasets.shapes(tmp_path / "s", num_per_class=30, image_size=32,
                           validation_fraction=0)
    fill = {}
    for kind in ("circle", "square", "triangle"):
        shares = []
        for path in sorted((root / "train" / kind).glob("*.png")):
            pixels = np.asarray(Image.open(path), dtype=np.int32).reshape(-1, 3)
            background = pixels[0]  # corners are background: shapes lie inside the image
            differs = np.abs(pixels - background).sum(axis=1) > 60
            shares.append(differs.mean())
        assert min(shares) > 0.03  # every image shows a shape
        fill[kind] = np.mean(shares)
    # Same radius distribution: a circle covers more of its disc than a triangle does.
    assert fill["circle"] > fill["square"] > fill["triangle"]


@pytest.mark.parametrize("call, name", [
    (lambda p: datasets.digits(p, image_size=4), "image_size"),
    (lambda p: datasets.digits(p, image_size=32.0), "image_size"),
    (lambda p: datasets.digits(p, validation_fraction=1), "validation_fraction"),
    (lambda p: datasets.digits(p, validation_fraction=-0.1), "validation_fraction"),
    (lambda p: datasets.digits(p, seed=-1), "seed"),
    (lambda p: datasets.shapes(p, num_per_class=0), "num_per_class"),
    (lambda p: datasets.shapes(p, image_size=1000), "image_size"),
    (lambda p: datasets.shapes(p, classes=("circle", "hexagon")), "classes"),
    (lambda p: datasets.shapes(p, classes="circle"), "classes"),
    (lambda p: datasets.digits(p, progress="yes"), "progress"),
])
def test_bad_arguments_raise_value_error_naming_them(tmp_path, call, name):
    with pytest.raises(ValueError, match=f"`{name}`.*Received: {name}="):
        call(tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_legacy_keras_reads_them(digits_root, tmp_path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits_root / "train", target_size=(16, 16), batch_size=8, seed=0)
    assert train.num_classes == 10 and train.samples == sum(counts(digits_root, "train").values())
    x, y = train[0]
    assert x.shape == (8, 16, 16, 3) and y.shape == (8, 10)
    shapes_root = datasets.shapes(tmp_path / "s", num_per_class=5, image_size=16)
    validation = ImageDataGenerator().flow_from_directory(shapes_root / "validation",
                                                          target_size=(16, 16))
    assert validation.class_indices == {"circle": 0, "square": 1, "triangle": 2}
    assert validation.samples == 3


def test_augwidgets_generator_reads_them(digits_root):
    from augwidgets.engine.generator import ImageDataGenerator

    iterator = ImageDataGenerator(rotation_range=10).flow_from_directory(
        digits_root / "validation", target_size=(16, 16), color_mode="grayscale",
        batch_size=16, shuffle=False)
    assert iterator.num_classes == 10 and not iterator.skipped
    assert iterator.samples == sum(counts(digits_root, "validation").values())
    x, _ = iterator[0]
    assert x.shape == (16, 16, 16, 1) and x.max() > 100


def test_progress_bar_while_writing_and_only_when_asked(tmp_path, capsys, monkeypatch):
    datasets.shapes(tmp_path / "quiet", num_per_class=4, image_size=16)  # None: small, no bar
    assert capsys.readouterr().err == ""
    datasets.shapes(tmp_path / "bar", num_per_class=4, image_size=16, progress=True)
    bar = capsys.readouterr().err  # tqdm's text bar outside a notebook
    assert "writing shapes" in bar and "12/12" in bar
    datasets.shapes(tmp_path / "off", num_per_class=4, image_size=16, progress=False)
    assert capsys.readouterr().err == ""
    from augwidgets.datasets import bundled

    monkeypatch.setattr(bundled, "PROGRESS_FROM_FILES", 10)  # None: a bar from 10 files
    datasets.shapes(tmp_path / "auto", num_per_class=4, image_size=16)
    assert "12/12" in capsys.readouterr().err
    datasets.shapes(tmp_path / "auto", num_per_class=4, image_size=16)  # already there
    assert capsys.readouterr().err == ""
