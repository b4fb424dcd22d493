"""The pure training history model: logging, pairing, positions, clearing."""

from __future__ import annotations

import math

import pytest

from augwidgets.training.history import TrainingHistory


def test_epoch_metrics_are_keyed_as_keras_logs_and_pair_train_with_validation():
    history = TrainingHistory()
    history.log_epoch(0, {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.5, "val_accuracy": 0.4})
    history.log_epoch(1, {"loss": 0.8, "accuracy": 0.6, "val_loss": 1.4, "val_accuracy": 0.45})
    assert history.epoch_metrics() == {
        "loss": [1.0, 0.8], "accuracy": [0.5, 0.6],
        "val_loss": [1.5, 1.4], "val_accuracy": [0.4, 0.45]}
    assert history.metric_names == ["loss", "accuracy"]
    assert history.pairs() == [("loss", [1.0, 0.8], [1.5, 1.4]),
                               ("accuracy", [0.5, 0.6], [0.4, 0.45])]
    assert history.best_epoch("val_accuracy") == 2
    assert history.best_epoch("val_loss", mode="min") == 2


def test_batches_are_placed_on_the_epoch_axis_and_continue_across_fits():
    history = TrainingHistory()
    for batch in range(4):
        history.log_batch(batch, {"loss": 4.0 - batch}, steps=4)
    history.log_epoch(0, {"loss": 2.5})
    # a second fit restarting Keras' epoch count at 0 appends
    for batch in range(2):
        history.log_batch(batch, {"loss": 1.0}, steps=4)
    history.log_epoch(0, {"loss": 1.0})
    positions, values = history.batch_series("loss")
    assert positions == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
    assert values == [4.0, 3.0, 2.0, 1.0, 1.0, 1.0]
    assert history.epoch_series("loss") == ([1, 2], [2.5, 1.0])
    assert [record.epoch for record in history.epochs] == [0, 0]


def test_steps_are_inferred_from_the_previous_epoch_when_unknown():
    history = TrainingHistory()
    for batch in range(5):
        history.log_batch(batch, {"loss": 1.0})
    history.log_epoch(0, {"loss": 1.0})
    history.log_batch(0, {"loss": 1.0})
    assert history.batches[-1].position == pytest.approx(1.2)


def test_missing_values_are_nan_and_non_numbers_are_dropped():
    history = TrainingHistory()
    history.log_epoch(0, {"loss": 1.0, "note": "text"})
    history.log_epoch(1, {"loss": 0.5, "val_loss": 0.7})
    metrics = history.epoch_metrics()
    assert "note" not in metrics
    assert math.isnan(metrics["val_loss"][0]) and metrics["val_loss"][1] == 0.7
    assert history.best_epoch("val_accuracy") is None


def test_clear_forgets_everything_and_mode_is_checked():
    history = TrainingHistory()
    history.log_batch(0, {"loss": 1.0}, steps=1)
    history.log_epoch(0, {"loss": 1.0})
    history.clear()
    assert len(history) == 0 and history.batches == [] and history.metric_names == []
    with pytest.raises(ValueError, match="Received: mode='best'"):
        history.best_epoch("loss", mode="best")
