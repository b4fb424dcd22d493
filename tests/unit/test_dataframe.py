"""``core.dataframe``: the frame logic on its own, and bad rows that never crash an epoch."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import smooth_image

pd = pytest.importorskip("pandas")

from augwidgets.engine.frame import ColumnError, DroppedRow, read_frame  # noqa: E402


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Six 16x16 PNGs, each a flat grey whose level encodes its number (0, 40, ... 200)."""
    from PIL import Image

    root = tmp_path / "images"
    root.mkdir()
    for i in range(6):
        Image.fromarray(np.full((16, 16, 3), i * 40, np.uint8)).save(root / f"{i}.png")
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "empty.jpg").write_bytes(b"")
    Image.fromarray(smooth_image(np.random.RandomState(0), 16, 16)).save(root / "pic.gif")
    return root


def frame(names, labels=None, **columns):
    data = {"filename": list(names)}
    if labels is not None:
        data["class"] = list(labels)
    data.update(columns)
    return pd.DataFrame(data)


def test_read_frame_is_pure_and_follows_the_legacy_order(folder):
    df = frame(["0.png", "missing.png", "1.png", "pic.gif", "2.png", "3.png"],
               ["b", "a", "a", "b", "c", "b"], w=[1.0, 2, 3, 4, 5, 6])
    before = df.copy()
    with pytest.warns(UserWarning, match=r"Found 2 invalid image filename\(s\)"):
        samples = read_frame(df, folder, weight_col="w", classes=["b", "a"])
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is untouched
    assert samples.filenames == ["0.png", "1.png", "3.png"]  # c is not in classes
    assert samples.filepaths == [str(folder / n) for n in samples.filenames]
    assert samples.class_indices == {"b": 0, "a": 1} and samples.classes == [0, 1, 0]
    assert samples.rows == [0, 2, 5]
    np.testing.assert_array_equal(samples.sample_weight, [1.0, 3.0, 6.0])
    assert samples.dropped == [
        DroppedRow(1, "missing.png", "no such file"),
        DroppedRow(3, "pic.gif", "unsupported extension; accepted: png, jpg, jpeg, bmp, ppm, "
                                 "tif, tiff"),
        DroppedRow(4, "2.png", "label 'c' is not in classes"),
    ]
    assert samples.message == "Found 3 validated image filenames belonging to 2 classes."


def test_subset_split_is_by_position_after_filtering(folder):
    df = frame([f"{i}.png" for i in range(6)] + ["nope.png"], list("aabbaba"))
    with pytest.warns(UserWarning):
        validation = read_frame(df, folder, split=(0, 1 / 3))
    with pytest.warns(UserWarning):
        training = read_frame(df, folder, split=(1 / 3, 1))
    assert validation.filenames == ["0.png", "1.png"]
    assert training.filenames == ["2.png", "3.png", "4.png", "5.png"]
    assert validation.class_indices == training.class_indices == {"a": 0, "b": 1}


def test_multi_label_rows_keep_only_listed_classes(folder):
    df = frame(["0.png", "1.png", "2.png"], [["x", "y"], ("y",), ["z"]])
    samples = read_frame(df, folder, classes=["y", "x"])
    assert samples.classes == [[1, 0], [0]]
    assert samples.dropped == [DroppedRow(2, "2.png", "label ['z'] is not in classes")]


def test_directory_none_and_absolute_paths(folder):
    df = frame([str(folder / "0.png"), str(folder / "1.png")], ["a", "b"])
    samples = read_frame(df, None)
    assert samples.filepaths == samples.filenames == [str(folder / "0.png"),
                                                       str(folder / "1.png")]


def test_missing_columns_and_non_frames_are_named():
    df = frame(["0.png"], ["a"])
    with pytest.raises(KeyError, match=r"y_col='label' is not in the dataframe\. "
                                       r"Received: columns=\['filename', 'class'\]"):
        read_frame(df, y_col="label")
    with pytest.raises(ColumnError, match="weight_col='w'"):
        read_frame(df, weight_col="w")
    read_frame(df, y_col="label", class_mode=None, validate_filenames=False)  # y unused
    with pytest.raises(TypeError, match=r"must be a pandas DataFrame\. Received: "
                                        r"type\(dataframe\)=dict"):
        read_frame({"filename": ["0.png"]})


def test_many_bad_values_are_counted_not_all_listed():
    df = frame([1, 2, 3, 4, 5, 6, 7], list("abcdefg"))
    with pytest.raises(TypeError) as error:
        read_frame(df)
    assert "row 0 holds 1 (int)" in str(error.value) and "and 2 more" in str(error.value)


