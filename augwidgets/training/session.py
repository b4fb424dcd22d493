"""A training session: ``model.fit`` in a background thread that can be stopped and resumed.

``TrainingSession`` holds everything a training panel needs and nothing that draws
widgets: the model (a small default CNN or the user's), the data, the device, a
``LivePlot`` whose history survives across runs, and the thread. ``start()`` returns at
once; ``wait()`` blocks and re-raises whatever the training thread raised; ``stop()``
ends training after the current batch; a second ``start()`` continues where the last run
ended (``initial_epoch``) and appends to the history; ``reset()`` starts over with the
initial weights. A NaN or infinite loss stops training with a message.

The session is one state machine (``SessionState``). Every transition happens under one
lock, in one method (``_transition``), and listeners are called after the lock is released,
so a listener may call back into the session. ``stop()`` racing the end of ``fit`` always
lands in a resting state: whichever takes the lock first decides, and the loser sees the
new state. A ``KeyboardInterrupt`` (a kernel interrupt) during ``wait()`` stops training
after the current batch, keeps the history and the weights, and is re-raised.

On a GPU the generator's augmentation moves onto the device (the model's first layer,
fed by un-augmented batches); ``augment_on_device=True`` forces that path on any device.

Examples:
    >>> from augwidgets import ImageDataGenerator, datasets
    >>> root = datasets.digits("data/digits")
    >>> train = ImageDataGenerator(rescale=1 / 255, rotation_range=10).flow_from_directory(
    ...     root / "train", target_size=(32, 32), color_mode="grayscale", seed=0)
    Found 1438 images belonging to 10 classes.
    >>> session = TrainingSession(train, epochs=1, outputs=[])
    >>> session.start()
    >>> session.wait()  # blocks until training ends; True once it finished
    True
    >>> session.state.value, len(session.history["loss"])
    ('finished', 1)
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from augwidgets.training.callback import LivePlot
from augwidgets.training.data_info import computed_steps, describe_data_shape, positive_int
from augwidgets.training.device import DeviceInfo, default_dtype_policy, describe_device
from augwidgets.training.model import (
    augmentation_arguments,
    augmentation_on_device,
    build_default_model,
    device_augmentation_blocker,
    generator_kwargs_of,
    unaugmented_iterator,
)
from augwidgets.training.outputs import Output
from augwidgets.training.session_state import TRANSITIONS, SessionState


def _summarise(error: BaseException) -> str:
    """One line for a panel: TensorFlow wraps Python errors from the input pipeline in a
    long "Graph execution error", so the original ``SomeError: message`` line is preferred."""
    text = str(error)
    for line in text.splitlines():
        match = re.match(r"\s*(\w+(Error|Exception|Interrupt)): (.+)", line)
        if match and match.group(1) != type(error).__name__:
            return f"{type(error).__name__} ({match.group(1)}: {match.group(3).strip()})"
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(error).__name__}: {first}"


class _Control(keras.callbacks.Callback):
    """Stops at a batch end when asked or when the loss is not finite; reports progress."""

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.session._record_divergence(float(loss), batch)
            self.model.stop_training = True
        elif self.session._stop_requested.is_set():
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.session._notify()


class TrainingSession:
    """Trains a model in the background with a live plot; stop, resume and reset it.

    Args:
        train: the training iterator (``flow_from_directory`` of ``augwidgets`` or legacy
            Keras, or any ``keras.utils.PyDataset``).
        validation: an un-augmented validation iterator, or None.
        model: a compiled Keras model; None builds a small CNN for the data's image shape
            and class count.
        epochs: epochs per ``start()``.
        learning_rate: set on the optimizer (None keeps the model's own).
        steps_per_epoch: batches per epoch; None uses ``ceil(samples / batch_size)``. A
            larger value is replaced by that number, with a note.
        augment_on_device: ``"auto"`` (on a GPU, when the generator's settings allow it),
            True (always; raises if the settings do not allow it) or False.
        strategy: a ``tf.distribute.Strategy`` to build the default model under. A model
            you pass must already be built and compiled inside ``strategy.scope()``.
        seed: seeds the default model's initialisers and the on-device augmentation.
        outputs: live-plot outputs (see ``LivePlot``); None picks them automatically.

    Examples:
        >>> from augwidgets import ImageDataGenerator, datasets
        >>> root = datasets.digits("data/digits")
        >>> train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        ...     root / "train", target_size=(32, 32), color_mode="grayscale")
        Found 1438 images belonging to 10 classes.
        >>> val = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        ...     root / "validation", target_size=(32, 32), color_mode="grayscale",
        ...     shuffle=False)
        Found 359 images belonging to 10 classes.
        >>> session = TrainingSession(train, validation=val, epochs=3)
        >>> session.state.value, session.computed_steps_per_epoch
        ('ready', 45)
    """

    def __init__(self, train: Any, *, validation: Any = None, model: keras.Model | None = None,
                 epochs: int = 10, learning_rate: float | None = None,
                 steps_per_epoch: int | None = None, augment_on_device: bool | str = "auto",
                 strategy: Any = None, seed: int = 0,
                 outputs: Sequence[Output] | None = None) -> None:
        if train is None:
            raise ValueError("`train` must be a training iterator. Received: train=None")
        self.epochs = positive_int("epochs", epochs)
        steps_per_epoch = positive_int("steps_per_epoch", steps_per_epoch, allow_none=True)
        if augment_on_device not in ("auto", True, False):
            raise ValueError("`augment_on_device` must be 'auto', True or False. "
                             f"Received: augment_on_device={augment_on_device!r}")
        if learning_rate is not None and not (isinstance(learning_rate, int | float)
                                              and 0 < learning_rate <= 10):
            raise ValueError("`learning_rate` must be a number in (0, 10]. "
                             f"Received: learning_rate={learning_rate!r}")
        self.seed = seed
        self.strategy = strategy
        self.device: DeviceInfo = describe_device()
        self.notes: list[str] = []
        self.original_train = train
        self.validation = validation
        self._user_model = model
        self._listeners: list[Callable[[TrainingSession], None]] = []

        # --- steps per epoch, from the number of images
        self.computed_steps_per_epoch = computed_steps(train)
        self.steps_per_epoch = self._choose_steps(steps_per_epoch)

        # --- augmentation on the device?
        generator = getattr(train, "image_data_generator", None)
        kwargs = generator_kwargs_of(generator) if generator is not None else {}
        has_augmentation = bool(augmentation_arguments(kwargs))
        blocker = device_augmentation_blocker(kwargs) if generator is not None else (
            "the training data does not come from an ImageDataGenerator")
        if augment_on_device is True and blocker:
            raise ValueError(f"`augment_on_device=True` is not possible: {blocker}. "
                             "Received: augment_on_device=True")
        want = augment_on_device is True or (augment_on_device == "auto" and self.device.is_gpu)
        self.augment_on_device = bool(want and has_augmentation and not blocker)
        if augment_on_device == "auto" and self.device.is_gpu and has_augmentation and blocker:
            self.notes.append(f"Augmentation stays on the CPU: {blocker}.")
        self._generator_kwargs = kwargs
        self.train = unaugmented_iterator(train) if self.augment_on_device else train

        # --- model
        self.image_shape, self.num_classes, self.class_mode = describe_data_shape(train)
        self.dtype_policy = (default_dtype_policy(self.device) if model is None
                             else getattr(model.dtype_policy, "name", str(model.dtype_policy)))
        if model is not None and strategy is not None:
            self.notes.append("With `strategy=`, build and compile your model inside "
                              "`strategy.scope()`.")
        self.model = self._build_model()
        self._initial_learning_rate = self.learning_rate
        if learning_rate is not None:
            self.learning_rate = learning_rate
            self._initial_learning_rate = float(learning_rate)
        self._initial_weights = [np.array(w) for w in self.model.get_weights()]
        self._initial_optimizer = self._optimizer_snapshot()

        # --- live plot and thread state
        self.live_plot = LivePlot(outputs=outputs)
        self._control = _Control(self)
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        # Set when a run's thread has finished everything. wait() blocks on this, not on
        # Thread.join: an interrupted join marks a live thread as stopped (bpo-45274).
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()
        self._state = SessionState.READY
        self._divergence: str | None = None
        self.error: BaseException | None = None
        self.message = ""

    # ------------------------------------------------------------------------ construction
    def _choose_steps(self, requested: int | None) -> int | None:
        computed = self.computed_steps_per_epoch
        if requested is None or computed is None:
            return requested
        samples = getattr(self.original_train, "samples", None)
        batch = getattr(self.original_train, "batch_size", None)
        source = (f"ceil({samples} images / batch size {batch}) = {computed}" if samples
                  else f"{computed}")
        if requested > computed:
            self.notes.append(f"steps_per_epoch={requested} is more than the data has "
                              f"({source}); using {computed}.")
            return computed
        if requested < computed:
            self.notes.append(f"steps_per_epoch={requested} is less than {source}: each "
                              "epoch sees only part of the images.")
        return requested

    def _build_model(self) -> keras.Model:
        import contextlib

        scope = self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()
        with scope:
            if self._user_model is None:
                model = build_default_model(self.image_shape, self.num_classes,
                                            class_mode=self.class_mode, seed=self.seed,
                                            dtype_policy=self.dtype_policy)
            else:
                model = self._user_model
                if not getattr(model, "compiled", False):
                    raise ValueError("`model` must be compiled (call `model.compile(...)`). "
                                     f"Received: model={model.name!r}")
            if self.augment_on_device:
                model = augmentation_on_device(model, self._generator_kwargs, seed=self.seed)
            if not model.optimizer.built:  # so reset() can restore its initial state
                model.optimizer.build(model.trainable_variables)
        return model

    def _optimizer_snapshot(self) -> list[np.ndarray]:
        return [keras.ops.convert_to_numpy(v) for v in self.model.optimizer.variables]

    # ------------------------------------------------------------------------- properties
    @property
    def state(self) -> SessionState:
        """The current ``SessionState`` (changed only by the session's own methods)."""
        return self._state

    @property
    def running(self) -> bool:
        """True while training is under way (running or stopping)."""
        return self._state.active

    @property
    def history(self) -> dict[str, list[float]]:
        """Epoch values keyed as in Keras logs, over every run since the last reset."""
        return self.live_plot.history

    @property
    def batch_history(self) -> dict[str, list[float]]:
        """Per-batch training values over every run since the last reset."""
        return self.live_plot.batch_history

    @property
    def epochs_done(self) -> int:
        """Epochs logged since the last reset (a stopped epoch counts)."""
        return len(self.live_plot.training_history)

    @property
    def learning_rate(self) -> float:
        """The optimizer's learning rate; setting it takes effect at the next batch."""
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if not (isinstance(value, int | float) and 0 < value <= 10):
            raise ValueError("`learning_rate` must be a number in (0, 10]. "
                             f"Received: learning_rate={value!r}")
        rate = self.model.optimizer.learning_rate
        if not hasattr(rate, "assign"):
            raise ValueError("The optimizer's learning rate is a schedule and cannot be set. "
                             f"Received: learning_rate={value!r}")
        rate.assign(float(value))

    def describe(self) -> str:
        """Device, precision, steps and notes as plain text lines."""
        lines = [f"device: {self.device.describe()}",
                 f"precision: {self.dtype_policy}",
                 f"augmentation: {'on the device (first model layer)' if self.augment_on_device else 'in the input pipeline'}",
                 f"steps_per_epoch: {self.steps_per_epoch or self.computed_steps_per_epoch}"
                 + (f" (computed {self.computed_steps_per_epoch})"
                    if self.steps_per_epoch not in (None, self.computed_steps_per_epoch) else "")]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def __repr__(self) -> str:
        return (f"TrainingSession(state={self.state.value!r}, epochs_done={self.epochs_done}, "
                f"device={self.device.kind!r})")

    # ---------------------------------------------------------------------------- control
    def add_listener(self, listener: Callable[[TrainingSession], None]) -> None:
        """Calls ``listener(session)`` when the state changes and after every epoch."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _transition(self, new: SessionState, message: str | None = None) -> None:
        """Moves to ``new``; the caller holds ``self._lock`` and notifies afterwards."""
        if new not in TRANSITIONS[self._state]:
            raise RuntimeError(f"A training session cannot go from {self._state.value!r} to "
                               f"{new.value!r}.")
        self._state = new
        if message is not None:
            self.message = message

    def _record_divergence(self, loss: float, batch: int) -> None:
        # Called by the callback in the training thread; the run's end turns it into DIVERGED.
        with self._lock:
            self._divergence = (f"The loss became {loss} at epoch {self.epochs_done + 1}, batch "
                                f"{batch + 1}; training stopped. Lower the learning rate, or "
                                "check that the inputs are rescaled.")
            self.message = self._divergence
        self._notify()

    def _join_previous(self) -> None:
        """Waits until the last run's thread has done everything, listeners included."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._done.wait()

    def start(self, epochs: int | None = None) -> None:
        """Starts (or continues) training in a background thread and returns at once.

        Args:
            epochs: epochs to train in this run (None: the session's ``epochs``).

        Raises:
            RuntimeError: when training is already under way.
        """
        epochs = self.epochs if epochs is None else positive_int("epochs", epochs)
        if self._state.resting:
            self._join_previous()
        with self._lock:
            if self._state.active:
                raise RuntimeError("Training is already running; call stop() or wait() first. "
                                   f"Received: state={self._state.value!r}")
            self._stop_requested.clear()
            self._divergence = None
            self.error = None
            initial = self.epochs_done
            self._thread = threading.Thread(target=self._run, args=(initial, initial + epochs),
                                            name="augwidgets-training", daemon=True)
            self._transition(SessionState.RUNNING,
                             f"training epochs {initial + 1} to {initial + epochs}")
            self._done.clear()
            self._thread.start()
        self._notify()

    def _run(self, initial_epoch: int, final_epoch: int) -> None:
        try:
            self._train(initial_epoch, final_epoch)
        finally:
            self._done.set()

    def _train(self, initial_epoch: int, final_epoch: int) -> None:
        error: BaseException | None = None
        try:
            self.model.fit(self.train, validation_data=self.validation, epochs=final_epoch,
                           initial_epoch=initial_epoch, steps_per_epoch=self.steps_per_epoch,
                           callbacks=[self._control, self.live_plot], verbose=0)
        except BaseException as caught:  # re-raised by wait(); shown by a panel
            error = caught
        with self._lock:  # the one place a run ends; stop() either came before or sees this
            if error is not None:
                self.error = error
                self._transition(SessionState.FAILED, _summarise(error))
            elif self._divergence is not None:
                self._transition(SessionState.DIVERGED, self._divergence)
            elif self._stop_requested.is_set():
                self._transition(SessionState.STOPPED, f"stopped after {self.epochs_done} epochs")
            else:
                self._transition(SessionState.FINISHED, f"finished {self.epochs_done} epochs")
        self._notify()

    def stop(self) -> None:
        """Asks training to end after the current batch, keeping history and weights.

        Returns at once (a no-op when nothing runs); call ``wait()`` to block until the
        thread has ended.
        """
        with self._lock:
            if self._state is not SessionState.RUNNING:
                return
            self._stop_requested.set()
            self._transition(SessionState.STOPPING, "stopping after the current batch")
        self._notify()

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until training ends; re-raises an exception from the training thread.

        A ``KeyboardInterrupt`` while waiting (interrupting the kernel) stops training after
        the current batch, waits for it, keeps the history and the weights, and is re-raised.

        Args:
            timeout: seconds to wait at most (None: no limit).

        Returns:
            True when training has ended, False when the timeout passed first.
        """
        if self._thread is not None and self._thread is not threading.current_thread():
            try:
                ended = self._done.wait(timeout)
            except KeyboardInterrupt:
                self.stop()
                self._done.wait()  # a second interrupt here propagates as it is
                raise
            if not ended:
                return False
        if self.error is not None:
            raise self.error
        return True

    def reset(self) -> None:
        """Stops training and starts over: initial weights, fresh optimizer, empty history.

        Raises:
            RuntimeError: when called from the training thread (a listener) mid-run.
        """
        if self._state.active and self._thread is threading.current_thread():
            raise RuntimeError("reset() cannot wait for the training thread from inside it. "
                               f"Received: state={self._state.value!r}")
        while True:
            self.stop()
            self._join_previous()
            with self._lock:
                if self._state.active:  # another start() won the race: stop that one too
                    continue
                self.model.set_weights(self._initial_weights)
                for variable, value in zip(self.model.optimizer.variables,
                                           self._initial_optimizer, strict=True):
                    variable.assign(value)
                self.learning_rate = self._initial_learning_rate
                self.live_plot.reset()
                self.error = None
                self._divergence = None
                self._thread = None
                self._transition(SessionState.READY, "")
                break
        self._notify()
