"""The training session's states and the transitions between them (one state machine).

Examples:
    >>> SessionState.RUNNING in TRANSITIONS[SessionState.READY]
    True
"""

from __future__ import annotations

import enum


class SessionState(str, enum.Enum):
    """Where a ``TrainingSession`` is; the value is what a panel shows.

    ``READY`` (nothing trained since the last reset), ``RUNNING``, ``STOPPING`` (asked to
    stop, the current batch is finishing), and the resting states a run ends in:
    ``STOPPED``, ``FINISHED``, ``DIVERGED`` (a NaN or infinite loss) and ``FAILED`` (an
    exception, re-raised by ``wait()``). A ``str`` enum, so ``state == "stopped"`` holds.

    Examples:
        >>> SessionState.STOPPING.active, SessionState("finished").resting
        (True, True)
    """

    READY = "ready"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FINISHED = "finished"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """True while a training thread owns the model (running or stopping)."""
        return self in (SessionState.RUNNING, SessionState.STOPPING)

    @property
    def resting(self) -> bool:
        """True when no training is under way: ``start()`` and ``reset()`` are allowed."""
        return not self.active

    def __str__(self) -> str:
        return self.value


_S = SessionState

#: Allowed transitions: state -> the states it may move to.
TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    _S.READY: frozenset({_S.RUNNING, _S.READY}),
    _S.RUNNING: frozenset({_S.STOPPING, _S.STOPPED, _S.FINISHED, _S.DIVERGED, _S.FAILED}),
    _S.STOPPING: frozenset({_S.STOPPED, _S.DIVERGED, _S.FAILED}),
    **{rest: frozenset({_S.RUNNING, _S.READY})
       for rest in (_S.STOPPED, _S.FINISHED, _S.DIVERGED, _S.FAILED)},
}

#: Session states, as shown in a panel (the values of ``SessionState``).
STATES = tuple(state.value for state in SessionState)
