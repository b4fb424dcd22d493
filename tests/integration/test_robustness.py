"""Broken files never crash an epoch; awkward but valid images load; hidden entries and
symlink loops are handled; nothing is written outside the paths the user gave."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator
from augwidgets.image.decode import ImageDecodeError, check_image, decode_image
from tests.conftest import smooth_image, write_tree


def _png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format="PNG")
    return buffer.getvalue()


def _bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (CRC kept valid)."""
    data = bytearray(_png_bytes(np.zeros((1, 1), np.uint8)))
    ihdr = 8  # signature, then the IHDR chunk: length(4) type(4) data(13) crc(4)
    struct.pack_into(">II", data, ihdr + 8, width, height)
    crc = zlib.crc32(bytes(data[ihdr + 4: ihdr + 8 + 13])) & 0xFFFFFFFF
    struct.pack_into(">I", data, ihdr + 8 + 13, crc)
    return bytes(data)


def _jpeg_bytes(rng: np.random.RandomState) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(smooth_image(rng, 40, 40)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


BROKEN = {
    "zero_byte.jpg": lambda rng: b"",
    "truncated.jpg": lambda rng: _jpeg_bytes(rng)[:600],
    "truncated.png": lambda rng: _png_bytes(smooth_image(rng, 40, 40))[:300],
    "text_renamed.png": lambda rng: b"this is a text file, not an image\n" * 20,
    "random_bytes.jpg": lambda rng: rng.bytes(5000),
    "bomb.png": lambda rng: _bomb_png(),
}


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "broken", {"good": [f"g{i}.png" for i in range(5)],
                                            "mixed": [f"m{i}.jpg" for i in range(3)]})
    rng = np.random.RandomState(0)
    for name, make in BROKEN.items():
        (root / "mixed" / name).write_bytes(make(rng))
    return root


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_kind_of_broken_file_is_rejected_with_a_reason(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BROKEN[name](np.random.RandomState(1)))
    with pytest.raises(ImageDecodeError) as info:
        check_image(path)
        decode_image(path)
    assert info.value.path == str(path) and info.value.reason
    assert str(path) in str(info.value)


def test_decode_reasons_are_specific(tmp_path):
    rng = np.random.RandomState(2)
    reasons = {}
    for name, make in BROKEN.items():
        path = tmp_path / name
        path.write_bytes(make(rng))
        try:
            check_image(path)
        except ImageDecodeError as error:
            reasons[name] = error.reason
    assert "empty" in reasons["zero_byte.jpg"]
    assert "truncated" in reasons["truncated.jpg"]
    assert "truncated" in reasons["truncated.png"]
    assert "bomb" in reasons["bomb.png"]
    assert "not a readable image" in reasons["random_bytes.jpg"]


def test_tree_full_of_broken_files_is_listed_then_reported_when_decoded(broken_tree):
    iterator = ImageDataGenerator(rescale=1 / 255, rotation_range=10).flow_from_directory(
        broken_tree, target_size=(24, 24), batch_size=4, seed=0)
    # Construction only lists files, as legacy does: the broken ones are still listed.
    assert iterator.skipped == [] and iterator.samples == 8 + len(BROKEN)
    good = {i for i, name in enumerate(iterator.filenames)
            if "good" in name or os.path.basename(name).startswith("m")}
    with pytest.warns(UserWarning) as caught:
        seen = 0
        for index in range(len(iterator)):
            x, y = iterator[index]
            assert np.isfinite(x).all() and x.shape[1:] == (24, 24, 3)
            seen += len(x)
    assert seen == iterator.samples  # every slot filled: the epoch keeps its length
    skipped = dict(iterator.skipped)
    assert set(skipped) == {os.path.join("mixed", name) for name in BROKEN}
    messages = " ".join(str(w.message) for w in caught)
    for name in BROKEN:
        assert name in messages
    assert len(good) == 8


