"""Write a generator configuration as code to paste into Python, Keras 3 or R.

Three dialects:

- ``"python"``: ``ImageDataGenerator(...)`` plus ``flow_from_directory(...)``, exact.
- ``"keras3"``: a ``keras.layers.Pipeline`` of ``Random*`` layers with converted units
  (``RandomRotation(factor=20/360)``). Every line whose translation is not exact carries
  a comment saying how it differs.
- ``"r"``: ``image_data_generator(...)`` plus ``flow_images_from_directory(...)`` for the R
  ``keras`` package, exact.

Only arguments that differ from the legacy defaults are written.

Example:
    >>> print(generator_code({"rotation_range": 20, "rescale": 1 / 255}, "r",
    ...                      directory="data/train"))
    library(keras)
    <BLANKLINE>
    datagen <- image_data_generator(
      rotation_range = 20,
      rescale = 1/255
    )
    train_generator <- flow_images_from_directory(
      "data/train",
      generator = datagen,
      target_size = c(224, 224),
      batch_size = 32,
      class_mode = "categorical"
    )
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from augwidgets.core.config_sharing import non_default_kwargs
from augwidgets.core.params import zoom_bounds

DIALECTS = ("python", "keras3", "r")
ENGINES = ("keras", "augwidgets")
_SHIFTS = ("width_shift_range", "height_shift_range")
_KERAS_IMPORT = "from tensorflow.keras.preprocessing.image import ImageDataGenerator"
_AUGWIDGETS_IMPORT = "from augwidgets import ImageDataGenerator"


def _number(value: float, name: str = "") -> str:
    """Shortest exact literal; ``1/255`` for reciprocals, ints for whole floats."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if 0 < abs(value) < 1 and len(repr(value)) > 8:
        inverse = 1 / value
        for digits in (0, 1):
            candidate = round(inverse, digits)
            if candidate != 0 and 1 / candidate == value and abs(candidate) > 1:
                text = f"{candidate:.{digits}f}"
                return f"1/{text}"
    if value.is_integer() and name not in _SHIFTS:
        # shifts keep their float type: 1.0 (uniform pixels) and 1 (whole pixels) differ
        return str(int(value))
    return repr(value)


def _python_value(value: Any, name: str = "") -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_python_value(v) for v in value) + "]"
    if callable(value):
        return getattr(value, "__name__", "preprocess")
    return _number(value, name)


def _r_value(value: Any, name: str = "") -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "c(" + ", ".join(_r_value(v) for v in value) + ")"
    if callable(value):
        return getattr(value, "__name__", "preprocess")
    text = _number(value, name)
    return text + "L" if isinstance(value, int) and name in _SHIFTS else text


def python_arguments(generator_kwargs: Mapping[str, Any]) -> str:
    """The non-default arguments as a Python argument list, e.g. for a one-line call.

    Example:
        >>> python_arguments({"rescale": 1 / 255, "horizontal_flip": False})
        'rescale=1/255'
    """
    settings = non_default_kwargs(generator_kwargs)
    return ", ".join(f"{name}={_python_value(value, name)}" for name, value in settings.items())


def _function_import(function: Any) -> str | None:
    module = getattr(function, "__module__", None)
    name = getattr(function, "__qualname__", "")
    if not module or not name or "<" in name or "." in name or module == "__main__":
        return None
    return f"from {module} import {name}"


def generator_code(
    generator_kwargs: Mapping[str, Any],
    dialect: str = "python",
    *,
    directory: str = "data/train",
    target_size: tuple[int, int] = (224, 224),
    batch_size: int = 32,
    class_mode: str = "categorical",
    seed: int | None = None,
    engine: str = "keras",
) -> str:
    """Code that builds this augmentation in the chosen dialect.

    Args:
        generator_kwargs: legacy ``ImageDataGenerator`` arguments (validated here).
        dialect: ``"python"``, ``"keras3"`` or ``"r"``.
        directory: the class-per-folder directory written into the code.
        target_size: ``(height, width)`` the images are resized to.
        batch_size: images per batch.
        class_mode: as in ``flow_from_directory``.
        seed: written as ``seed=`` when given.
        engine: for ``"python"``, import the generator from ``"keras"`` (runs anywhere
            TensorFlow is installed) or from ``"augwidgets"`` (same arguments, faster).

    Returns:
        The code, ending with a newline-free last line.

    Example:
        >>> print(generator_code({"horizontal_flip": True}, directory="train"))
        from tensorflow.keras.preprocessing.image import ImageDataGenerator
        <BLANKLINE>
        datagen = ImageDataGenerator(
            horizontal_flip=True,
        )
        train_generator = datagen.flow_from_directory(
            "train",
            target_size=(224, 224),
            batch_size=32,
            class_mode="categorical",
        )
    """
    if dialect not in DIALECTS:
        raise ValueError(f"`dialect` must be one of {DIALECTS}. Received: dialect={dialect!r}")
    if engine not in ENGINES:
        raise ValueError(f"`engine` must be one of {ENGINES}. Received: engine={engine!r}")
    settings = non_default_kwargs(generator_kwargs)
    target_size = (int(target_size[0]), int(target_size[1]))
    directory = str(directory)
    if dialect == "python":
        return _python(settings, directory, target_size, batch_size, class_mode, seed, engine)
    if dialect == "r":
        return _r(settings, directory, target_size, batch_size, class_mode, seed)
    return _keras3(settings, directory, target_size, batch_size, class_mode, seed)


