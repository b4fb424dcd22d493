"""Building an iterator lists files and opens none, as the legacy generator does; broken
files surface when first decoded, or all at once with ``verify()``."""

from __future__ import annotations

import builtins
import io

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import write_tree


def test_construction_opens_no_file(tmp_path, monkeypatch, legacy):
    root = write_tree(tmp_path / "t", {c: [f"{i}.jpg" for i in range(20)] for c in "abc"})
    opened: list[str] = []
    real_open, real_io_open = builtins.open, io.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        root, target_size=(16, 16), batch_size=8, shuffle=False)
    assert [path for path in opened if path.endswith(".jpg")] == []
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(io, "open", real_io_open)
    theirs = legacy().flow_from_directory(str(root), target_size=(16, 16))
    assert iterator.filenames == theirs.filenames and iterator.samples == 60


def test_first_batch_decodes_only_what_it_needs(tmp_path, monkeypatch):
    from augwidgets.image import pipeline

    root = write_tree(tmp_path / "t", {c: [f"{i}.png" for i in range(40)] for c in "ab"})
    iterator = ImageDataGenerator().flow_from_directory(root, target_size=(8, 8), batch_size=4,
                                                        shuffle=False)
    decoded: list[str] = []
    real = pipeline.decode_image

    def counting(path, *args, **kwargs):
        decoded.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "decode_image", counting)
    x, _ = iterator[0]
    iterator.close()  # stop the prefetch of batch 1 before counting
    assert x.shape == (4, 8, 8, 3)
    assert 4 <= len(decoded) <= 8  # batch 0, and at most the prefetched batch 1


def test_garbage_files_are_listed_and_found_at_decode_time(tmp_path):
    root = write_tree(tmp_path / "t", {"a": ["0.png", "1.png"], "b": ["0.png", "1.png"]})
    (root / "a" / "1.png").write_bytes(b"")
    iterator = ImageDataGenerator().flow_from_directory(root, target_size=(8, 8),
                                                        shuffle=False, class_mode="sparse")
    assert iterator.samples == 4 and iterator.skipped == []
    with pytest.warns(UserWarning, match=r"1\.png: empty file"):
        x, y = iterator[0]
    assert len(x) == 4 and np.isfinite(x).all()
    assert y.tolist() == [0, 1, 1, 1]  # slot 1's substitute is b/0.png, labelled b
