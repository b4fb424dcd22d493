"""Live-plot outputs: the image widget is updated in place, the PNG file and the table."""

from __future__ import annotations

import io

import ipywidgets
import pytest
from PIL import Image

from augwidgets.training.history import TrainingHistory
from augwidgets.training.outputs import (
    ImageOutput,
    PNGFileOutput,
    TextTableOutput,
    in_notebook_kernel,
)
from augwidgets.training.plotting import CurveFigure


def _history(epochs: int) -> TrainingHistory:
    history = TrainingHistory()
    for epoch in range(epochs):
        for batch in range(3):
            history.log_batch(batch, {"loss": 2.0 - epoch - batch / 10, "accuracy": 0.1 * epoch},
                              steps=3)
        history.log_epoch(epoch, {"loss": 2.0 - epoch, "accuracy": 0.1 * epoch,
                                  "val_loss": 2.2 - epoch, "val_accuracy": 0.05 * epoch})
    return history


def test_image_output_updates_one_widget_in_place():
    widget = ipywidgets.Image(format="png")
    output = ImageOutput(widget)
    output.send(_history(1))
    first = widget.value
    output.send(_history(2))
    assert output.widget is widget
    assert widget.value == output.last_png and widget.value != first
    image = Image.open(io.BytesIO(widget.value))
    assert image.format == "PNG" and image.width == 9 * 80


def test_curve_figure_reuses_one_figure_with_one_panel_per_metric():
    figure = CurveFigure()
    figure.render_history(_history(2))
    assert [ax.get_title() for ax in figure.figure.axes] == ["loss", "accuracy"]
    first_figure = figure.figure
    for epochs in range(1, 6):
        figure.render_history(_history(epochs))
    assert figure.figure is first_figure and len(figure.figure.axes) == 2
    loss_axes = figure.figure.axes[0]
    labels = [line.get_label() for line in loss_axes.lines]
    assert labels == ["training (per batch)", "training", "validation"]
    assert list(loss_axes.lines[2].get_ydata()) == pytest.approx([2.2, 1.2, 0.2, -0.8, -1.8])


def test_png_file_output_writes_the_last_render(tmp_path):
    path = tmp_path / "deep" / "curves.png"
    output = PNGFileOutput(path)
    output.send(_history(2))
    assert path.read_bytes() == output.last_png
    assert not path.with_name("curves.png.tmp").exists()


def test_text_table_prints_one_row_per_new_epoch(capsys):
    output = TextTableOutput()
    output.send(_history(1))
    output.send(_history(1))  # nothing new: nothing printed
    output.send(_history(3))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["epoch", "loss", "val_loss", "accuracy", "val_accuracy"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    assert lines[3].split()[1:3] == ["0.0000", "0.2000"]
    assert output.last_text.splitlines() == lines


def test_not_in_a_notebook_under_pytest():
    assert in_notebook_kernel() is False
