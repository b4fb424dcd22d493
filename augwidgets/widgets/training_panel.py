"""``TrainingPanel``: Start/Stop/Reset buttons, a learning-rate slider and live curves.

The panel is a thin ipywidgets view over ``augwidgets.training.session.TrainingSession``,
which owns the model, the data and the background thread. Training runs in that thread,
so the widgets stay responsive; the curves are one ``ipywidgets.Image`` whose value is
replaced in place. Displayed, the panel also carries a PNG of those curves for frontends
without widgets (``augwidgets.widgets.live_picture``), re-sent when training ends so that a
saved notebook shows the final curves. Everything a button does is also a method (``start``,
``stop``, ``wait``, ``reset``), so the panel can be driven from code and tested in plain
pytest.

Examples:
    >>> import augwidgets
    >>> root = augwidgets.datasets.digits("data/digits")
    >>> gen = augwidgets.ImageDataGenerator(rescale=1 / 255, rotation_range=10)
    >>> train = gen.flow_from_directory(root / "train", target_size=(32, 32),
    ...                                 color_mode="grayscale")
    Found 1438 images belonging to 10 classes.
    >>> panel = augwidgets.TrainingPanel(train, epochs=5)
    >>> panel  # in a notebook: the buttons and the live curves  # doctest: +ELLIPSIS
    TrainingPanel(state='ready', epochs_done=0, device=...)
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets

from augwidgets.training.outputs import ImageOutput, Output, PNGFileOutput
from augwidgets.training.session import TrainingSession
from augwidgets.training.session_state import SessionState
from augwidgets.widgets.live_picture import LivePictureMixin


def _button_layout() -> widgets.Layout:
    """As wide as the icon and label: never cut, never the 148 px default."""
    return widgets.Layout(width="auto", min_width="fit-content", flex="0 0 auto")


_STATE_COLOURS = {SessionState.FAILED: "#b00020", SessionState.DIVERGED: "#b00020",
                  SessionState.RUNNING: "#1a7f37", SessionState.STOPPING: "#9a6700"}


# ipywidgets ships no type information, so mypy sees widgets.VBox as Any.
class TrainingPanel(LivePictureMixin, widgets.VBox):  # type: ignore[misc]
    """Train a model on an image iterator and watch the curves live.

    Args:
        train: the training iterator (``flow_from_directory`` of an ``ImageDataGenerator``,
            or any ``keras.utils.PyDataset``).
        validation: an un-augmented validation iterator (the only honest judge of
            augmentation), or None.
        model: a compiled Keras model; None builds a small CNN for the data.
        epochs: epochs per Start (editable in the panel).
        learning_rate: initial learning rate (None keeps the model's own; the slider
            changes it live, also during training).
        steps_per_epoch: None computes it from the number of images; a wrong value gets a
            note in the panel.
        augment_on_device: ``"auto"`` (on a GPU), True or False; see ``TrainingSession``.
        strategy: a ``tf.distribute.Strategy`` to build the default model under.
        seed: seeds the default model and the on-device augmentation.
        png_path: also write the curves to this PNG file.

    Examples:
        >>> from augwidgets import ImageDataGenerator, datasets
        >>> root = datasets.digits("data/digits")
        >>> options = dict(target_size=(32, 32), color_mode="grayscale")
        >>> train = ImageDataGenerator(rescale=1 / 255, rotation_range=10).flow_from_directory(
        ...     root / "train", seed=0, **options)
        Found 1438 images belonging to 10 classes.
        >>> val = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        ...     root / "validation", shuffle=False, **options)
        Found 359 images belonging to 10 classes.
        >>> panel = TrainingPanel(train, validation=val, epochs=1)
        >>> panel.start()   # returns at once; training runs in a thread
        >>> panel.wait()
        True
        >>> len(panel.history["val_accuracy"])
        1
    """

    def __init__(self, train: Any, *, validation: Any = None, model: Any = None,
                 epochs: int = 10, learning_rate: float | None = None,
                 steps_per_epoch: int | None = None, augment_on_device: bool | str = "auto",
                 strategy: Any = None, seed: int = 0,
                 png_path: str | os.PathLike[str] | None = None) -> None:
        # No side margins: max-width 100% plus the default 2 px margins would stick out.
        self.plot = widgets.Image(format="png", layout=widgets.Layout(
            max_width="100%", height="auto", margin="2px 0"))
        self.plot.add_class("augwidgets-live-plot")
        outputs: list[Output] = [ImageOutput(self.plot, auto_display=False)]
        if png_path is not None:
            outputs.append(PNGFileOutput(png_path))
        self.session = TrainingSession(
            train, validation=validation, model=model, epochs=epochs,
            learning_rate=learning_rate, steps_per_epoch=steps_per_epoch,
            augment_on_device=augment_on_device, strategy=strategy, seed=seed, outputs=outputs)

        self.start_button = widgets.Button(description="Start", icon="play",
                                           button_style="success", tooltip="Train (or continue)",
                                           layout=_button_layout())
        self.stop_button = widgets.Button(description="Stop", icon="stop", button_style="warning",
                                          tooltip="Stop after the current batch", disabled=True,
                                          layout=_button_layout())
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           tooltip="Start over with the initial weights",
                                           layout=_button_layout())
        self.epochs_input = widgets.BoundedIntText(value=self.session.epochs, min=1, max=10_000,
                                                   description="epochs",
                                                   layout=widgets.Layout(width="160px",
                                                                         flex="0 0 auto"))
        rate = self.session.learning_rate
        self.learning_rate_slider = widgets.FloatLogSlider(
            value=rate, base=10, min=-5, max=0, step=0.25, description="learning rate",
            readout_format=".1e", continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", flex="1 1 320px", min_width="260px",
                                  max_width="440px"))
        self.status = widgets.HTML()

        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.reset_button.on_click(lambda _: self.reset())
        self.learning_rate_slider.observe(self._on_learning_rate, names="value")
        self.session.add_listener(lambda _session: self._refresh())

        # A wrapping row: on a narrow output the slider moves to a second line instead of
        # pushing the panel past the cell.
        controls = widgets.Box([self.start_button, self.stop_button, self.reset_button,
                                self.epochs_input, self.learning_rate_slider],
                               layout=widgets.Layout(display="flex", flex_flow="row wrap",
                                                     align_items="center", grid_gap="4px 8px",
                                                     min_width="0"))
        super().__init__([controls, self.status, self.plot],
                         layout=widgets.Layout(width="100%", min_width="0"))
        self._was_active = False
        self.session.live_plot.draw()  # an empty plot, so the panel has its final layout
        self._refresh()

    # ---------------------------------------------------------------------------- session
    @property
    def model(self) -> Any:
        """The Keras model being trained (with the augmentation layer on the GPU path)."""
        return self.session.model

    @property
    def running(self) -> bool:
        """True while training is under way."""
        return self.session.running

    @property
    def history(self) -> dict[str, list[float]]:
        """Epoch values keyed as in Keras logs, over every run since the last reset."""
        return self.session.history

    @property
    def batch_history(self) -> dict[str, list[float]]:
        """Per-batch training values since the last reset."""
        return self.session.batch_history

    def start(self) -> None:
        """Starts or continues training for ``epochs`` more epochs; returns at once."""
        if self.session.running:
            return
        self.session.start(epochs=self.epochs_input.value)

    def stop(self) -> None:
        """Ends training after the current batch, keeping the history and the weights."""
        self.session.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until training ends and re-raises its exception, if any."""
        try:
            return self.session.wait(timeout)
        finally:
            if not self.session.running:  # from this thread too, for a kernel client's record
                self.refresh_picture()

    def reset(self) -> None:
        """Stops training and starts over (initial weights, empty history)."""
        self.session.reset()
        self.session.learning_rate = self.learning_rate_slider.value
        self.session.live_plot.draw()
        self._refresh()
        self.refresh_picture()

    def _on_learning_rate(self, change: dict[str, Any]) -> None:
        self.session.learning_rate = float(change["new"])

    # ------------------------------------------------------------------------------- view
    def _static_picture(self) -> bytes | None:
        return bytes(self.plot.value) or None

    def _refresh(self) -> None:
        session = self.session
        state = session.state
        running = state.active
        if self._was_active and not running:  # a run ended: its final curves are the picture
            self.refresh_picture()
        self._was_active = running
        self.start_button.disabled = running
        self.stop_button.disabled = not running
        self.epochs_input.disabled = running
        colour = _STATE_COLOURS.get(state, "#57606a")
        history = session.live_plot.training_history
        logs = history.last_epoch_logs()
        keys = [k for name in history.metric_names for k in (name, "val_" + name) if k in logs]
        metrics = ", ".join(f"{k} {logs[k]:.4f}" for k in keys)
        rows = [f"<b style='color:{colour}'>{html.escape(state.value)}</b>"
                + (f": {html.escape(session.message)}" if session.message else "")
                + f" &middot; epochs done: {session.epochs_done}",
                *(html.escape(line) for line in session.describe().splitlines())]
        if metrics:
            rows.append(f"last epoch: {html.escape(metrics)}")
        self.status.value = "<div style='font-family:monospace;font-size:12px'>" + \
            "<br>".join(rows) + "</div>"

    def __repr__(self) -> str:
        return (f"TrainingPanel(state={self.session.state.value!r}, "
                f"epochs_done={self.session.epochs_done}, device={self.session.device.kind!r})")