def _python(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str, seed: int | None, engine: str) -> str:
    lines = [_KERAS_IMPORT if engine == "keras" else _AUGWIDGETS_IMPORT]
    function = settings.get("preprocessing_function")
    if function is not None:
        lines.append(_function_import(function)
                     or f"# define {_python_value(function)}(image) here: it gets one image, "
                        "returns one image")
    lines += ["", "datagen = ImageDataGenerator("]
    lines += [f"    {name}={_python_value(value, name)}," for name, value in settings.items()]
    lines.append(")")
    lines += ["train_generator = datagen.flow_from_directory(", f"    {json.dumps(directory)},",
              f"    target_size={target_size},", f"    batch_size={batch_size},",
              f"    class_mode={json.dumps(class_mode)},"]
    if seed is not None:
        lines.append(f"    seed={int(seed)},")
    lines.append(")")
    return "\n".join(lines)


def _r(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
       batch_size: int, class_mode: str, seed: int | None) -> str:
    lines = ["library(keras)", ""]
    notes = []
    arguments = []
    for name, value in settings.items():
        if name in ("interpolation_order", "dtype"):
            notes.append(f"# {name}={value!r} has no R argument; R uses the default")
            continue
        arguments.append(f"  {name} = {_r_value(value, name)}")
    if "preprocessing_function" in settings:
        notes.append(f"# define {_r_value(settings['preprocessing_function'])} <- "
                     "function(image) {...} in R first")
    lines += notes
    if arguments:
        lines += ["datagen <- image_data_generator(", ",\n".join(arguments), ")"]
    else:
        lines += ["datagen <- image_data_generator()"]
    flow = [f"  {json.dumps(directory)}", "  generator = datagen",
            f"  target_size = c({target_size[0]}, {target_size[1]})",
            f"  batch_size = {batch_size}", f"  class_mode = {json.dumps(class_mode)}"]
    if seed is not None:
        flow.append(f"  seed = {int(seed)}")
    lines += ["train_generator <- flow_images_from_directory(", ",\n".join(flow), ")"]
    return "\n".join(lines)


def _shift_factor(value: Any, moves_along: int) -> tuple[float, str]:
    """Keras 3 factor (fraction of the side it moves along) and a note when inexact."""
    if isinstance(value, (list, tuple)):
        largest = max(abs(float(v)) for v in value)
        fraction = largest if largest < 1 else largest / moves_along
        return fraction, "not exact: legacy picks one value from the list, then a sign"
    if isinstance(value, int):
        return value / moves_along, "close: legacy draws whole pixels"
    value = float(value)
    return (value if value < 1 else value / moves_along), ""


