"""How the explorer's controls follow its settings, and how its updates run.

- ``control_transforms`` gives the ``traitlets.link`` transforms between a control and its
  trait in ``AugmentationSettings`` (a rescale label, a range pair, a slider whose range
  widens to show a value set from code);
- ``shift_unit`` is what a shift control's unit reads for a value;
- ``Coalescer`` runs the panel's one update once for a burst of changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets

from augwidgets.engine.arguments import PIXEL_PARAMETERS
from augwidgets.tools.literals import number_literal
from augwidgets.widgets.explorer import html

SHIFTS = ("width_shift_range", "height_shift_range")


class Coalescer:
    """Runs ``update`` once for a burst of calls.

    A call made while held (``with coalescer.hold():``) or while ``update`` runs is
    remembered, and ``update`` runs once more when the hold ends, on the final state.

    Examples:
        >>> runs = []
        >>> update = Coalescer(lambda: runs.append(len(runs)))
        >>> with update.hold():
        ...     update(); update()
        >>> runs
        [0]
    """

    def __init__(self, update: Callable[[], None]):
        self._update = update
        self._held = 0
        self._pending = False

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending:
                self()

    def __call__(self) -> None:
        if self._held:
            self._pending = True
            return
        self._pending = False
        with self.hold():  # what the update itself changes runs after it, once
            self._update()


def parse_rescale(label: str) -> float | None:
    """A rescale dropdown label as a number.

    Examples:
        >>> parse_rescale("1/255") == 1 / 255, parse_rescale("None")
        (True, None)
    """
    if label == "None":
        return None
    if "/" in label:
        numerator, denominator = label.split("/")
        return float(numerator) / float(denominator)
    return float(label)


def control_transforms(name: str, control: widgets.Widget
                       ) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """(setting -> control value, control value -> setting) for ``traitlets.link``; ``None``
    where the values are the same. Setting -> control widens the control's range first, so
    a value set from code is shown, not clipped."""
    spec = PIXEL_PARAMETERS[name]
    if name == "rescale":
        def to_label(value: float | None) -> str:
            label = "None" if value is None else number_literal(value)
            if label not in control.options:
                control.options = [*control.options, label]
            return label
        return to_label, parse_rescale
    if spec.kind == "range":
        def to_pair(value: tuple[float, float]) -> tuple[float, float]:
            control.min, control.max = min(control.min, value[0]), max(control.max, value[1])
            return (value[0], value[1])
        return to_pair, lambda pair: (float(pair[0]), float(pair[1]))
    if spec.kind == "float":
        def to_number(value: Any) -> float:
            if isinstance(value, list):  # a list of shifts has no slider form
                return control.value
            control.max = max(control.max, float(value))
            return float(value)
        return to_number, float
    return None


def shift_unit(name: str, value: Any) -> str:
    """A shift control's unit: pixels from 1, a fraction below, or the list it cannot show."""
    if isinstance(value, list):
        return html.unit(f"list {value} (set it with generator_kwargs)")
    return html.unit("pixels" if value >= 1 else PIXEL_PARAMETERS[name].unit)