def test_verify_reports_every_broken_file_up_front(broken_tree, capsys):
    iterator = ImageDataGenerator().flow_from_directory(broken_tree, target_size=(24, 24),
                                                        batch_size=4, shuffle=False)
    report = iterator.verify()
    assert {name for name, _ in report} == {os.path.join("mixed", name) for name in BROKEN}
    assert all(reason for _, reason in report)
    assert "verified" in capsys.readouterr().err  # the summary goes beside the tqdm bar
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # known broken files are not reported again
        for index in range(len(iterator)):
            x, _ = iterator[index]
            assert np.isfinite(x).all()
    assert iterator.verify(progress=False) == report


def test_file_broken_after_scanning_never_crashes_the_epoch(tmp_path):
    root = write_tree(tmp_path / "t", {"a": [f"{i}.png" for i in range(4)],
                                       "b": [f"{i}.png" for i in range(4)]})
    iterator = ImageDataGenerator().flow_from_directory(
        root, target_size=(16, 16), batch_size=8, shuffle=False, class_mode="sparse")
    victim = root / "a" / "2.png"
    data = bytearray(victim.read_bytes())
    start = data.index(b"IDAT") + 8
    data[start: start + 40] = b"\x00" * 40  # corrupt the pixel stream, keep IEND
    victim.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="2.png"):
        x, y = iterator[0]
    assert x.shape == (8, 16, 16, 3) and np.isfinite(x).all()
    assert [name for name, _ in iterator.skipped] == [os.path.join("a", "2.png")]
    # the broken sample is replaced by the next good one, never yielded again
    np.testing.assert_array_equal(x[2], x[3])
    x_again, _ = iterator[0]
    assert len(iterator.skipped) == 1
    np.testing.assert_array_equal(x_again, x)


