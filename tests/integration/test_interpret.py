"""interpret(): confusion matrix, precision/recall and top losses, checked against sklearn.

Two kinds of model: hand-made Keras models whose outputs are set by the input pixels (so
every probability is known), and a small CNN trained on the bundled digits, whose
predictions are recomputed independently through the legacy Keras generator.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sklearn import metrics

import augwidgets
from augwidgets import datasets
from augwidgets.preview.gallery import to_display
from augwidgets.training.interpret import interpret
from augwidgets.training.interpretation import Interpretation
from augwidgets.training.model import build_default_model

keras = pytest.importorskip("keras")


# ------------------------------------------------------------------ hand-made models
def _probability_model(classes: int, *, activation: str | None = "softmax") -> keras.Model:
    """Input ``(1, classes, 1)``; outputs the softmax of the pixels (or the pixels)."""
    inputs = keras.Input((1, classes, 1))
    outputs = keras.layers.Flatten()(inputs)
    if activation is not None:
        outputs = keras.layers.Activation(activation)(outputs)
    return keras.Model(inputs, outputs)


def _known_case(seed: int, n: int = 53, classes: int = 4):
    """Probabilities with a known arg-max and labels that agree with them about 60% of
    the time, and pixels whose softmax gives exactly those probabilities."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(classes) * 0.7, size=n)
    truth = np.where(rng.random(n) < 0.6, p.argmax(axis=1), rng.integers(0, classes, n))
    pixels = np.log(p).reshape(n, 1, classes, 1).astype("float32")
    return p, truth, pixels


@pytest.mark.parametrize("labels", ["sparse", "categorical"])
def test_matrix_precision_recall_and_losses_match_sklearn(labels):
    p, truth, pixels = _known_case(seed=1)
    y = truth if labels == "sparse" else keras.utils.to_categorical(truth, 4)
    iterator = augwidgets.ImageDataGenerator().flow(pixels, y, batch_size=7, shuffle=False)
    result = interpret(_probability_model(4), iterator)

    predicted = p.argmax(axis=1)
    assert result.class_mode == labels
    np.testing.assert_array_equal(result.true, truth)
    np.testing.assert_array_equal(result.predicted, predicted)
    np.testing.assert_allclose(result.probabilities, p, rtol=1e-4)
    np.testing.assert_array_equal(result.confusion_matrix,
                                  metrics.confusion_matrix(truth, predicted, labels=range(4)))
    np.testing.assert_allclose(result.precision, metrics.precision_score(
        truth, predicted, average=None, labels=range(4), zero_division=np.nan))
    np.testing.assert_allclose(result.recall, metrics.recall_score(
        truth, predicted, average=None, labels=range(4), zero_division=np.nan))
    assert result.accuracy == pytest.approx(metrics.accuracy_score(truth, predicted))
    assert result.losses.mean() == pytest.approx(metrics.log_loss(truth, p, labels=range(4)),
                                                 rel=1e-4)
    wrong = np.flatnonzero(truth != predicted)
    losses = -np.log(p[wrong, truth[wrong]])
    expected = wrong[np.argsort(-losses, kind="stable")]
    top = result.top_losses(None)
    assert [t.index for t in top] == expected.tolist()
    assert top[0].probability == pytest.approx(p[expected[0]].max(), rel=1e-4)
    assert all(not t.correct for t in top)


def test_a_class_the_model_never_predicts_has_undefined_precision():
    p = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0]]) + 1e-6
    p /= p.sum(axis=1, keepdims=True)
    iterator = augwidgets.ImageDataGenerator().flow(
        np.log(p).reshape(3, 1, 3, 1), np.array([0, 1, 2]), batch_size=2, shuffle=False)
    result = interpret(_probability_model(3), iterator)
    assert np.isnan(result.precision[2]) and result.recall[2] == 0
    assert result.most_confused() == [("2", "0", 1)]
    assert [t.filename for t in result.cell(2, "0")] == ["#2"]


def test_logits_go_through_softmax():
    p, truth, pixels = _known_case(seed=2, n=20)
    iterator = augwidgets.ImageDataGenerator().flow(pixels, truth, batch_size=8, shuffle=False)
    result = interpret(_probability_model(4, activation=None), iterator)  # log p: logits
    np.testing.assert_allclose(result.probabilities, p, rtol=1e-4)


@pytest.mark.parametrize("as_logits", [False, True])
def test_binary_sigmoid_output(as_logits):
    rng = np.random.default_rng(3)
    p = rng.uniform(0.01, 0.99, 40)
    truth = (rng.random(40) < 0.5).astype("float32")
    pixels = (np.log(p / (1 - p)) if as_logits else p).reshape(40, 1, 1, 1).astype("float32")
    iterator = augwidgets.ImageDataGenerator().flow(pixels, truth, batch_size=16, shuffle=False)
    model = _probability_model(1, activation=None)
    result = interpret(model, iterator, class_names=["cat", "dog"])
    predicted = (p > 0.5).astype(int)
    np.testing.assert_array_equal(result.confusion_matrix,
                                  metrics.confusion_matrix(truth, predicted))
    np.testing.assert_allclose(result.probabilities[:, 1], p, rtol=1e-4)
    assert result.class_names == ["cat", "dog"]
    assert {t.true_class for t in result.top_losses(None)} <= {"cat", "dog"}


# ----------------------------------------------------------- a trained digits model
@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return datasets.digits(tmp_path_factory.mktemp("interpret") / "digits", image_size=16)


OPTIONS = {"target_size": (16, 16), "color_mode": "grayscale", "batch_size": 32}


@pytest.fixture(scope="module")
def trained(digits):
    keras.utils.set_random_seed(0)
    train = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "train", shuffle=True, seed=0, **OPTIONS)
    model = build_default_model(train.image_shape, train.num_classes, seed=0)
    model.fit(train, epochs=2, verbose=0)
    return model


