"""The generator's arguments: names, legacy defaults, units, validation and slider metadata.

This is the single source of truth that the generator, the Keras layer, the explorer panel,
``diagnose`` and the code exporter all read. Units follow the legacy Keras
``ImageDataGenerator`` exactly: rotation and shear in degrees, shifts as a fraction of the
image side when below 1 and in pixels otherwise, zoom as a scale factor drawn independently
for rows and columns (a factor above 1 *zooms out*).

Examples:
    >>> from augwidgets.engine.arguments import validate_generator_kwargs
    >>> validate_generator_kwargs({"rotation_range": 20})["rotation_range"]
    20
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from augwidgets.errors import reject

#: Every legacy constructor argument with its legacy default, in the legacy order.
DEFAULTS: dict[str, Any] = {
    "featurewise_center": False,
    "samplewise_center": False,
    "featurewise_std_normalization": False,
    "samplewise_std_normalization": False,
    "zca_whitening": False,
    "zca_epsilon": 1e-6,
    "rotation_range": 0,
    "width_shift_range": 0.0,
    "height_shift_range": 0.0,
    "brightness_range": None,
    "shear_range": 0.0,
    "zoom_range": 0.0,
    "channel_shift_range": 0.0,
    "fill_mode": "nearest",
    "cval": 0.0,
    "horizontal_flip": False,
    "vertical_flip": False,
    "rescale": None,
    "preprocessing_function": None,
    "data_format": None,
    "validation_split": 0.0,
    "interpolation_order": 1,
    "dtype": None,
}

FILL_MODES = ("constant", "nearest", "reflect", "wrap")
BOOLEAN_ARGUMENTS = (
    "featurewise_center",
    "samplewise_center",
    "featurewise_std_normalization",
    "samplewise_std_normalization",
    "zca_whitening",
    "horizontal_flip",
    "vertical_flip",
)


@dataclass(frozen=True)
class ParameterSpec:
    """How one pixel-changing argument is shown and bounded in a user interface.

    Args:
        name: the generator argument's name.
        group: "geometry", "colour", "flips", "fill" or "scaling".
        unit: what the number means, shown next to the control.
        kind: "float", "bool", "choice" or "range" (a (low, high) pair).
        minimum, maximum, step: slider bounds (the generator itself accepts more).
        choices: the accepted values of a "choice".
        help: one line for a tooltip.
    """

    name: str
    group: str
    unit: str
    kind: str
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 0.01
    choices: tuple[str, ...] = ()
    help: str = ""


#: Controls for every argument that changes pixels, grouped as the explorer shows them.
PIXEL_PARAMETERS: dict[str, ParameterSpec] = {
    spec.name: spec
    for spec in (
        ParameterSpec("rotation_range", "geometry", "degrees", "float", 0, 180, 1,
                      help="angle drawn uniformly from [-r, r] degrees"),
        ParameterSpec("width_shift_range", "geometry", "fraction of width", "float", 0, 0.5, 0.01,
                      help="shift by up to this fraction of the width (pixels from 1); legacy "
                           "quirk kept: it moves the image UP/DOWN (keras#17398)"),
        ParameterSpec("height_shift_range", "geometry", "fraction of height", "float", 0, 0.5,
                      0.01, help="shift by up to this fraction of the height (pixels from 1); "
                                 "legacy quirk kept: it moves the image LEFT/RIGHT (keras#17398)"),
        ParameterSpec("shear_range", "geometry", "degrees", "float", 0, 45, 0.5,
                      help="shear angle in DEGREES drawn from [-s, s]; 0.2 is almost nothing"),
        ParameterSpec("zoom_range", "geometry", "scale factor", "range", 0.5, 1.5, 0.01,
                      help="factor drawn from [low, high] per axis; above 1 zooms OUT"),
        ParameterSpec("brightness_range", "colour", "factor", "range", 0.0, 2.0, 0.05,
                      help="brightness factor drawn from [low, high]; 1 is unchanged"),
        ParameterSpec("channel_shift_range", "colour", "pixel values (0-255)", "float", 0, 100, 1,
                      help="one value drawn from [-c, c] added to every channel"),
        ParameterSpec("horizontal_flip", "flips", "on/off", "bool",
                      help="mirror left-right with probability 0.5"),
        ParameterSpec("vertical_flip", "flips", "on/off", "bool",
                      help="mirror top-bottom with probability 0.5"),
        ParameterSpec("fill_mode", "fill", "", "choice", choices=FILL_MODES,
                      help="how pixels from outside the image are filled"),
        ParameterSpec("cval", "fill", "pixel value (0-255)", "float", 0, 255, 1,
                      help="fill value when fill_mode='constant'"),
        ParameterSpec("rescale", "scaling", "multiplier", "float", 0, 1, 1 / 255,
                      help="multiplies every pixel after augmentation; 1/255 maps to [0, 1]"),
        ParameterSpec("samplewise_center", "scaling", "on/off", "bool",
                      help="subtract each image's own mean"),
        ParameterSpec("samplewise_std_normalization", "scaling", "on/off", "bool",
                      help="divide each image by its own standard deviation"),
        ParameterSpec("featurewise_center", "scaling", "on/off", "bool",
                      help="subtract the dataset mean (needs generator.fit)"),
        ParameterSpec("featurewise_std_normalization", "scaling", "on/off", "bool",
                      help="divide by the dataset std (needs generator.fit)"),
    )
}


#: The role of every constructor argument: what it does to an image, and when.
#: "geometry", "flips" and "colour" are the random augmentation; "fill" says how the warp
#: fills and interpolates; "scaling" runs after augmentation (``standardize``); "other" is
#: bookkeeping. Every list of argument names elsewhere derives from this table.
ROLES: dict[str, str] = {
    **{name: "scaling" for name in ("featurewise_center", "samplewise_center",
                                    "featurewise_std_normalization",
                                    "samplewise_std_normalization", "zca_whitening",
                                    "zca_epsilon", "rescale", "preprocessing_function")},
    **{name: spec.group for name, spec in PIXEL_PARAMETERS.items()},
    "interpolation_order": "fill",
    "data_format": "other",
    "validation_split": "other",
    "dtype": "other",
}
assert set(ROLES) == set(DEFAULTS), "every argument needs a role"

RANDOM_ROLES = ("geometry", "flips", "colour")


def arguments_with_role(*roles: str) -> tuple[str, ...]:
    """Argument names with one of ``roles``, in the legacy order.

    Examples:
        >>> arguments_with_role("flips")
        ('horizontal_flip', 'vertical_flip')
    """
    unknown = set(roles) - set(ROLES.values())
    if unknown:
        raise ValueError(f"`roles` must be among {sorted(set(ROLES.values()))}. "
                         f"Received: roles={roles!r}")
    return tuple(name for name in DEFAULTS if ROLES[name] in roles)


#: The arguments that draw random augmentation (geometry, flips, colour).
RANDOM_ARGUMENTS = arguments_with_role(*RANDOM_ROLES)
#: The arguments ``standardize`` applies after augmentation.
SCALING_ARGUMENTS = arguments_with_role("scaling")


def is_active(name: str, value: Any) -> bool:
    """True when argument ``name`` set to ``value`` changes something (the one definition).

    Examples:
        >>> is_active("zoom_range", [1, 1]), is_active("width_shift_range", [3]), is_active("cval", 0)
        (False, True, False)
    """
    if value is None:
        return False
    if name == "zoom_range":
        return zoom_bounds(value) != (1.0, 1.0)
    if name == "brightness_range":
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value) > 0
    if name == "fill_mode":
        return value != DEFAULTS["fill_mode"]
    if name == "interpolation_order":
        return value != DEFAULTS["interpolation_order"]
    return bool(value)



def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def _check_number(name: str, value: Any, *, minimum: float | None = None,
                  maximum: float | None = None, unit: str = "") -> None:
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    expected = f"a number in [{low}, {high}]" + (f" ({unit})" if unit else "")
    if not _is_number(value):
        raise reject(name, expected, value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise reject(name, expected, value)


def _check_shift(name: str, value: Any) -> None:
    expected = ("a float >= 0 (below 1: fraction of the image side; from 1: pixels), "
                "an int >= 0 (pixels), or a list of numbers (pixels or fractions)")
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
            raise reject(name, expected, value)
        if not np.all(np.isfinite(array)):
            raise reject(name, expected, value)
        return
    if not _is_number(value) or value < 0:
        raise reject(name, expected, value)


def _check_pair(name: str, value: Any, *, minimum: float, strictly_positive: bool,
                legacy: str = "") -> None:
    expected = f"a pair (low, high) with {minimum:g} {'<' if strictly_positive else '<='} low <= high"
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != 2:
        raise reject(name, expected, value, legacy=legacy)
    low, high = value
    if not (_is_number(low) and _is_number(high)) or low > high:
        raise reject(name, expected, value)
    if low < minimum or (strictly_positive and low <= minimum):
        raise reject(name, expected, value)


def zoom_bounds(zoom_range: float | Sequence[float]) -> tuple[float, float]:
    """Return the (low, high) zoom factors the legacy generator draws from.

    Examples:
        >>> zoom_bounds(0.2)
        (0.8, 1.2)
    """
    if isinstance(zoom_range, numbers.Real):
        return (1 - float(zoom_range), 1 + float(zoom_range))
    low, high = zoom_range
    return (float(low), float(high))


def validate_generator_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Check generator arguments and return them complete, with legacy defaults filled in.

    Raises:
        TypeError: for a name the legacy generator does not accept.
        ValueError: naming the argument, what it accepts, and ending ``Received: name=value``.

    Examples:
        >>> validate_generator_kwargs({"fill_mode": "mirror"})
        Traceback (most recent call last):
        ...
        ValueError: `fill_mode` must be one of ('constant', 'nearest', 'reflect', 'wrap'). \
Received: fill_mode='mirror'
    """
    unknown = sorted(set(kwargs) - set(DEFAULTS))
    if unknown:
        raise TypeError(
            f"ImageDataGenerator got unexpected argument(s) {unknown}; accepted: {list(DEFAULTS)}"
        )
    params = {**DEFAULTS, **kwargs}

    for name in BOOLEAN_ARGUMENTS:
        if not isinstance(params[name], (bool, np.bool_)) and params[name] not in (0, 1):
            raise reject(name, "True or False", params[name])
    _check_number("zca_epsilon", params["zca_epsilon"], minimum=0)
    _check_number("rotation_range", params["rotation_range"], minimum=0, maximum=360,
                  unit="degrees")
    _check_shift("width_shift_range", params["width_shift_range"])
    _check_shift("height_shift_range", params["height_shift_range"])
    _check_number("shear_range", params["shear_range"], minimum=0, maximum=360, unit="degrees")
    zoom = params["zoom_range"]
    zoom_legacy = "`zoom_range` should be a float or a tuple or list of two floats."
    if isinstance(zoom, (list, tuple, np.ndarray)):
        if len(zoom) != 2 or not all(isinstance(v, numbers.Real) for v in zoom):
            raise reject("zoom_range", "a pair (low, high) with 0 < low <= high", zoom,
                          legacy=zoom_legacy)
        _check_pair("zoom_range", zoom, minimum=0, strictly_positive=True)
    elif not isinstance(zoom, numbers.Real):
        raise reject("zoom_range", "a number in [0, 0.999] or a pair (low, high)", zoom,
                      legacy=zoom_legacy)
    else:
        _check_number("zoom_range", zoom, minimum=0, maximum=0.999,
                      unit="a float z draws from [1-z, 1+z]; pass a pair for other bounds")
    if params["brightness_range"] is not None:
        brightness = params["brightness_range"]
        legacy = ("" if isinstance(brightness, (tuple, list)) and len(brightness) == 2 else
                  "`brightness_range should be tuple or list of two floats.")  # sic, legacy
        _check_pair("brightness_range", brightness, minimum=0, strictly_positive=False,
                    legacy=legacy)
    _check_number("channel_shift_range", params["channel_shift_range"], minimum=0,
                  unit="pixel values")
    if params["fill_mode"] not in FILL_MODES:
        raise reject("fill_mode", f"one of {FILL_MODES}", params["fill_mode"])
    _check_number("cval", params["cval"])
    if params["rescale"] is not None:
        _check_number("rescale", params["rescale"])
    function = params["preprocessing_function"]
    if function is not None and not callable(function):
        raise reject("preprocessing_function", "None or a callable taking one image", function)
    if params["data_format"] not in (None, "channels_last", "channels_first"):
        raise reject("data_format", "None, 'channels_last' or 'channels_first'",
                      params["data_format"],
                      legacy='`data_format` should be `"channels_last"` (channel after row and '
                             'column) or `"channels_first"` (channel before row and column).')
    split = params["validation_split"]
    if _is_number(split) and split and not 0 < split < 1:  # where legacy raises
        raise ValueError("`validation_split` must be strictly between 0 and 1. "
                         f"Received: validation_split={split!r}")
    _check_number("validation_split", split, minimum=0, maximum=0.999)
    order = params["interpolation_order"]
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or not 0 <= order <= 5:
        raise reject("interpolation_order", "an int in [0, 5] (0 nearest, 1 bilinear, 3 cubic)",
                      order)
    if params["dtype"] is not None:
        try:
            np.dtype(params["dtype"])
        except TypeError:
            raise reject("dtype", "None or a NumPy dtype name such as 'float32'",
                          params["dtype"]) from None
    return params