def test_unvalidated_missing_and_broken_files_never_crash_an_epoch(folder):
    # validate_filenames=False keeps every row (legacy then crashes mid-epoch on the bad ones)
    names = ["0.png", "missing.png", "1.png", "broken.png", "2.png", "empty.jpg", "3.png"]
    df = frame(names, list("abababa"), w=np.arange(7.0))
    iterator = ImageDataGenerator().flow_from_dataframe(
        df, str(folder), target_size=(16, 16), batch_size=7, shuffle=False, weight_col="w",
        validate_filenames=False)
    assert iterator.filenames == names and len(iterator) == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x, y, w = iterator[0]
    assert x.shape == (7, 16, 16, 3)
    assert sorted(name for name, _ in iterator.skipped) == ["broken.png", "empty.jpg",
                                                             "missing.png"]
    messages = [str(c.message) for c in caught if "augwidgets: skipping" in str(c.message)]
    assert any("row 1 (" in m and "missing.png" in m for m in messages), messages
    # every slot holds a good image WITH its own label and weight: grey level i*40 is
    # file i.png, which is row 2i - (bad rows before it)
    row_of = {0: 0, 40: 2, 80: 4, 120: 6}
    for image, label, weight in zip(x, y, w):
        row = row_of[int(image[0, 0, 0])]
        assert weight == row
        np.testing.assert_array_equal(label, np.eye(2)[row % 2])
    # and the next epoch goes on without them, warning no more
    iterator.on_epoch_end()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert iterator[0][0].shape == (7, 16, 16, 3)


def test_a_corrupt_file_that_passes_validation_is_skipped_with_its_row(folder):
    df = frame(["0.png", "broken.png", "1.png"], ["a", "b", "a"])
    iterator = ImageDataGenerator().flow_from_dataframe(df, str(folder), target_size=(8, 8),
                                                        batch_size=3, shuffle=False)
    assert iterator.filenames == ["0.png", "broken.png", "1.png"]  # as legacy: exists, .png
    with pytest.warns(UserWarning, match=r"skipping row 1 \(.*broken\.png\)"):
        batch_x, batch_y = iterator[0]
    assert batch_x.shape == (3, 8, 8, 3) and iterator.skipped[0][0] == "broken.png"
    assert iterator.verify(progress=False) == iterator.skipped


def test_fit_trains_on_a_frame_with_bad_rows(folder):
    import keras

    names = ["0.png", "1.png", "missing.png", "2.png", "broken.png", "3.png", "4.png"]
    df = frame(names, score=np.linspace(0, 1, 7))
    with pytest.warns(UserWarning, match="Found 1 invalid image filename"):
        train = ImageDataGenerator(rescale=1 / 255).flow_from_dataframe(
            df, str(folder), y_col="score", class_mode="raw", target_size=(8, 8),
            batch_size=2, seed=0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(train, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert [name for name, _ in train.skipped] == ["broken.png"]


def test_unknown_keyword_is_an_error_and_keep_aspect_ratio_is_honoured(folder):
    from PIL import Image

    df = frame(["0.png"], ["a"])
    with pytest.raises(TypeError, match="unexpected keyword argument 'shufle'"):
        ImageDataGenerator().flow_from_dataframe(df, str(folder), shufle=False)
    wide = np.zeros((10, 30, 3), np.uint8)
    wide[:, 10:20] = 255  # white centre third: a centre crop to a square is all white
    Image.fromarray(wide).save(folder / "wide.png")
    df = frame(["wide.png"], ["a"])
    kept = ImageDataGenerator().flow_from_dataframe(
        df, str(folder), target_size=(10, 10), keep_aspect_ratio=True, shuffle=False)
    squashed = ImageDataGenerator().flow_from_dataframe(
        df, str(folder), target_size=(10, 10), shuffle=False)
    assert kept[0][0].min() == 255 and squashed[0][0].min() == 0


def test_subset_needs_validation_split(folder):
    with pytest.raises(ValueError, match="Received: subset='training'"):
        ImageDataGenerator().flow_from_dataframe(frame(["0.png"], ["a"]), str(folder),
                                                 subset="training")


def test_save_to_dir_writes_the_yielded_images(folder, tmp_path):
    out = tmp_path / "saved"
    out.mkdir()
    iterator = ImageDataGenerator(rotation_range=10).flow_from_dataframe(
        frame(["0.png", "1.png", "2.png"], ["a", "b", "a"]), str(folder), target_size=(8, 8),
        batch_size=3, shuffle=False, save_to_dir=str(out), save_prefix="aug",
        save_format="jpeg")
    iterator[0]
    saved = sorted(p.name for p in out.iterdir())
    assert len(saved) == 3 and all(n.startswith("aug_") and n.endswith(".jpeg") for n in saved)
