"""TrainingSession: background fit, stop mid-run, continue, reset, NaN, errors, GPU path."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest

from augwidgets.training.session import TrainingSession
from tests.training_data import digits_tree, iterators


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return digits_tree(tmp_path_factory.mktemp("digits"), image_size=16, per_class=10)


def _wait_for_batches(session: TrainingSession, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(session.batch_history.get("loss", [])) < count and session.running:
        assert time.monotonic() < deadline, "training produced no batches"
        time.sleep(0.05)


def test_stop_mid_run_keeps_history_and_weights_and_start_continues(digits):
    train, validation = iterators(digits, rotation_range=10)
    session = TrainingSession(train, validation=validation, epochs=500, seed=0)
    initial = [w.copy() for w in session.model.get_weights()]
    session.start()
    assert session.running
    _wait_for_batches(session, 12)
    session.stop()
    assert session.wait() is True
    assert not session.running and session.state == "stopped"
    done = session.epochs_done
    assert 1 <= done < 500
    assert all(len(values) == done for values in session.history.values())
    assert len(session.batch_history["loss"]) >= 12
    assert any(not np.array_equal(a, b) for a, b in zip(initial, session.model.get_weights(),
                                                         strict=True))
    trained = [w.copy() for w in session.model.get_weights()]

    session.start(epochs=1)
    session.wait()
    assert session.state == "finished" and session.epochs_done == done + 1
    assert len(session.history["val_loss"]) == done + 1
    assert session.live_plot.training_history.epochs[-1].epoch == done  # initial_epoch
    assert any(not np.array_equal(a, b) for a, b in zip(trained, session.model.get_weights(),
                                                         strict=True))

    session.reset()
    assert session.state == "ready" and session.epochs_done == 0 and session.history == {}
    assert all(np.array_equal(a, b) for a, b in zip(initial, session.model.get_weights(),
                                                     strict=True))
    assert int(keras.ops.convert_to_numpy(session.model.optimizer.iterations)) == 0


class _Batches(keras.utils.PyDataset):
    """Eight-image batches of 16x16x1 images; NaN labels or an exception on request."""

    def __init__(self, *, nan: bool = False, fail_at: int | None = None) -> None:
        super().__init__()
        self.nan, self.fail_at = nan, fail_at

    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int):
        if self.fail_at is not None and index == self.fail_at:
            raise RuntimeError("broken batch 3")
        x = np.full((8, 16, 16, 1), 0.5, "float32")
        y = keras.utils.to_categorical(np.arange(8) % 3, 3)
        if self.nan:
            y[:] = np.nan
        return x, y


def test_nan_loss_stops_training_with_a_message():
    session = TrainingSession(_Batches(nan=True), epochs=5)
    session.start()
    assert session.wait() is True
    assert session.state == "diverged"
    assert "The loss became nan at epoch 1, batch 1" in session.message
    assert session.epochs_done == 1 and len(session.batch_history["loss"]) == 1


def test_an_exception_in_the_training_thread_is_reraised_by_wait():
    session = TrainingSession(_Batches(fail_at=3), epochs=2)
    session.start()
    # TensorFlow wraps errors from the input pipeline; the original text survives
    with pytest.raises(Exception, match="broken batch 3") as raised:
        session.wait()
    assert session.state == "failed"
    assert session.message.endswith("(RuntimeError: broken batch 3)"), session.message
    with pytest.raises(Exception, match="broken batch 3") as again:
        session.wait()  # still not swallowed
    assert again.value is raised.value


def test_steps_per_epoch_is_computed_and_wrong_values_get_a_note(digits):
    train, _ = iterators(digits)
    assert train.samples == 80 and train.batch_size == 8
    session = TrainingSession(train, steps_per_epoch=25)
    assert session.computed_steps_per_epoch == 10 and session.steps_per_epoch == 10
    assert "steps_per_epoch=25 is more than the data has" in session.describe()
    session = TrainingSession(train, steps_per_epoch=4)
    assert session.steps_per_epoch == 4
    assert "each epoch sees only part of the images" in session.describe()
    assert "device: CPU" in session.describe() and "precision: float32" in session.describe()
    with pytest.raises(ValueError, match="Received: steps_per_epoch=0"):
        TrainingSession(train, steps_per_epoch=0)
    with pytest.raises(ValueError, match="Received: augment_on_device='gpu'"):
        TrainingSession(train, augment_on_device="gpu")


def test_a_user_model_and_the_learning_rate_control(digits):
    train, validation = iterators(digits)
    model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
    session = TrainingSession(train, validation=validation, model=model, epochs=1,
                              learning_rate=0.02)
    assert session.model is model
    assert session.learning_rate == pytest.approx(0.02)
    session.learning_rate = 0.005
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.005)
    with pytest.raises(ValueError, match="Received: learning_rate=-1"):
        session.learning_rate = -1
    session.start()
    session.wait()
    assert set(session.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_strategy_builds_the_default_model_in_its_scope(digits):
    import tensorflow as tf

    train, _ = iterators(digits)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    session = TrainingSession(train, epochs=1, strategy=strategy)
    assert session.model.distribute_strategy is strategy
    session.start()
    session.wait()
    assert len(session.history["loss"]) == 1


def test_the_default_model_takes_mixed_precision():
    from augwidgets.training.model import build_default_model

    model = build_default_model((16, 16, 1), 3, dtype_policy="mixed_float16")
    assert model.layers[0].compute_dtype == "float16"
    assert model.layers[-1].compute_dtype == "float32"
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_augmentation_on_the_device_path_runs_on_the_cpu(digits):
    pytest.importorskip("augwidgets.layers")
    from augwidgets.layers import GeneratorAugmentation

    train, validation = iterators(digits, rotation_range=30, horizontal_flip=True, zoom_range=0.1)
    session = TrainingSession(train, validation=validation, epochs=1, augment_on_device=True)
    assert session.augment_on_device and "on the device" in session.describe()
    block = session.model.layers[0]
    assert block.name == "augmentation_on_device"
    kinds = [type(layer) for layer in block.layers]
    assert kinds == [keras.layers.Rescaling, GeneratorAugmentation, keras.layers.Rescaling]
    assert block.layers[1].generator_kwargs["rotation_range"] == 30
    # the training iterator now only decodes and rescales
    generator = session.train.image_data_generator
    assert generator.rotation_range == 0 and not generator.horizontal_flip
    assert generator.rescale == pytest.approx(1 / 255)
    assert session.train is not train and session.train.filenames == train.filenames
    x, _ = session.train[0]
    assert 0 <= x.min() and x.max() <= 1
    session.start()
    session.wait()
    assert len(session.history["val_accuracy"]) == 1


def test_augmentation_on_the_device_refuses_settings_it_cannot_reorder(digits):
    train, _ = iterators(digits, rotation_range=10, samplewise_center=True)
    with pytest.raises(ValueError, match="`samplewise_center` runs after augmentation"):
        TrainingSession(train, augment_on_device=True)
