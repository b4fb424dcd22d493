"""One number for "how much augmentation": strength ``s`` scales a base configuration.

This is the single place where a strength becomes generator arguments. ``sweep`` trains at
each strength with these arguments and the explorer's strength slider sets them, so what
the preview shows at a strength is what the curve trained on.

The mapping, at strength ``s`` (``BASE_STRENGTH`` is what ``s = 1`` means)::

    rotation_range      10 * s  degrees          (clipped to 180)
    width_shift_range   0.1 * s of the width      (clipped to 0.5)
    height_shift_range  0.1 * s of the height     (clipped to 0.5)
    shear_range         10 * s  degrees          (clipped to 45)
    zoom_range          0.1 * s, factors 1 -/+ 0.1 * s  (clipped to 0.5)

``s = 0`` is no augmentation at all (the arguments are empty). A number scales linearly; a
``(low, high)`` factor pair (``zoom_range``, ``brightness_range``) scales its distance from
1. Every value is clipped to the slider range that ``PIXEL_PARAMETERS`` gives the argument
(so a shift never reaches 1, where the legacy API switches from fractions to pixels), and
rounded to 6 decimals so that ``0.1 * 3`` reads back as ``0.3``. Flips cannot be scaled:
they are on or off, so they are not part of a strength.

Examples:
    >>> strength_kwargs(2)
    {'rotation_range': 20.0, 'width_shift_range': 0.2, 'height_shift_range': 0.2, \
'shear_range': 20.0, 'zoom_range': 0.2}
    >>> strength_kwargs(0)
    {}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from augwidgets.engine.arguments import PIXEL_PARAMETERS, ParameterSpec, arguments_with_role
from augwidgets.errors import reject

#: The geometric arguments, from the parameter table (the ones a strength moves by default).
GEOMETRY_ARGUMENTS: tuple[str, ...] = arguments_with_role("geometry")

#: Strength 1: small changes that handwriting and photos have anyway.
BASE_STRENGTH: dict[str, float] = {
    "rotation_range": 10.0,
    "width_shift_range": 0.1,
    "height_shift_range": 0.1,
    "shear_range": 10.0,
    "zoom_range": 0.1,
}
assert set(BASE_STRENGTH) == set(GEOMETRY_ARGUMENTS), "BASE_STRENGTH must cover the geometry"

#: Arguments a strength can scale: the numbers and factor pairs among the pixel parameters.
SCALABLE_ARGUMENTS: tuple[str, ...] = tuple(
    name for name, spec in PIXEL_PARAMETERS.items()
    if spec.kind in ("float", "range") and spec.group in ("geometry", "colour"))

_DECIMALS = 6



def check_strength(strength: Any) -> float:
    """``strength`` as a float, or a ``ValueError`` when it is not a finite number >= 0.

    Examples:
        >>> check_strength(-1)
        Traceback (most recent call last):
        ...
        ValueError: `strength` must be a finite number >= 0. Received: strength=-1
    """
    if (not isinstance(strength, numbers.Real) or isinstance(strength, bool)
            or not math.isfinite(strength) or strength < 0):
        raise reject("strength", "a finite number >= 0", strength)
    return float(strength)


def check_base(base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The base configuration (``BASE_STRENGTH`` for None), checked: every name scalable.

    Examples:
        >>> check_base({"horizontal_flip": True})
        Traceback (most recent call last):
        ...
        ValueError: `base` must be a mapping of arguments from ('rotation_range', 'width_shift_range', \
'height_shift_range', 'shear_range', 'zoom_range', 'brightness_range', \
'channel_shift_range') to numbers (or factor pairs); flips are on or off and cannot be \
scaled. Received: base={'horizontal_flip': True}
    """
    if base is None:
        return dict(BASE_STRENGTH)
    expected = (f"a mapping of arguments from {SCALABLE_ARGUMENTS} to numbers (or factor pairs); "
                "flips are on or off and cannot be scaled")
    if not isinstance(base, Mapping) or not base:
        raise reject("base", expected, base)
    checked: dict[str, Any] = {}
    for name, value in base.items():
        if name not in SCALABLE_ARGUMENTS:
            raise reject("base", expected, dict(base))
        if PIXEL_PARAMETERS[name].kind == "range" and isinstance(value, list | tuple):
            if len(value) != 2 or not all(_finite(v) for v in value) or value[0] > value[1]:
                raise reject("base", expected, dict(base))
            checked[name] = (float(value[0]), float(value[1]))
        elif _finite(value) and value >= 0:
            checked[name] = float(value)
        else:
            raise reject("base", expected, dict(base))
    return checked


