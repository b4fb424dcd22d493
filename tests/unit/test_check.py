"""The dataset doctor on a realistic messy tree: mixed sizes, formats and modes, a broken
file, a notebook's hidden folder, numeric class names, an empty class, and duplicates
planted across training and validation. Where a finding claims what the legacy generator
does, the legacy generator is asked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from augwidgets import check_dataset
from augwidgets.tools.duplicates import fingerprint, hamming, near_pairs


def picture(seed: int, size: tuple[int, int] = (96, 72)) -> Image.Image:
    """A photo-like picture: smooth random colour blobs, different for every seed."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("messy")
    train, val = root / "train", root / "validation"
    seed = 0
    for split, count in ((train, {"2": 12, "10": 12, "cat": 4}), (val, {"2": 3, "10": 3, "cat": 2})):
        for name, n in count.items():
            (split / name).mkdir(parents=True)
            for i in range(n):
                seed += 1
                size = (96, 72) if i % 3 else (400, 300)
                image = picture(seed, size)
                if name == "cat" and i == 0:
                    image.convert("L").save(split / name / f"{i}.png")
                elif name == "cat" and i == 1:
                    image.convert("RGBA").save(split / name / f"{i}.png")
                else:
                    image.save(split / name / f"{i}.jpg", quality=90)
    (train / "empty").mkdir()
    (train / ".ipynb_checkpoints").mkdir()
    (train / "2" / "broken.jpg").write_bytes((train / "2" / "1.jpg").read_bytes()[:300])
    (train / "2" / "notes.txt").write_text("not an image")
    shutil.copy(train / "10" / "4.jpg", val / "10" / "exact_copy.jpg")
    Image.open(train / "10" / "5.jpg").resize((48, 36)).save(val / "10" / "small_copy.jpg",
                                                            quality=60)
    ImageEnhance.Brightness(Image.open(train / "2" / "7.jpg")).enhance(1.1).save(
        val / "cat" / "mislabelled.jpg", quality=80)
    return train, val


@pytest.fixture(scope="module")
def report(messy):
    return check_dataset(*messy, target_size=(96, 96), progress=False)


def by_topic(report, topic: str, severity: str | None = None):
    return [f for f in report.findings if f.parameter == topic
            and (severity is None or f.severity == severity)]


def test_every_file_is_decoded_and_the_broken_one_is_an_error(messy, report):
    from keras.utils import load_img

    train, _ = messy
    with pytest.raises(OSError):  # the legacy loader fails on it, mid-epoch
        load_img(str(train / "2" / "broken.jpg"))
    errors = by_topic(report, "files", "error")
    assert len(errors) == 1 and errors[0].files == (str(train / "2" / "broken.jpg"),)
    assert "delete or replace" in errors[0].message
    assert report.splits[0].broken[0][0].endswith("broken.jpg")
    decoded = sum(p is not None for s in report.splits for p in s.fingerprints)
    assert decoded == sum(s.images for s in report.splits) - 1
    assert not report.ok


def test_hidden_folder_is_a_class_for_legacy_and_reported(messy, report):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    train, _ = messy
    legacy = Legacy().flow_from_directory(str(train), target_size=(8, 8))
    assert ".ipynb_checkpoints" in legacy.class_indices  # the claim the finding makes
    assert "empty" in legacy.class_indices  # an empty folder is a class too
    hidden = [f for f in by_topic(report, "classes") if ".ipynb_checkpoints" in f.message]
    assert hidden and hidden[0].severity == "warning"
    assert hidden[0].files == (str(train / ".ipynb_checkpoints"),)


def test_class_order_matches_legacy_and_surprise_is_explained(messy, report):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    train, _ = messy
    legacy = Legacy().flow_from_directory(str(train), target_size=(8, 8))
    real = [name for name in legacy.class_indices if not name.startswith(".")]
    assert list(report.splits[0].class_counts) == real  # '10' before '2', as legacy sorts
    order = [f for f in by_topic(report, "classes", "warning") if "character order" in f.message]
    assert order and "'10': 0" in order[0].message and "classes=" in order[0].message


def test_capitals_before_small_letters_is_a_surprise_too(tmp_path):
    from augwidgets.tools.check import _class_order

    class Split:  # the two attributes _class_order reads
        class_counts = {"Zebra": 3, "apple": 3, "mango": 3}
        role, directory = "training", str(tmp_path)

    finding = _class_order(Split())[0]
    assert "capital letters" in finding.message
    assert "classes=['apple', 'mango', 'Zebra']" in finding.message
    Split.class_counts = {"apple": 1, "mango": 1, "zebra": 1}
    assert _class_order(Split()) == []


def test_empty_class_mismatched_classes_and_stray_files(messy, report):
    messages = " ".join(f.message for f in report.errors)
    assert "'empty'" in messages and "hold no images" in messages
    assert "different class folders" in messages and "missing from validation: ['empty']" in messages
    stray = [f for f in by_topic(report, "files", "warning") if "never read" in f.message]
    assert stray and stray[0].files[0].endswith("notes.txt")


def test_balance_gives_class_weight(report):
    balance = by_topic(report, "class_balance")
    assert balance[0].severity == "warning" and "class_weight=" in balance[0].message
    # '10' and '2' have 12 images (one of the 13 in '2' is broken but still listed), 'cat' 4
    assert "only 4" in balance[0].message


