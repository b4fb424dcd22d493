"""TrainingPanel driven like a browser would: button clicks and widget values."""

from __future__ import annotations

import io
import time

import keras
import numpy as np
import pytest
from PIL import Image

from augwidgets.widgets.training_panel import TrainingPanel
from tests.training_data import digits_tree, iterators


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return digits_tree(tmp_path_factory.mktemp("digits"), image_size=16, per_class=10)


def test_buttons_train_stop_continue_and_reset(digits):
    train, validation = iterators(digits, rotation_range=10)
    panel = TrainingPanel(train, validation=validation, epochs=300)
    assert repr(panel) == "TrainingPanel(state='ready', epochs_done=0, device='CPU')"
    assert "device: CPU" in panel.status.value and "steps_per_epoch: 10" in panel.status.value
    empty_plot = panel.plot.value
    assert Image.open(io.BytesIO(empty_plot)).format == "PNG"

    panel.start_button.click()
    assert panel.running and panel.start_button.disabled and not panel.stop_button.disabled
    deadline = time.monotonic() + 120
    while len(panel.batch_history.get("loss", [])) < 5 and panel.running:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    panel.stop_button.click()
    panel.wait()
    assert not panel.running and not panel.start_button.disabled and panel.stop_button.disabled
    done = panel.session.epochs_done
    assert 1 <= done < 300 and "stopped" in panel.status.value
    assert panel.plot.value != empty_plot

    panel.epochs_input.value = 1
    panel.start_button.click()
    panel.wait()
    assert panel.session.epochs_done == done + 1
    assert "last epoch: loss" in panel.status.value

    panel.reset_button.click()
    assert panel.history == {} and "ready" in panel.status.value
    assert repr(panel) == "TrainingPanel(state='ready', epochs_done=0, device='CPU')"


def test_learning_rate_slider_sets_the_optimizer(digits):
    train, _ = iterators(digits)
    panel = TrainingPanel(train, learning_rate=1e-3)
    assert panel.learning_rate_slider.value == pytest.approx(1e-3)
    panel.learning_rate_slider.value = 1e-2
    rate = keras.ops.convert_to_numpy(panel.model.optimizer.learning_rate)
    assert float(rate) == pytest.approx(1e-2)
    panel.reset()  # reset keeps the slider's rate
    assert panel.session.learning_rate == pytest.approx(1e-2)


class _Broken(keras.utils.PyDataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int):
        if index == 2:
            raise ValueError("cannot decode image 7")
        return np.zeros((4, 8, 8, 1), "float32"), keras.utils.to_categorical([0, 1, 0, 1], 2)


def test_an_error_is_shown_in_the_panel_and_raised_by_wait():
    panel = TrainingPanel(_Broken(), epochs=1)
    panel.start()
    with pytest.raises(Exception, match="cannot decode image 7"):
        panel.wait()
    assert "failed" in panel.status.value
    assert "ValueError: cannot decode image 7" in panel.status.value
    assert not panel.start_button.disabled
