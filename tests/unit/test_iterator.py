"""The iterator as Keras uses it: fit/evaluate/predict, seeding, epochs and legacy next()."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import write_tree

AUGMENT = dict(rescale=1 / 255, rotation_range=20, width_shift_range=0.2,
               height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)


@pytest.fixture
def tree(tmp_path):
    layout = {name: [f"{name}{i}.png" for i in range(7)] for name in ("a", "b", "c")}
    return write_tree(tmp_path / "train", layout, size=(20, 26))


def _model(num_classes: int) -> keras.Model:
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_with_validation_data_like_the_course_example(tree):
    keras.utils.set_random_seed(0)
    train = ImageDataGenerator(**AUGMENT).flow_from_directory(
        tree, target_size=(16, 16), batch_size=4, class_mode="categorical", seed=0)
    validation = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        tree, target_size=(16, 16), batch_size=4, class_mode="categorical", shuffle=False)
    assert isinstance(train, keras.utils.PyDataset)
    model = _model(train.num_classes)
    history = model.fit(train, validation_data=validation, epochs=2, verbose=0)
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 2
    assert train.epoch >= 2  # keras called on_epoch_end after each epoch (new shuffle)
    steps = int(np.ceil(train.samples / train.batch_size))
    history = model.fit(train, steps_per_epoch=steps, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    scores = model.evaluate(validation, verbose=0)
    assert len(scores) == 2 and np.isfinite(scores).all()
    predictions = model.predict(validation, verbose=0)
    assert predictions.shape == (validation.samples, 3)


def test_predict_order_follows_filenames_without_shuffle(tree):
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        tree, target_size=(16, 16), batch_size=5, class_mode=None, shuffle=False)
    batches = np.concatenate([iterator[i] for i in range(len(iterator))])
    assert batches.shape[0] == iterator.samples == 21
    single = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        tree, target_size=(16, 16), batch_size=1, class_mode=None, shuffle=False)
    np.testing.assert_array_equal(single[20][0], batches[20])


def test_same_seed_same_batches_and_global_rng_untouched(tree):
    state = np.random.get_state()[1].copy()
    a = ImageDataGenerator(**AUGMENT).flow_from_directory(tree, target_size=(16, 16),
                                                          batch_size=6, seed=7)
    b = ImageDataGenerator(**AUGMENT).flow_from_directory(tree, target_size=(16, 16),
                                                          batch_size=6, seed=7)
    for index in (2, 0, 1):  # any order: each batch has its own generator
        np.testing.assert_array_equal(a[index][0], b[index][0])
        np.testing.assert_array_equal(a[index][1], b[index][1])
    assert np.array_equal(np.random.get_state()[1], state)
    other = ImageDataGenerator(**AUGMENT).flow_from_directory(tree, target_size=(16, 16),
                                                              batch_size=6, seed=8)
    assert not np.array_equal(a[0][0], other[0][0])


def test_each_epoch_reshuffles_and_redraws(tree):
    iterator = ImageDataGenerator(**AUGMENT).flow_from_directory(
        tree, target_size=(16, 16), batch_size=21, seed=3)
    first_order = iterator.index_array.copy()
    first = iterator[0][0]
    iterator.on_epoch_end()
    assert not np.array_equal(iterator.index_array, first_order)
    assert sorted(iterator.index_array) == list(range(21))
    assert not np.array_equal(iterator[0][0], first)


def test_legacy_next_protocol_cycles_epochs(tree):
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        tree, target_size=(16, 16), batch_size=8, seed=0)
    sizes = [len(next(iterator)[0]) for _ in range(7)]
    assert sizes == [8, 8, 5, 8, 8, 5, 8]
    assert iterator.epoch == 2
    x, y = next(iter(iterator))
    assert x.shape == (8, 16, 16, 3) and y.shape == (8, 3)


def test_unseeded_iterator_follows_numpy_global_seed(tree):
    np.random.seed(11)
    a = ImageDataGenerator(**AUGMENT).flow_from_directory(tree, target_size=(16, 16))
    np.random.seed(11)
    b = ImageDataGenerator(**AUGMENT).flow_from_directory(tree, target_size=(16, 16))
    np.testing.assert_array_equal(a[0][0], b[0][0])


def test_batch_index_out_of_range(tree):
    iterator = ImageDataGenerator().flow_from_directory(tree, target_size=(8, 8), batch_size=10)
    assert len(iterator) == 3
    with pytest.raises(IndexError):
        iterator[3]
    with pytest.raises(ValueError):  # the legacy iterator raised ValueError
        iterator[3]
    np.testing.assert_array_equal(iterator[-1][1], iterator[2][1])


def test_subsets_partition_each_class(tree):
    gen = ImageDataGenerator(validation_split=0.3)
    train = gen.flow_from_directory(tree, target_size=(8, 8), subset="training")
    val = gen.flow_from_directory(tree, target_size=(8, 8), subset="validation")
    assert set(train.filenames).isdisjoint(val.filenames)
    assert train.samples + val.samples == 21
    assert val.samples == 3 * int(0.3 * 7)


def test_channels_first_and_dtype(tree):
    iterator = ImageDataGenerator(rotation_range=10, data_format="channels_first",
                                  dtype="float64").flow_from_directory(
        tree, target_size=(12, 14), batch_size=3, color_mode="grayscale", class_mode="binary")
    x, y = iterator[0]
    assert x.shape == (3, 1, 12, 14) and x.dtype == np.float64 and y.dtype == np.float64
    assert iterator.image_shape == (1, 12, 14)


def test_preprocessing_function_applies_after_augmentation_before_rescale(tree):
    seen = []

    def record(image):
        seen.append(image.max())
        return image + 255.0

    iterator = ImageDataGenerator(rescale=1 / 510, preprocessing_function=record).flow_from_directory(
        tree, target_size=(8, 8), batch_size=4, shuffle=False)
    x, _ = iterator[0]
    assert len(seen) == 4 and max(seen) > 1  # received 0..255 pixels
    assert x.min() >= 0.5  # (x + 255) / 510
