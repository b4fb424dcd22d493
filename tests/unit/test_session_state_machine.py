"""TrainingSession as a state machine: random start/stop/reset/continue, and kernel interrupts.

A tiny Dense model on two batches of four 4-vectors keeps each ``fit`` to a fraction of a
second on a CPU, so 200 random sequences of real background training fit in CI. The
number of sequences can be raised with ``AUGWIDGETS_STRESS_SEQUENCES``.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import keras
import numpy as np
import pytest

from augwidgets.training.session import TrainingSession
from augwidgets.training.session_state import STATES, TRANSITIONS, SessionState

SEQUENCES = int(os.environ.get("AUGWIDGETS_STRESS_SEQUENCES", "200"))


class _Tiny(keras.utils.PyDataset):
    """Two batches of four 4-vectors, two classes."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(0)
        self.x = rng.normal(size=(2, 4, 4)).astype("float32")
        labels = rng.integers(0, 2, size=(2, 4))
        self.y = np.eye(2, dtype="float32")[labels]

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int):
        return self.x[index], self.y[index]


def _tiny_session(epochs: int = 2) -> TrainingSession:
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(2, activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(0)),
    ])
    model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy")
    return TrainingSession(_Tiny(), model=model, epochs=epochs, outputs=[])


def _weights(session: TrainingSession) -> list[np.ndarray]:
    return [np.array(w) for w in session.model.get_weights()]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _training_threads() -> int:
    return sum(t.name == "augwidgets-training" and t.is_alive() for t in threading.enumerate())


def test_states_are_an_enum_whose_values_a_panel_shows():
    assert STATES == ("ready", "running", "stopping", "stopped", "finished", "diverged",
                      "failed")
    assert SessionState.STOPPED == "stopped" and str(SessionState.RUNNING) == "running"
    assert {s for s in SessionState if s.active} == {SessionState.RUNNING, SessionState.STOPPING}
    assert set(TRANSITIONS) == set(SessionState)
    # a resting state never goes to STOPPING or a terminal state without running first
    for state in SessionState:
        if state.resting:
            assert TRANSITIONS[state] == {SessionState.RUNNING, SessionState.READY}


def test_a_stop_racing_the_end_of_fit_never_sticks_in_stopping():
    session = _tiny_session()
    for _ in range(10):
        session.start(epochs=1)
        while session.running:  # hammer stop() while fit returns
            session.stop()
        assert session.wait() is True
        assert session.state in (SessionState.STOPPED, SessionState.FINISHED), session.state
        assert not session.running and session.state.resting


def test_random_start_stop_reset_continue_sequences_always_come_to_rest():
    rng = random.Random(0)
    session = _tiny_session(epochs=2)
    initial = _weights(session)

    fits = {"active": 0, "most": 0}
    lock = threading.Lock()
    fit = session.model.fit

    def counting_fit(*args, **kwargs):
        with lock:
            fits["active"] += 1
            fits["most"] = max(fits["most"], fits["active"])
        try:
            return fit(*args, **kwargs)
        finally:
            with lock:
                fits["active"] -= 1

    object.__setattr__(session.model, "fit", counting_fit)
    notified: list[SessionState] = []
    session.add_listener(lambda s: notified.append(s.state))
    operations = ("start", "stop", "reset", "continue")

    for sequence in range(SEQUENCES):
        session.reset()
        assert session.state is SessionState.READY and session.epochs_done == 0
        assert _same(_weights(session), initial)
        batches = epochs = 0
        for operation in rng.choices(operations, weights=(4, 4, 1, 1), k=rng.randint(2, 4)):
            if operation == "start":
                try:
                    session.start(epochs=rng.randint(1, 2))
                except RuntimeError as error:  # already running: refused, nothing spawned
                    assert "already running" in str(error)
            elif operation == "stop":
                session.stop()
            elif operation == "reset":
                session.reset()
                assert session.state is SessionState.READY
                assert session.history == {} and _same(_weights(session), initial)
                batches = epochs = 0
            else:  # continue: let the current run end on its own, then train one more epoch
                session.wait(timeout=60)
                before = session.epochs_done
                session.start(epochs=1)
                assert session.epochs_done >= before
            time.sleep(rng.uniform(0, 0.01))
            assert _training_threads() <= 1, f"two training threads in sequence {sequence}"
            now_batches = len(session.batch_history.get("loss", []))
            assert now_batches >= batches and session.epochs_done >= epochs, (
                f"history shrank without a reset in sequence {sequence}")
            batches, epochs = now_batches, session.epochs_done

        if rng.random() < 0.7:  # else the run may finish on its own
            session.stop()
        assert session.wait(timeout=60) is True, f"sequence {sequence} did not end"
        assert session.state.resting and not session.running, session.state
        trained = len(session.batch_history.get("loss", []))
        stopped_weights = _weights(session)
        if trained:  # stop keeps what was learned...
            assert not _same(stopped_weights, initial), f"weights lost in sequence {sequence}"
        time.sleep(0.005)  # ...and nothing touches the model once it rests
        assert _same(_weights(session), stopped_weights)
        assert all(len(v) == session.epochs_done for v in session.history.values())

    assert fits["most"] == 1, "two fits ran at once"
    assert set(notified) == set(SessionState) - {SessionState.DIVERGED, SessionState.FAILED}


def test_a_kernel_interrupt_during_wait_stops_training_and_keeps_history_and_weights():
    session = _tiny_session(epochs=10_000)
    initial = _weights(session)
    session.start()

    def interrupt_after_some_batches() -> None:
        deadline = time.monotonic() + 60
        while len(session.batch_history.get("loss", [])) < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)  # as a kernel does

    threading.Thread(target=interrupt_after_some_batches, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        session.wait()
    assert session.state is SessionState.STOPPED and not session.running
    batches = len(session.batch_history["loss"])
    assert batches >= 6 and 1 <= session.epochs_done < 10_000
    assert not _same(_weights(session), initial)
    done = session.epochs_done
    session.start(epochs=1)  # continues from the kept weights and history
    assert session.wait() is True
    assert session.state is SessionState.FINISHED and session.epochs_done == done + 1
    assert len(session.batch_history["loss"]) > batches


def test_divergence_notifies_listeners_and_ends_in_the_diverged_state():
    class _NaN(_Tiny):
        def __getitem__(self, index: int):
            x, y = super().__getitem__(index)
            return x, np.full_like(y, np.nan)

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    session = TrainingSession(_NaN(), model=model, epochs=3, outputs=[])
    seen: list[tuple[SessionState, str]] = []
    session.add_listener(lambda s: seen.append((s.state, s.message)))
    session.start()
    assert session.wait() is True
    assert session.state is SessionState.DIVERGED
    assert any("The loss became nan" in message for _, message in seen)
    assert seen[-1][0] is SessionState.DIVERGED
    session.start(epochs=1)  # a diverged session may be continued or reset
    session.wait()
    session.reset()
    assert session.state is SessionState.READY and session.message == ""