@dataclass(frozen=True)
class TransformConfig:
    """The random-augmentation part of the arguments, normalised for the transforms module.

    Examples:
        >>> TransformConfig.from_kwargs({"zoom_range": 0.2}).zoom_range
        (0.8, 1.2)
    """

    rotation_range: float = 0.0
    width_shift_range: Any = 0.0
    height_shift_range: Any = 0.0
    shear_range: float = 0.0
    zoom_range: tuple[float, float] = (1.0, 1.0)
    channel_shift_range: float = 0.0
    brightness_range: tuple[float, float] | None = None
    horizontal_flip: bool = False
    vertical_flip: bool = False
    fill_mode: str = "nearest"
    cval: float = 0.0
    interpolation_order: int = 1

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> TransformConfig:
        """Validate generator arguments, then take their random-augmentation part."""
        return cls.from_arguments(validate_generator_kwargs(
            {k: v for k, v in kwargs.items() if k in DEFAULTS}))

    @classmethod
    def from_arguments(cls, params: Mapping[str, Any]) -> TransformConfig:
        """The random-augmentation part of complete, already validated arguments."""
        brightness = params["brightness_range"]
        return cls(
            rotation_range=params["rotation_range"],
            width_shift_range=params["width_shift_range"],
            height_shift_range=params["height_shift_range"],
            shear_range=params["shear_range"],
            zoom_range=zoom_bounds(params["zoom_range"]),
            channel_shift_range=params["channel_shift_range"],
            brightness_range=None if brightness is None else tuple(brightness),
            horizontal_flip=bool(params["horizontal_flip"]),
            vertical_flip=bool(params["vertical_flip"]),
            fill_mode=params["fill_mode"],
            cval=float(params["cval"]),
            interpolation_order=int(params["interpolation_order"]),
        )

    @property
    def is_identity(self) -> bool:
        """True when no random transform can change a pixel."""
        return not any(is_active(name, getattr(self, name)) for name in RANDOM_ARGUMENTS)


PreprocessingFunction = Callable[[np.ndarray], np.ndarray]