def _keras3(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str, seed: int | None) -> str:
    height, width = target_size
    fill_mode = settings.get("fill_mode", "nearest")
    cval = settings.get("cval", 0.0)
    order = settings.get("interpolation_order", 1)
    warp_args = f'fill_mode="{fill_mode}"'
    if fill_mode == "constant":
        warp_args += f", fill_value={_number(cval)}"
    if order == 0:
        warp_args += ', interpolation="nearest"'
    layers: list[str] = []

    def add(code: str, note: str = "") -> None:
        layers.append(f"    {code},{'  # ' + note if note else ''}")

    rotation = settings.get("rotation_range", 0)
    if rotation:
        add(f"keras.layers.RandomRotation(factor={_number(rotation)}/360, {warp_args})",
            "rotation_range in degrees / 360: exact")
    legacy_h = settings.get("height_shift_range", 0.0)
    legacy_w = settings.get("width_shift_range", 0.0)
    if _active(legacy_h) or _active(legacy_w):
        # Legacy quirk (keras-team/keras#17398): in channels_last images
        # height_shift_range moves images sideways by a fraction of the HEIGHT and
        # width_shift_range moves them up and down by a fraction of the WIDTH.
        sideways, note_h = _shift_factor(legacy_h, width) if _active(legacy_h) else (0.0, "")
        if _active(legacy_h) and not isinstance(legacy_h, (list, tuple)) and float(legacy_h) < 1:
            sideways = float(legacy_h) * height / width
        vertical, note_w = _shift_factor(legacy_w, height) if _active(legacy_w) else (0.0, "")
        if _active(legacy_w) and not isinstance(legacy_w, (list, tuple)) and float(legacy_w) < 1:
            vertical = float(legacy_w) * width / height
        notes = ["swapped on purpose: the legacy generator's height_shift_range moves images "
                 "sideways (keras-team/keras#17398)"]
        notes += [n for n in (note_h, note_w) if n]
        add(f"keras.layers.RandomTranslation(height_factor={_round(vertical)}, "
            f"width_factor={_round(sideways)}, {warp_args})", "; ".join(notes))
    shear = settings.get("shear_range", 0.0)
    if shear:
        factor = min(math.sin(math.radians(min(float(shear), 90.0))), 1.0)
        add(f"keras.layers.RandomShear(x_factor={_round(factor)}, y_factor=0.0, {warp_args})",
            f"close: sin({_number(shear)} degrees); legacy shears about the centre, "
            "Keras 3 about the top-left corner")
    if "zoom_range" in settings:
        low, high = zoom_bounds(settings["zoom_range"])
        note = "exact: factor - 1; above 0 zooms out in both"
        if high > 2:
            high, note = 2.0, "not exact: Keras 3 zooms out at most 2x (factor 1.0)"
        bounds = f"({_round(low - 1)}, {_round(high - 1)})"
        add(f"keras.layers.RandomZoom(height_factor={bounds}, width_factor={bounds}, "
            f"{warp_args})", note)
    if settings.get("horizontal_flip"):
        add('keras.layers.RandomFlip("horizontal")', "exact")
    if settings.get("vertical_flip"):
        add('keras.layers.RandomFlip("vertical")', "exact: a separate layer flips independently")
    channel = settings.get("channel_shift_range", 0.0)
    if channel:
        add(f"keras.layers.RandomBrightness(factor={_round(float(channel) / 255)}, "
            "value_range=(0, 255))",
            "channel_shift_range / 255: adds one value to all channels; legacy clips to the "
            "image's own min/max, Keras 3 to [0, 255]")
    brightness = settings.get("brightness_range")
    if brightness is not None:
        low, high = float(brightness[0]), float(brightness[1])
        low_f, high_f = max(low - 1, -1.0), min(high - 1, 1.0)
        add(f"keras.layers.RandomBrightness(factor=({_round(low_f)}, {_round(high_f)}), "
            "value_range=(0, 255))",
            "not exact: legacy MULTIPLIES pixels by a factor in "
            f"[{_number(low)}, {_number(high)}], RandomBrightness ADDS factor * 255")
    rescale = settings.get("rescale")
    if rescale is not None:
        add(f"keras.layers.Rescaling({_number(rescale)})", "exact")
    comments = []
    if order not in (0, 1):
        comments.append(f"# interpolation_order={order}: Keras 3 layers offer only nearest and "
                        "bilinear; bilinear is used")
    for name in ("samplewise_center", "samplewise_std_normalization"):
        if settings.get(name):
            comments.append(f"# {name}=True: no Keras 3 layer; standardise each image in "
                            "your model (e.g. a Lambda layer) if you need it")
    if settings.get("featurewise_center") or settings.get("featurewise_std_normalization"):
        comments.append("# featurewise_center/std: add keras.layers.Normalization(axis=-1) "
                        "after Rescaling and call .adapt(training images) first")
    if settings.get("zca_whitening"):
        comments.append("# zca_whitening=True: no Keras 3 layer")
    if "preprocessing_function" in settings:
        comments.append(f"# preprocessing_function={_python_value(settings['preprocessing_function'])}"
                        ": apply it after this pipeline (legacy runs it before rescale)")
    lines = ["import keras", "", "augment = keras.layers.Pipeline(["]
    lines += layers
    lines.append("])")
    if len(layers) > 1:
        comments.insert(0, "# The generator fuses all geometry into one warp; these layers warp "
                           "one after another, so borders can differ slightly.")
    lines += comments
    lines += ["train_ds = keras.utils.image_dataset_from_directory(",
              f"    {json.dumps(directory)},", f"    image_size={target_size},",
              f"    batch_size={batch_size},",
              f"    label_mode={json.dumps(_label_mode(class_mode))},",
              '    interpolation="nearest",  # the resize flow_from_directory uses by default']
    if seed is not None:
        lines.append(f"    seed={int(seed)},")
    lines += [")", "train_ds = train_ds.map(lambda x, y: (augment(x, training=True), y))"]
    return "\n".join(lines)


def _label_mode(class_mode: str) -> str:
    return {"sparse": "int", "binary": "binary", "categorical": "categorical"}.get(
        class_mode, "categorical")


def _round(value: float) -> str:
    value = round(float(value), 4)
    return "0.0" if value == 0 else repr(value)


def _active(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return bool(value)
