"""Write a generator configuration as code to paste into Python, Keras 3 or R.

Five dialects:

- ``"python"``: ``ImageDataGenerator(...)`` plus ``flow_from_directory(...)``, importing the
  legacy generator from ``tensorflow.keras``; exact.
- ``"augwidgets"``: the same code importing ``from augwidgets import ImageDataGenerator``,
  the fast drop-in; exact.
- ``"keras3"``: a ``keras.layers.Pipeline`` of ``Random*`` layers with converted units
  (``RandomRotation(factor=20/360)``). Every line whose translation is not exact carries
  a comment saying how it differs.
- ``"r"``: ``image_data_generator(...)`` plus ``flow_images_from_directory(...)`` for the R
  ``keras`` (2.x) package of the course material, exact.
- ``"r-keras3"``: the Keras 3 translation for the R ``keras3`` package, where
  ``image_data_generator`` is gone: ``image_dataset_from_directory()`` and
  ``layer_random_*()`` layers, with the same converted units and comments as ``"keras3"``.

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
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from augwidgets.engine.arguments import zoom_bounds
from augwidgets.tools.sharing import non_default_kwargs

DIALECTS = ("python", "augwidgets", "keras3", "r", "r-keras3")
ENGINES = ("keras", "augwidgets")
_SHIFTS = ("width_shift_range", "height_shift_range")
_KERAS_IMPORT = "from tensorflow.keras.preprocessing.image import ImageDataGenerator"
_AUGWIDGETS_IMPORT = "from augwidgets import ImageDataGenerator"


def number_literal(value: float, name: str = "") -> str:
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
        return _function_name(value)
    return number_literal(value, name)


def _function_name(function: Any) -> str:
    """The function's name when it is an identifier in Python and R (a lambda's is not)."""
    name = getattr(function, "__name__", "")
    if name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name):
        return name
    return "preprocess"


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
        return _function_name(value)
    text = number_literal(value, name)
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
    class_mode: str | None = "categorical",
    seed: int | None = None,
    engine: str = "keras",
) -> str:
    """Code that builds this augmentation in the chosen dialect.

    Args:
        generator_kwargs: legacy ``ImageDataGenerator`` arguments (validated here).
        dialect: ``"python"``, ``"augwidgets"``, ``"keras3"``, ``"r"`` or ``"r-keras3"``.
        directory: the class-per-folder directory written into the code.
        target_size: ``(height, width)`` the images are resized to.
        batch_size: images per batch.
        class_mode: as in ``flow_from_directory``.
        seed: written as ``seed=`` when given.
        engine: for ``"python"``, import the generator from ``"keras"`` (runs anywhere
            TensorFlow is installed) or from ``"augwidgets"`` (same arguments, faster);
            ``dialect="augwidgets"`` is the same as ``engine="augwidgets"``.

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
    if dialect in ("python", "augwidgets"):
        engine = "augwidgets" if dialect == "augwidgets" else engine
        return _python(settings, directory, target_size, batch_size, class_mode, seed, engine)
    if dialect == "r":
        return _r(settings, directory, target_size, batch_size, class_mode, seed)
    if dialect == "r-keras3":
        return _r_keras3(settings, directory, target_size, batch_size, class_mode, seed)
    return _keras3(settings, directory, target_size, batch_size, class_mode, seed)


def _python(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str | None, seed: int | None, engine: str) -> str:
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
              f"    class_mode={_python_value(class_mode)},"]
    if seed is not None:
        lines.append(f"    seed={int(seed)},")
    lines.append(")")
    return "\n".join(lines)


def _r(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
       batch_size: int, class_mode: str | None, seed: int | None) -> str:
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
            f"  batch_size = {batch_size}", f"  class_mode = {_r_value(class_mode)}"]
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


@dataclass(frozen=True)
class _Layer:
    """One Keras 3 layer, named for both languages, its arguments already as literals.

    ``args`` holds ``(name, literal)`` pairs; a literal is a string that reads the same in
    Python and R (numbers, ``1/255``, quoted strings) or a tuple of them (written ``(a, b)``
    in Python, ``c(a, b)`` in R). ``positional`` writes the first argument without its name
    in Python, as Keras' own examples do.
    """

    python: str
    r: str
    args: tuple[tuple[str, str | tuple[str, ...]], ...]
    note: str = ""
    positional: bool = False