def _finite(value: Any) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def _scale_pair(spec: ParameterSpec, low: float, high: float, strength: float
                ) -> tuple[float, float]:
    low = max(float(spec.minimum), 1 - (1 - low) * strength)
    high = min(float(spec.maximum), 1 + (high - 1) * strength)
    return round(low, _DECIMALS), round(high, _DECIMALS)


def strength_kwargs(strength: float, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The generator arguments of ``strength`` times ``base`` (see the module docstring).

    Args:
        strength: a number >= 0; 0 is no augmentation, 1 is ``base`` itself.
        base: argument -> value at strength 1; None uses ``BASE_STRENGTH``.

    Returns:
        Only the arguments that augment at this strength (``{}`` at 0), in ``base``'s order.

    Examples:
        >>> strength_kwargs(10)["shear_range"]  # 100 degrees, clipped to the slider's 45
        45.0
        >>> strength_kwargs(0.5, {"zoom_range": (0.9, 1.0)})
        {'zoom_range': [0.95, 1.0]}
    """
    strength = check_strength(strength)
    out: dict[str, Any] = {}
    for name, value in check_base(base).items():
        spec = PIXEL_PARAMETERS[name]
        if isinstance(value, tuple):
            pair = _scale_pair(spec, *value, strength)
            if pair != (1.0, 1.0):
                out[name] = list(pair)
            continue
        if spec.kind == "range":  # zoom_range z means factors in [1 - z, 1 + z]
            limit = max(1 - spec.minimum, spec.maximum - 1)
        else:
            limit = spec.maximum
        scaled = round(min(value * strength, float(limit)), _DECIMALS)
        if scaled:
            out[name] = scaled
    return out


def with_strength(kwargs: Mapping[str, Any], strength: float,
                  base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``kwargs`` with the arguments of ``base`` replaced by their values at ``strength``.

    Everything else (``rescale``, flips, fill) is kept: this is what the explorer's strength
    slider does to the current settings.

    Examples:
        >>> with_strength({"rescale": 1 / 255, "rotation_range": 45}, 1)["rotation_range"]
        10.0
        >>> with_strength({"rescale": 0.5, "rotation_range": 45}, 0)
        {'rescale': 0.5}
    """
    base = check_base(base)
    kept = {name: value for name, value in kwargs.items() if name not in base}
    return {**kept, **strength_kwargs(strength, base)}


def max_strength(base: Mapping[str, Any] | None = None) -> float:
    """The smallest strength at which every argument of ``base`` has reached its clip.

    Examples:
        >>> max_strength()  # rotation reaches 180 degrees last
        18.0
    """
    largest = 0.0
    for name, value in check_base(base).items():
        spec = PIXEL_PARAMETERS[name]
        if isinstance(value, tuple):
            spans = [(1 - spec.minimum) / (1 - value[0]) if value[0] < 1 else 0.0,
                     (spec.maximum - 1) / (value[1] - 1) if value[1] > 1 else 0.0]
            largest = max(largest, *spans)
        elif value > 0:
            limit = max(1 - spec.minimum, spec.maximum - 1) if spec.kind == "range" \
                else spec.maximum
            largest = max(largest, limit / value)
    return round(largest, _DECIMALS)