def test_duplicates_across_splits_exact_near_and_mislabelled(messy, report):
    train, val = messy
    pairs = {(os.path.basename(p.a), os.path.basename(p.b), p.kind) for p in report.duplicates}
    assert ("4.jpg", "exact_copy.jpg", "exact") in pairs
    assert ("5.jpg", "small_copy.jpg", "near") in pairs
    assert ("7.jpg", "mislabelled.jpg", "near") in pairs
    exact = by_topic(report, "duplicates", "error")
    assert any("byte-identical" in f.message and str(val / "10" / "exact_copy.jpg") in f.files
               for f in exact)
    conflict = [f for f in by_topic(report, "duplicates") if "two different labels" in f.message]
    assert conflict and str(val / "cat" / "mislabelled.jpg") in conflict[0].files
    # no pair among the 60-odd distinct pictures
    assert len(report.duplicates) == 3


def test_sizes_modes_and_suggested_target(report):
    sizes = report.sizes
    assert sizes["modes"]["L"] == 2 and sizes["modes"]["RGBA"] == 2
    assert sizes["width"]["max"] == 400 and sizes["width"]["min"] == 48
    assert report.suggested_target_size is not None
    height, width = report.suggested_target_size
    assert width > height  # the pictures are landscape (4:3)
    assert any(f.parameter == "color_mode" and "alpha" in f.message for f in report.findings)
    assert any(f.parameter == "target_size" and "squashed" in f.message for f in report.findings)


def test_fast_resize_suggested_for_large_jpegs(tmp_path):
    for c in ("a", "b"):
        (tmp_path / c).mkdir()
        for i in range(3):
            picture(hash((c, i)) % 10_000, (1200, 900)).save(tmp_path / c / f"{i}.jpg")
    report = check_dataset(tmp_path, target_size=(64, 64), progress=False)
    assert report.ok
    fast = by_topic(report, "resize")
    assert fast and "resize='fast'" in fast[0].message


def test_clean_folder_has_no_errors_or_warnings(tmp_path):
    for k, c in enumerate(("cats", "dogs")):
        (tmp_path / c).mkdir()
        for i in range(5):
            picture(100 * k + i).save(tmp_path / c / f"{i}.jpg")
    report = check_dataset(tmp_path, progress=False)
    assert report.ok and not report.warnings, [str(f) for f in report.findings]
    assert json.loads(json.dumps(report.to_dict()))["ok"] is True


def test_bad_arguments_name_themselves(tmp_path):
    with pytest.raises(ValueError, match="near_distance"):
        check_dataset(tmp_path, near_distance=9)
    with pytest.raises(ValueError, match="target_size"):
        check_dataset(tmp_path, target_size=(0, 5))
    with pytest.raises(ValueError, match="directory"):
        check_dataset(tmp_path / "missing")


# ---------------------------------------------------------------- the perceptual hash
def test_phash_survives_reencoding_and_resizing_but_tells_pictures_apart(tmp_path):
    original = picture(7, (320, 240))
    original.save(tmp_path / "o.jpg", quality=95)
    original.resize((80, 60)).save(tmp_path / "small.jpg", quality=50)
    original.save(tmp_path / "o.png")
    reference = np.uint64(fingerprint(tmp_path / "o.jpg").phash)
    for name in ("small.jpg", "o.png"):
        assert hamming(reference, np.uint64(fingerprint(tmp_path / name).phash)) <= 6
    others = []
    for seed in range(40):
        picture(1000 + seed, (320, 240)).save(tmp_path / f"d{seed}.jpg")
        others.append(fingerprint(tmp_path / f"d{seed}.jpg").phash)
    assert hamming(reference, np.asarray(others, dtype=np.uint64)).min() > 6


def test_multi_index_search_equals_brute_force():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**63, 400, dtype=np.uint64)
    flips = np.uint64(1) << rng.integers(0, 64, (150, 7)).astype(np.uint64)
    near = base[:150].copy()
    for k in range(7):  # 0 to 7 random bit flips each
        mask = rng.random(150) < 0.5
        near[mask] ^= flips[mask, k]
    hashes = np.concatenate([base, near, base[:5]])  # and 5 identical copies
    for distance in (0, 3, 6, 7):
        found = {tuple(p) for p in near_pairs(hashes, max_distance=distance).tolist()}
        brute = {(i, j, int(hamming(hashes[i], hashes[j]))) for i in range(len(hashes))
                 for j in range(i + 1, len(hashes))
                 if hamming(hashes[i], hashes[j]) <= distance}
        assert found == brute
    across = near_pairs(base, near, max_distance=7)
    assert {(i, j) for i, j, _ in across.tolist()} >= {(i, i) for i in range(150)
                                                       if hamming(base[i], near[i]) <= 7}


# ---------------------------------------------------------------- command line
def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "augwidgets", *args], capture_output=True,
                          text=True, input=stdin, env=env, timeout=300)


def test_cli_check_json_and_exit_status(messy, tmp_path):
    train, val = messy
    result = _run("check", str(train), "--validation", str(val), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {f["severity"] for f in data["findings"]} == {"error", "warning", "info"}
    assert any(d["kind"] == "exact" for d in data["duplicates"])
    clean = tmp_path / "clean"
    for c in ("a", "b"):
        (clean / c).mkdir(parents=True)
        for i in range(3):
            picture(500 + 10 * len(c) * i + ord(c)).save(clean / c / f"{i}.jpg")
    ok = _run("check", str(clean))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 errors" in ok.stdout
    missing = _run("check", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "directory" in missing.stderr