def _keras3_plan(settings: dict[str, Any], target_size: tuple[int, int],
                 r: bool) -> tuple[list[_Layer], list[str]]:
    """The layers and the whole-pipeline comments of the Keras 3 translation.

    One plan for both languages, so the Python and R Keras 3 exports convert every unit
    the same way; only the comments that name an API differ (``r``).
    """
    height, width = target_size
    fill_mode = settings.get("fill_mode", "nearest")
    cval = settings.get("cval", 0.0)
    order = settings.get("interpolation_order", 1)
    warp: list[tuple[str, str | tuple[str, ...]]] = [("fill_mode", json.dumps(fill_mode))]
    if fill_mode == "constant":
        warp.append(("fill_value", number_literal(cval)))
    if order == 0:
        warp.append(("interpolation", '"nearest"'))
    layers: list[_Layer] = []

    def add(python: str, r_name: str, args: list, note: str = "", positional: bool = False):
        layers.append(_Layer(python, r_name, tuple(args), note, positional))

    rotation = settings.get("rotation_range", 0)
    if rotation:
        add("RandomRotation", "layer_random_rotation",
            [("factor", f"{number_literal(rotation)}/360"), *warp],
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
        add("RandomTranslation", "layer_random_translation",
            [("height_factor", _round(vertical)), ("width_factor", _round(sideways)), *warp],
            "; ".join(notes))
    shear = settings.get("shear_range", 0.0)
    if shear:
        factor = min(math.sin(math.radians(min(float(shear), 90.0))), 1.0)
        add("RandomShear", "layer_random_shear",
            [("x_factor", _round(factor)), ("y_factor", "0.0"), *warp],
            f"close: sin({number_literal(shear)} degrees); legacy shears about the centre, "
            "Keras 3 about the top-left corner")
    if "zoom_range" in settings:
        low, high = zoom_bounds(settings["zoom_range"])
        note = "exact: factor - 1; above 0 zooms out in both"
        if high > 2:
            high, note = 2.0, "not exact: Keras 3 zooms out at most 2x (factor 1.0)"
        bounds = (_round(low - 1), _round(high - 1))
        add("RandomZoom", "layer_random_zoom",
            [("height_factor", bounds), ("width_factor", bounds), *warp], note)
    if settings.get("horizontal_flip"):
        add("RandomFlip", "layer_random_flip", [("mode", '"horizontal"')], "exact",
            positional=True)
    if settings.get("vertical_flip"):
        add("RandomFlip", "layer_random_flip", [("mode", '"vertical"')],
            "exact: a separate layer flips independently", positional=True)
    channel = settings.get("channel_shift_range", 0.0)
    if channel:
        add("RandomBrightness", "layer_random_brightness",
            [("factor", _round(float(channel) / 255)), ("value_range", ("0", "255"))],
            "channel_shift_range / 255: adds one value to all channels; legacy clips to the "
            "image's own min/max, Keras 3 to [0, 255]")
    brightness = settings.get("brightness_range")
    if brightness is not None:
        low, high = float(brightness[0]), float(brightness[1])
        low_f, high_f = max(low - 1, -1.0), min(high - 1, 1.0)
        add("RandomBrightness", "layer_random_brightness",
            [("factor", (_round(low_f), _round(high_f))), ("value_range", ("0", "255"))],
            "not exact: legacy MULTIPLIES pixels by a factor in "
            f"[{number_literal(low)}, {number_literal(high)}], RandomBrightness ADDS factor * 255")
    rescale = settings.get("rescale")
    if rescale is not None:
        add("Rescaling", "layer_rescaling", [("scale", number_literal(rescale))], "exact",
            positional=True)

    comments = []
    if order not in (0, 1):
        comments.append(f"# interpolation_order={order}: Keras 3 layers offer only nearest and "
                        "bilinear; bilinear is used")
    standardise = "layer_lambda()" if r else "a Lambda layer"
    for name in ("samplewise_center", "samplewise_std_normalization"):
        if settings.get(name):
            comments.append(f"# {name}=True: no Keras 3 layer; standardise each image in "
                            f"your model (e.g. {standardise}) if you need it")
    if settings.get("featurewise_center") or settings.get("featurewise_std_normalization"):
        if r:
            comments.append("# featurewise_center/std: add layer_normalization(axis = -1) "
                            "after layer_rescaling() and adapt() it to the training images first")
        else:
            comments.append("# featurewise_center/std: add keras.layers.Normalization(axis=-1) "
                            "after Rescaling and call .adapt(training images) first")
    if settings.get("zca_whitening"):
        comments.append("# zca_whitening=True: no Keras 3 layer")
    if "preprocessing_function" in settings:
        function = _function_name(settings["preprocessing_function"])
        comments.append(f"# preprocessing_function={function}"
                        ": apply it after this pipeline (legacy runs it before rescale)")
    if len(layers) > 1:
        comments.insert(0, "# The generator fuses all geometry into one warp; these layers warp "
                           "one after another, so borders can differ slightly.")
    return layers, comments


def _keras3(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str | None, seed: int | None) -> str:
    layers, comments = _keras3_plan(settings, target_size, r=False)
    lines = ["import keras", "", "augment = keras.layers.Pipeline(["]
    for layer in layers:
        args = [_python_literal(value) if layer.positional and i == 0
                else f"{name}={_python_literal(value)}"
                for i, (name, value) in enumerate(layer.args)]
        code = f"keras.layers.{layer.python}({', '.join(args)})"
        lines.append(f"    {code},{'  # ' + layer.note if layer.note else ''}")
    lines.append("])")
    lines += comments
    lines += ["train_ds = keras.utils.image_dataset_from_directory(",
              f"    {json.dumps(directory)},", f"    image_size={target_size},",
              f"    batch_size={batch_size},",
              f"    label_mode={_python_value(_label_mode(class_mode))},",
              '    interpolation="nearest",  # the resize flow_from_directory uses by default']
    if seed is not None:
        lines.append(f"    seed={int(seed)},")
    lines += [")", "train_ds = train_ds.map(lambda x, y: (augment(x, training=True), y))"]
    return "\n".join(lines)


def _r_keras3(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
              batch_size: int, class_mode: str | None, seed: int | None) -> str:
    """The R ``keras3`` translation: a sequential model of layers mapped over the dataset.

    ``keras3`` no longer exports ``image_data_generator()``; its layer functions take the
    Python argument names (``factor``, ``fill_mode``, ``height_factor``...), and
    ``image_dataset_from_directory()`` converts ``image_size``, ``batch_size`` and ``seed``
    to integers itself, so plain numbers are fine here.
    """
    layers, comments = _keras3_plan(settings, target_size, r=True)
    lines = ["library(keras3)", ""]
    if layers:
        lines.append("augment <- keras_model_sequential() |>")
        for i, layer in enumerate(layers):
            args = ", ".join(f"{name} = {_r_literal(value)}" for name, value in layer.args)
            pipe = " |>" if i < len(layers) - 1 else ""
            lines.append(f"  {layer.r}({args}){pipe}{'  # ' + layer.note if layer.note else ''}")
    lines += comments
    call = [(json.dumps(directory), ""),
            (f"image_size = c({target_size[0]}, {target_size[1]})", ""),
            (f"batch_size = {batch_size}", ""),
            (f"label_mode = {_r_value(_label_mode(class_mode))}", ""),
            ('interpolation = "nearest"', "the resize flow_images_from_directory uses by default")]
    if seed is not None:
        call.append((f"seed = {int(seed)}", ""))
    lines.append("train_ds <- image_dataset_from_directory(")
    for i, (argument, note) in enumerate(call):
        comma = "," if i < len(call) - 1 else ""
        lines.append(f"  {argument}{comma}{'  # ' + note if note else ''}")
    lines.append(")")
    if layers:
        lines += ["train_ds <- train_ds |>",
                  "  tfdatasets::dataset_map(function(x, y) list(augment(x, training = TRUE), y))"]
    return "\n".join(lines)


def _python_literal(value: str | tuple[str, ...]) -> str:
    return f"({', '.join(value)})" if isinstance(value, tuple) else value


def _r_literal(value: str | tuple[str, ...]) -> str:
    return f"c({', '.join(value)})" if isinstance(value, tuple) else value


def _label_mode(class_mode: str | None) -> str | None:
    if class_mode is None:
        return None
    return {"sparse": "int", "binary": "binary", "categorical": "categorical"}.get(
        class_mode, "categorical")


def _round(value: float) -> str:
    value = round(float(value), 4)
    return "0.0" if value == 0 else repr(value)


def _active(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return bool(value)