@pytest.fixture(scope="module")
def result(digits, trained) -> Interpretation:
    validation = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=False, **OPTIONS)
    return interpret(trained, validation)


def test_digits_agree_with_the_legacy_generator_and_sklearn(digits, trained, result):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    legacy = Legacy(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=False, **OPTIONS)
    scores = trained.predict(legacy, verbose=0)
    truth = np.asarray(legacy.classes)
    predicted = scores.argmax(axis=1)
    assert result.filenames == list(legacy.filenames)
    assert len(result) == 359 and result.support.sum() == 359
    np.testing.assert_array_equal(result.true, truth)
    np.testing.assert_array_equal(result.confusion_matrix,
                                  metrics.confusion_matrix(truth, predicted, labels=range(10)))
    np.testing.assert_allclose(result.recall, metrics.recall_score(
        truth, predicted, average=None, labels=range(10), zero_division=np.nan))
    np.testing.assert_allclose(result.probabilities, scores, atol=1e-5)
    # The legacy iterator itself can be interpreted too (no transform_sample: files via PIL).
    again = interpret(trained, legacy)
    np.testing.assert_array_equal(again.confusion_matrix, result.confusion_matrix)
    assert again.image(0).shape == (16, 16, 3)


def test_sparse_gives_the_same_matrix(digits, trained, result):
    sparse = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=False, class_mode="sparse", **OPTIONS)
    np.testing.assert_array_equal(interpret(trained, sparse).confusion_matrix,
                                  result.confusion_matrix)


def test_top_losses_line_up_with_filenames_and_show_the_file(digits, result):
    top = result.top_losses(9)
    assert top and len(top) <= 9
    assert [t.loss for t in top] == sorted((t.loss for t in top), reverse=True)
    for t in top:
        assert t.filename == result.filenames[t.index]
        assert t.filename.split("/")[0] == t.true_class  # the folder is the true class
        assert t.probability >= t.true_probability
        with Image.open(digits / "validation" / t.filename) as image:
            expected = np.asarray(image.convert("L"))
        np.testing.assert_array_equal(result.image(t.index)[..., 0], expected)
    assert result.mistakes == sum(len(result.cell(c, d)) for c in range(10) for d in range(10)
                                  if c != d)


def test_the_gallery_shows_images_unaugmented(digits, trained):
    flipping = augwidgets.ImageDataGenerator(rescale=1 / 255, vertical_flip=True)
    validation = flipping.flow_from_directory(digits / "validation", shuffle=False, **OPTIONS)
    shown = interpret(trained, validation).image(5)
    with Image.open(digits / "validation" / validation.filenames[5]) as image:
        np.testing.assert_array_equal(shown[..., 0], np.asarray(image.convert("L")))


def test_a_broken_file_is_left_out(digits, trained, tmp_path):
    import shutil

    copy = tmp_path / "validation"
    shutil.copytree(digits / "validation", copy)
    (copy / "3" / "0000-broken.png").write_bytes(b"not an image")
    validation = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        copy, shuffle=False, **OPTIONS)
    with pytest.warns(UserWarning, match="0000-broken.png"):
        broken = interpret(trained, validation)
    assert len(broken) == 359 and "3/0000-broken.png" not in broken.filenames
    assert all(f.split("/")[0] == broken.class_names[t]
               for f, t in zip(broken.filenames, broken.true, strict=True))


# ------------------------------------------------------------------ refusals
def test_refuses_a_shuffled_iterator(digits, trained):
    shuffled = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=True, **OPTIONS)
    with pytest.raises(ValueError, match="`validation_iterator` must not shuffle") as error:
        interpret(trained, shuffled)
    assert "shuffle=False" in str(error.value)
    assert "Received: validation_iterator.shuffle=True" in str(error.value)


@pytest.mark.parametrize("class_mode", [None, "input"])
def test_refuses_iterators_without_one_class_per_image(digits, trained, class_mode):
    iterator = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=False, class_mode=class_mode, **OPTIONS)
    with pytest.raises(ValueError, match=f"class_mode={class_mode!r}"):
        interpret(trained, iterator)


def test_refuses_a_model_with_the_wrong_number_of_outputs(digits):
    iterator = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        digits / "validation", shuffle=False, **OPTIONS)
    model = build_default_model(iterator.image_shape, 3, seed=0)
    with pytest.raises(ValueError, match=r"Received: model output shape \(None, 3\)"):
        interpret(model, iterator)
    with pytest.raises(ValueError, match="Received: y=None"):
        interpret(model, augwidgets.ImageDataGenerator().flow(np.zeros((2, 4, 4, 1)),
                                                             shuffle=False))


# -------------------------------------------------------------------- display
def test_text_picture_and_bundle(result):
    text = str(result)
    assert text.splitlines()[0].startswith("Interpretation: 359 images, 10 classes")
    matrix_lines = result.matrix_table().splitlines()
    assert [int(v) for v in matrix_lines[4].split()[1:]] == result.confusion_matrix[3].tolist()
    assert len(result.class_table().splitlines()) == 11
    bundle = result._repr_mimebundle_()
    assert sorted(bundle) == ["image/png", "text/plain"]  # no kernel here: the picture
    import base64
    import io

    with Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))) as picture:
        assert picture.size == (800, 384)


def test_to_display_scales():
    assert to_display(np.full((2, 2, 1), 0.5)).tolist()[0][0] == [128, 128, 128]
    assert to_display(np.full((2, 2, 3), 200.0)).max() == 200
    standardised = to_display(np.array([[[-1.0], [3.0]]]))
    assert standardised.min() == 0 and standardised.max() == 255