def _save(path: Path, image: Image.Image, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
    return path


def test_awkward_but_valid_images_load(tmp_path):
    rng = np.random.RandomState(0)
    rgb = smooth_image(rng, 30, 40)
    root = tmp_path / "awkward" / "c"
    paths = {
        "cmyk": _save(root / "cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), quality=95),
        "sixteen": _save(root / "sixteen.png", Image.fromarray(
            rgb[..., 0].astype(np.uint16) * 257)),
        "palette": _save(root / "palette.png", Image.fromarray(rgb).convert("P")),
        "palette_transparent": _save(root / "palette_t.png",
                                     Image.fromarray(rgb).convert("P"), transparency=0),
        "rgba": _save(root / "rgba.png", Image.fromarray(rgb).convert("RGBA")),
        "la": _save(root / "la.png", Image.fromarray(rgb).convert("LA")),
        "grayscale": _save(root / "gray.png", Image.fromarray(rgb).convert("L")),
        "one_bit": _save(root / "onebit.png", Image.fromarray(rgb).convert("1")),
        "bmp": _save(root / "img.bmp", Image.fromarray(rgb)),
        "tiff": _save(root / "img.tiff", Image.fromarray(rgb)),
        "upper": _save(root / "UPPER.JPG", Image.fromarray(rgb), format="JPEG"),
        "upper_png": _save(root / "UPPER2.PNG", Image.fromarray(rgb), format="PNG"),
        "grayscale_jpeg": _save(root / "gray.jpeg", Image.fromarray(rgb).convert("L")),
    }
    for name, path in paths.items():
        for color_mode, channels in (("rgb", 3), ("grayscale", 1), ("rgba", 4)):
            array = decode_image(path, color_mode)
            assert array.shape == (30, 40, channels), (name, color_mode)
            assert array.dtype == np.uint8
            assert array.std() > 5, (name, color_mode)  # real content, not a flat image
    sixteen = decode_image(paths["sixteen"], "grayscale")[..., 0].astype(int)
    assert np.abs(sixteen - rgb[..., 0]).max() <= 1  # scaled to 8 bits, not clipped white
    iterator = ImageDataGenerator().flow_from_directory(tmp_path / "awkward",
                                                        target_size=(20, 20))
    assert iterator.samples == len(paths) and iterator.skipped == []


def test_grayscale_matches_pil_conversion_exactly(tmp_path):
    rgb = smooth_image(np.random.RandomState(4), 32, 32)
    path = _save(tmp_path / "c.jpg", Image.fromarray(rgb), quality=95)
    expected = np.asarray(Image.open(path).convert("L"))
    np.testing.assert_array_equal(decode_image(path, "grayscale")[..., 0], expected)


def test_hidden_entries_are_skipped_and_listed(tmp_path, legacy):
    root = write_tree(tmp_path / "h", {"cat": ["a.png", ".hidden.png", "._a.png"],
                                       "dog": ["b.png"],
                                       ".ipynb_checkpoints": ["x-checkpoint.png"]})
    (root / "cat" / ".cache").mkdir()
    (root / "cat" / ".cache" / "c.png").write_bytes(_png_bytes(np.zeros((4, 4), np.uint8)))
    iterator = ImageDataGenerator().flow_from_directory(root, target_size=(8, 8))
    assert iterator.class_indices == {"cat": 0, "dog": 1}
    assert iterator.filenames == [os.path.join("cat", "a.png"), os.path.join("dog", "b.png")]
    ignored = dict(iterator.ignored)
    assert ignored[".ipynb_checkpoints"] == "hidden folder"
    assert ignored[os.path.join("cat", ".hidden.png")] == "hidden file"
    assert os.path.join("cat", ".cache") in ignored
    # the legacy generator turns the checkpoint folder into a class
    assert ".ipynb_checkpoints" in legacy().flow_from_directory(str(root)).class_indices


def test_symlink_loop_does_not_hang(tmp_path):
    root = write_tree(tmp_path / "loop", {"a": ["1.png", "sub/2.png"]})
    os.symlink(root / "a", root / "a" / "sub" / "back")
    iterator = ImageDataGenerator().flow_from_directory(root, follow_links=True,
                                                        target_size=(8, 8))
    assert iterator.samples == 2
    assert any("symlink loop" in reason for _, reason in iterator.ignored)


def test_save_to_dir_writes_only_there(tmp_path):
    root = write_tree(tmp_path / "data", {"a": ["1.png", "2.png"], "b": ["3.png"]})
    before = sorted(p for p in tmp_path.rglob("*"))
    out = tmp_path / "previews"
    iterator = ImageDataGenerator(rotation_range=30).flow_from_directory(
        root, target_size=(16, 16), batch_size=3, save_to_dir=out, save_prefix="aug",
        save_format="jpeg", seed=1)
    iterator[0]
    written = sorted(out.iterdir())
    assert len(written) == 3 and all(p.name.startswith("aug_") and p.suffix == ".jpeg"
                                     for p in written)
    after = sorted(p for p in tmp_path.rglob("*") if out not in p.parents and p != out)
    assert after == before


def test_missing_directory_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        ImageDataGenerator().flow_from_directory(tmp_path / "nope")


@pytest.mark.parametrize(("kwargs", "name"), [
    (dict(target_size=(0, 10)), "target_size"),
    (dict(color_mode="bgr"), "color_mode"),
    (dict(class_mode="onehot"), "class_mode"),
    (dict(batch_size=0), "batch_size"),
    (dict(interpolation="cubic"), "interpolation"),
    (dict(subset="test"), "subset"),
    (dict(subset="validation"), "subset"),  # needs validation_split > 0
    (dict(classes=["nope"]), "classes"),
    (dict(seed="zero"), "seed"),
])
def test_bad_iterator_arguments_raise_value_error(tmp_path, kwargs, name):
    root = write_tree(tmp_path / "d", {"a": ["1.png"]})
    with pytest.raises(ValueError, match=f"`{name}`"):
        ImageDataGenerator().flow_from_directory(root, **kwargs)


def test_rgb_padding_channel_is_only_padding(tmp_path):
    rgb = smooth_image(np.random.RandomState(6), 20, 30)
    for name in ("a.jpg", "a.png"):
        path = _save(tmp_path / name, Image.fromarray(rgb), quality=95) if name.endswith("jpg") \
            else _save(tmp_path / name, Image.fromarray(rgb))
        padded = decode_image(path, pad_to_4=True)
        assert padded.shape == (20, 30, 4)
        np.testing.assert_array_equal(padded[..., :3], decode_image(path))
