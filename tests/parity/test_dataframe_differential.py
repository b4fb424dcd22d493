"""``flow_from_dataframe`` against the real legacy one: same rows, labels, batches, messages.

Every class mode, relative and absolute paths, missing files, unsupported extensions,
duplicate rows, NaN labels, ``classes``, ``weight_col`` and both subsets. Batches are
compared with ``shuffle=False``; images are stored at several sizes, so the (exact, by
default) legacy resize is compared too.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import smooth_image

pd = pytest.importorskip("pandas")

INVALID_WARNING = 'Found 3 invalid image filename(s) in x_col="filename". These filename(s) ' \
                  "will be ignored."


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    """Ten PNG/JPEG files of mixed sizes, plus a GIF and a text file (unsupported)."""
    from PIL import Image

    root = tmp_path / "images"
    (root / "sub").mkdir(parents=True)
    rng = np.random.RandomState(0)
    sizes = [(24, 20), (30, 40), (24, 20), (17, 33), (24, 20)]
    for i in range(10):
        height, width = sizes[i % len(sizes)]
        image = Image.fromarray(smooth_image(rng, height, width))
        name = f"sub/{i}.jpg" if i % 4 == 3 else f"{i}.png"
        image.save(root / name, quality=95)
    Image.fromarray(smooth_image(rng, 24, 20)).save(root / "UPPER.PNG")
    Image.fromarray(smooth_image(rng, 24, 20)).save(root / "odd.xpng", format="PNG")
    Image.fromarray(smooth_image(rng, 24, 20)).save(root / "anim.gif")
    (root / "notes.txt").write_text("not an image")
    return root


def _names() -> list[str]:
    return [f"sub/{i}.jpg" if i % 4 == 3 else f"{i}.png" for i in range(10)]


def labelled_frame() -> pd.DataFrame:
    """Ten good rows, three bad ones (missing, .gif, .txt), duplicates and odd names."""
    names = _names() + ["missing.png", "anim.gif", "notes.txt", "0.png", "UPPER.PNG",
                        "odd.xpng", "sub/3.jpg"]
    labels = ["cat", "dog", "cat", "owl", "dog", "cat", "owl", "dog", "cat", "dog",
              "cat", "dog", "owl", "cat", "owl", "dog", "cat"]
    labels[12] = "cat"
    return pd.DataFrame({
        "filename": names,
        "class": labels,
        "binary": ["yes" if i % 3 else "no" for i in range(len(names))],
        "tags": [["cat"], ["dog", "cat"], ["owl"], ["dog"], ["cat", "owl"], ["dog"], ["cat"],
                 ("owl", "dog"), ["cat"], ["dog"], ["cat"], ["dog"], ["owl"], ["cat", "dog"],
                 ["owl"], ["dog"], ["cat"]],
        "score": np.linspace(-1, 1, len(names)),
        "size": np.arange(len(names)) * 10.0,
        "weight": np.arange(1, len(names) + 1, dtype=float),
    }, index=[f"r{i}" for i in range(len(names))])


def _build(generator, frame, directory, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        iterator = generator.flow_from_dataframe(frame, directory, **kwargs)
    return iterator, [str(w.message) for w in caught]


def _same_iterators(ours, theirs, class_mode) -> None:
    assert ours.filenames == theirs.filenames
    assert ours.filepaths == theirs.filepaths
    assert ours.samples == theirs.samples and len(ours) == len(theirs)
    assert ours.image_shape == theirs.image_shape
    if class_mode in ("binary", "categorical", "sparse"):
        assert ours.class_indices == theirs.class_indices
        assert ours.classes == theirs.classes
        assert type(ours.classes) is type(theirs.classes)
        assert ours.labels == theirs.labels
    if class_mode == "multi_output":
        assert len(ours.labels) == len(theirs.labels)
        for a, b in zip(ours.labels, theirs.labels):
            np.testing.assert_array_equal(a, b)
    if class_mode == "raw":
        assert ours.labels.dtype == theirs.labels.dtype
        np.testing.assert_array_equal(ours.labels, theirs.labels)
    if theirs.sample_weight is None:
        assert ours.sample_weight is None
    else:
        np.testing.assert_array_equal(ours.sample_weight, theirs.sample_weight)


def _same_batches(ours, theirs) -> None:
    for index in range(len(theirs)):
        expected, got = theirs[index], ours[index]
        if not isinstance(expected, tuple):
            expected, got = (expected,), (got,)
        assert isinstance(got, tuple) and len(got) == len(expected)
        for a, b in zip(got, expected):
            if isinstance(b, list):  # multi_output
                assert isinstance(a, list) and len(a) == len(b)
                for aa, bb in zip(a, b):
                    np.testing.assert_array_equal(aa, bb)
                continue
            assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape)
            np.testing.assert_allclose(a, b, atol=1e-6)


CASES = {
    "categorical": dict(class_mode="categorical"),
    "categorical_classes": dict(class_mode="categorical", classes=["owl", "cat"]),
    "multi_label": dict(class_mode="categorical", y_col="tags"),
    "multi_label_classes": dict(class_mode="categorical", y_col="tags", classes=["dog"]),
    "binary": dict(class_mode="binary", y_col="binary"),
    "binary_classes": dict(class_mode="binary", classes=["cat", "dog"]),
    "sparse": dict(class_mode="sparse"),
    "sparse_weighted": dict(class_mode="sparse", weight_col="weight"),
    "raw": dict(class_mode="raw", y_col="score"),
    "raw_columns": dict(class_mode="raw", y_col=["score", "size"]),
    "multi_output": dict(class_mode="multi_output", y_col=["score", "class"]),
    "multi_output_weighted": dict(class_mode="multi_output", y_col=["score", "size"],
                                  weight_col="weight"),
    "input": dict(class_mode="input"),
    "input_weighted": dict(class_mode="input", weight_col="weight"),
    "none": dict(class_mode=None),
    "grayscale": dict(class_mode="sparse", color_mode="grayscale"),
    "rgba": dict(class_mode="categorical", color_mode="rgba"),
    "bicubic": dict(class_mode="sparse", interpolation="bicubic"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_relative_paths_equal_legacy(legacy, image_dir, case, capsys):
    kwargs = dict(target_size=(24, 20), batch_size=4, shuffle=False, **CASES[case])
    ours, our_warnings = _build(ImageDataGenerator(rescale=1 / 255), labelled_frame(),
                                str(image_dir), **kwargs)
    our_output = capsys.readouterr().out
    theirs, their_warnings = _build(legacy(rescale=1 / 255), labelled_frame(), str(image_dir),
                                    **kwargs)
    their_output = capsys.readouterr().out
    assert our_output == their_output  # "Found 14 validated image filenames belonging to ..."
    assert INVALID_WARNING in their_warnings
    assert any(w.startswith(INVALID_WARNING) for w in our_warnings), our_warnings
    _same_iterators(ours, theirs, kwargs["class_mode"])
    _same_batches(ours, theirs)
    assert ours.skipped == []
    assert {(d.row, d.filename) for d in ours.dropped} >= {
        ("r10", "missing.png"), ("r11", "anim.gif"), ("r12", "notes.txt")}


@pytest.mark.parametrize("class_mode", ["categorical", "raw", None])
def test_absolute_paths_without_directory_equal_legacy(legacy, image_dir, class_mode):
    frame = labelled_frame()
    frame["filename"] = [str(image_dir / name) for name in frame["filename"]]
    kwargs = dict(target_size=(24, 20), batch_size=5, shuffle=False, class_mode=class_mode,
                  y_col="score" if class_mode == "raw" else "class")
    ours, _ = _build(ImageDataGenerator(), frame, None, **kwargs)
    theirs, _ = _build(legacy(), frame, None, **kwargs)
    assert ours.filenames[0].startswith(str(image_dir))
    _same_iterators(ours, theirs, class_mode)
    _same_batches(ours, theirs)


def test_absolute_paths_ignore_the_directory_like_legacy(legacy, image_dir, tmp_path):
    frame = labelled_frame()
    frame["filename"] = [str(image_dir / name) for name in frame["filename"]]
    kwargs = dict(target_size=(24, 20), shuffle=False)
    ours, _ = _build(ImageDataGenerator(), frame, str(tmp_path / "elsewhere"), **kwargs)
    theirs, _ = _build(legacy(), frame, str(tmp_path / "elsewhere"), **kwargs)
    _same_iterators(ours, theirs, "categorical")


@pytest.mark.parametrize("subset", ["training", "validation"])
@pytest.mark.parametrize("class_mode", ["categorical", "sparse", "raw", "multi_output"])
def test_subsets_equal_legacy(legacy, image_dir, subset, class_mode, capsys):
    y_col = {"raw": "score", "multi_output": ["score", "size"]}.get(class_mode, "class")
    kwargs = dict(target_size=(24, 20), batch_size=3, shuffle=False, subset=subset,
                  class_mode=class_mode, y_col=y_col, weight_col="weight")
    ours, _ = _build(ImageDataGenerator(validation_split=0.3), labelled_frame(),
                     str(image_dir), **kwargs)
    our_output = capsys.readouterr().out
    theirs, _ = _build(legacy(validation_split=0.3), labelled_frame(), str(image_dir),
                       **kwargs)
    assert our_output == capsys.readouterr().out
    _same_iterators(ours, theirs, class_mode)
    _same_batches(ours, theirs)


def test_unvalidated_filenames_equal_legacy_on_good_rows(legacy, image_dir, capsys):
    frame = labelled_frame().iloc[:10]
    kwargs = dict(target_size=(24, 20), batch_size=4, shuffle=False, validate_filenames=False)
    ours, _ = _build(ImageDataGenerator(), frame, str(image_dir), **kwargs)
    our_output = capsys.readouterr().out
    theirs, _ = _build(legacy(), frame, str(image_dir), **kwargs)
    assert our_output == capsys.readouterr().out
    assert "non-validated" in our_output
    _same_iterators(ours, theirs, "categorical")
    _same_batches(ours, theirs)


def test_raw_nan_targets_pass_through_like_legacy(legacy, image_dir):
    frame = labelled_frame()
    frame.loc["r1", "score"] = np.nan
    kwargs = dict(target_size=(24, 20), batch_size=4, shuffle=False, class_mode="raw",
                  y_col="score")
    ours, _ = _build(ImageDataGenerator(), frame, str(image_dir), **kwargs)
    theirs, _ = _build(legacy(), frame, str(image_dir), **kwargs)
    _same_iterators(ours, theirs, "raw")
    np.testing.assert_array_equal(ours[0][1], theirs[0][1])  # NaN where legacy has NaN


def test_augmented_batches_keep_legacy_shapes_labels_and_weights(legacy, image_dir):
    config = dict(rotation_range=20, zoom_range=0.2, horizontal_flip=True, rescale=1 / 255)
    kwargs = dict(target_size=(24, 20), batch_size=4, shuffle=True, seed=3,
                  class_mode="categorical", weight_col="weight")
    ours, _ = _build(ImageDataGenerator(**config), labelled_frame(), str(image_dir), **kwargs)
    theirs, _ = _build(legacy(**config), labelled_frame(), str(image_dir), **kwargs)
    _same_iterators(ours, theirs, "categorical")
    x, y, w = ours[0]
    xl, yl, wl = theirs[0]
    assert x.shape == xl.shape and y.shape == yl.shape and w.shape == wl.shape
    # each weight is the weight of the sample whose label came with it
    onehot = {w_value: row for w_value, row in zip(ours.sample_weight, np.eye(3)[
        [c for c in ours.classes]])}
    for label, weight in zip(y, w):
        np.testing.assert_array_equal(label, onehot[weight])


BAD_FRAMES = {
    "nan_label": (lambda f: f.assign(**{"class": f["class"].where(f.index != "r2", np.nan)}),
                  dict(class_mode="categorical"), TypeError,
                  'If class_mode="categorical", y_col="class" column values must be type '
                  "string, list or tuple."),
    "nan_label_sparse": (lambda f: f.assign(**{"class": f["class"].where(f.index != "r2",
                                                                        np.nan)}),
                         dict(class_mode="sparse"), TypeError,
                         'If class_mode="sparse", y_col="class" column values must be strings.'),
    "nan_filename": (lambda f: f.assign(filename=f["filename"].where(f.index != "r0", np.nan)),
                     dict(), TypeError, "All values in column x_col=filename must be strings."),
    "three_binary": (lambda f: f, dict(class_mode="binary"), ValueError,
                     'If class_mode="binary" there must be 2 classes. Found 3 classes.'),
    "three_binary_classes": (lambda f: f, dict(class_mode="binary",
                                               classes=["cat", "dog", "owl"]), ValueError,
                             'If class_mode="binary" there must be 2 classes. 3 class/es were '
                             "given."),
    "multi_output_string": (lambda f: f, dict(class_mode="multi_output", y_col="score"),
                            TypeError, 'If class_mode="multi_output", y_col must be a list.'),
    "text_weights": (lambda f: f, dict(weight_col="class"), TypeError,
                     "Column weight_col=class must be numeric."),
    "bad_class_mode": (lambda f: f, dict(class_mode="labels"), ValueError,
                       "Invalid class_mode: labels; expected one of: "),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
def test_errors_keep_legacy_opening_words_and_add_received(legacy, image_dir, case):
    change, kwargs, error, opening = BAD_FRAMES[case]
    with pytest.raises(error) as theirs:
        legacy().flow_from_dataframe(change(labelled_frame()), str(image_dir), **kwargs)
    assert str(theirs.value).startswith(opening)
    with pytest.raises(error) as ours:
        ImageDataGenerator().flow_from_dataframe(change(labelled_frame()), str(image_dir),
                                                 **kwargs)
    assert str(ours.value).startswith(opening), str(ours.value)
    assert "Received: " in str(ours.value)


def test_nan_label_message_names_the_row_and_the_fix(image_dir):
    frame = labelled_frame()
    frame.loc["r2", "class"] = np.nan
    with pytest.raises(TypeError, match=r"row 'r2' holds nan \(float\).*dropna\(subset="):
        ImageDataGenerator().flow_from_dataframe(frame, str(image_dir))


@pytest.mark.filterwarnings("ignore:Found 3 invalid image filename")
def test_deprecated_arguments_warn_like_legacy(legacy, image_dir):
    for name in ("has_ext", "sort", "drop_duplicates"):
        with pytest.warns(DeprecationWarning, match=f"{name} is deprecated"):
            legacy().flow_from_dataframe(labelled_frame(), str(image_dir), **{name: True})
        with pytest.warns(DeprecationWarning, match=f"{name} is deprecated"):
            ImageDataGenerator().flow_from_dataframe(labelled_frame(), str(image_dir),
                                                     **{name: True})
    kwargs = dict(class_mode="other", y_col="score", shuffle=False, target_size=(24, 20))
    with pytest.warns(DeprecationWarning, match='class_mode="other"'):
        ours = ImageDataGenerator().flow_from_dataframe(labelled_frame(), str(image_dir),
                                                        **kwargs)
    theirs = legacy().flow_from_dataframe(labelled_frame(), str(image_dir), **kwargs)
    assert ours.class_mode == theirs.class_mode == "raw"
    _same_iterators(ours, theirs, "raw")


@pytest.mark.filterwarnings("ignore:Found 3 invalid image filename")
def test_classes_ignored_warning_like_legacy(legacy, image_dir):
    for generator in (legacy(), ImageDataGenerator()):
        with pytest.warns(UserWarning, match='`classes` will be ignored given the '
                                             'class_mode="raw"'):
            generator.flow_from_dataframe(labelled_frame(), str(image_dir), class_mode="raw",
                                          y_col="score", classes=["cat"])
