"""The explorer's model: one trait per pixel-changing generator argument.

``AugmentationSettings`` is a ``traitlets.HasTraits`` whose traits are built from
``augwidgets.engine.arguments.PIXEL_PARAMETERS`` (names, kinds and help texts are not repeated
here). Controls are views over it; ``generator_kwargs`` reads it back as the arguments
``ImageDataGenerator`` takes. Range arguments are stored as ``(low, high)`` pairs:
``zoom_range`` ``(1, 1)`` and ``brightness_range`` ``(1, 1)`` mean "off", and a zoom pair
symmetric around 1 reads back as the single number the legacy API uses
(``(0.8, 1.2)`` -> ``0.2``). Arguments without a control (``preprocessing_function``,
``validation_split``, ...) pass through unchanged.

Examples:
    >>> settings = AugmentationSettings()
    >>> settings.set_generator_kwargs({"zoom_range": 0.2, "horizontal_flip": True})
    >>> settings.zoom_range
    (0.8, 1.2)
    >>> settings.generator_kwargs
    {'zoom_range': 0.2, 'horizontal_flip': True}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

from augwidgets.engine.arguments import (
    DEFAULTS,
    PIXEL_PARAMETERS,
    validate_generator_kwargs,
    zoom_bounds,
)
from augwidgets.tools.sharing import non_default_kwargs

_OFF_PAIR = (1.0, 1.0)


def _trait_for(spec: Any) -> traitlets.TraitType:
    if spec.name in ("width_shift_range", "height_shift_range"):
        # a float fraction, whole pixels (int), or a list of values, as the legacy API takes
        return traitlets.Union([traitlets.Int(), traitlets.Float(), traitlets.List()],
                               default_value=0.0, help=spec.help)
    if spec.name == "rescale":
        return traitlets.Float(None, allow_none=True, help=spec.help)
    if spec.kind == "bool":
        return traitlets.Bool(bool(DEFAULTS[spec.name]), help=spec.help)
    if spec.kind == "choice":
        return traitlets.Enum(spec.choices, default_value=DEFAULTS[spec.name], help=spec.help)
    if spec.kind == "range":
        return traitlets.Tuple(traitlets.Float(), traitlets.Float(), default_value=_OFF_PAIR,
                               help=spec.help + " (1, 1) is off")
    return traitlets.Float(float(DEFAULTS[spec.name]), help=spec.help)


class _SettingsBase(traitlets.HasTraits):
    extra = traitlets.Dict(help="generator arguments without a control, passed through")

    def _pixel_value(self, name: str) -> Any:
        value = getattr(self, name)
        if name == "zoom_range":
            low, high = value
            if (low, high) == _OFF_PAIR:
                return 0.0
            if abs(low + high - 2) < 1e-9 and low < 1:
                return round(1 - low, 10)
            return [low, high]
        if name == "brightness_range":
            return None if tuple(value) == _OFF_PAIR else list(value)
        return value

    @property
    def generator_kwargs(self) -> dict[str, Any]:
        """The arguments that differ from the legacy defaults, in the legacy order."""
        kwargs = {name: self._pixel_value(name) for name in PIXEL_PARAMETERS}
        kwargs.update(self.extra)
        return non_default_kwargs(kwargs)

    def set_generator_kwargs(self, kwargs: Mapping[str, Any]) -> None:
        """Validate ``kwargs`` and make them the complete settings (others return to defaults).

        Raises:
            ValueError, TypeError: as ``validate_generator_kwargs`` does; nothing changes then.
        """
        complete = validate_generator_kwargs(dict(kwargs))
        values = {}
        for name in PIXEL_PARAMETERS:
            value = complete[name]
            if name == "zoom_range":
                value = tuple(float(v) for v in zoom_bounds(value))
            elif name == "brightness_range":
                value = _OFF_PAIR if value is None else (float(value[0]), float(value[1]))
            elif name in ("width_shift_range", "height_shift_range"):
                value = list(value) if isinstance(value, (list, tuple)) else value
            elif name == "rescale":
                value = None if value is None else float(value)
            elif PIXEL_PARAMETERS[name].kind == "bool":
                value = bool(value)
            elif PIXEL_PARAMETERS[name].kind == "float":
                value = float(value)
            values[name] = value
        extra = {name: complete[name] for name in kwargs if name not in PIXEL_PARAMETERS}
        with self.hold_trait_notifications():
            for name, value in values.items():
                setattr(self, name, value)
            self.extra = extra


AugmentationSettings = type(
    "AugmentationSettings",
    (_SettingsBase,),
    {
        "__doc__": (
            "Traitlets model of the explorer's generator settings, one trait per argument "
            "in ``PIXEL_PARAMETERS``.\n\n    Example:\n        >>> AugmentationSettings("
            "rotation_range=20).generator_kwargs\n        {'rotation_range': 20.0}\n"
        ),
        "__module__": __name__,
        **{name: _trait_for(spec) for name, spec in PIXEL_PARAMETERS.items()},
    },
)
