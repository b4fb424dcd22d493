"""A generator configuration translated to Keras 3 preprocessing layers, for Python or R.

``keras3_pipeline`` turns legacy arguments into ``Random*`` layers with converted units
(``RandomRotation(factor=20/360)``), with a comment on every line whose translation is not
exact; ``keras3_dataset`` writes the ``image_dataset_from_directory`` call that feeds it.
``codegen.generator_code`` and ``migrate`` both use them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from augwidgets.engine.arguments import zoom_bounds
from augwidgets.tools.literals import function_name, number_literal, python_value, r_value


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
        function = function_name(settings["preprocessing_function"])
        comments.append(f"# preprocessing_function={function}"
                        ": apply it after this pipeline (legacy runs it before rescale)")
    if len(layers) > 1:
        comments.insert(0, "# The generator fuses all geometry into one warp; these layers warp "
                           "one after another, so borders can differ slightly.")
    return layers, comments


def keras3_pipeline(settings: dict[str, Any], target_size: tuple[int, int], *,
                    name: str = "augment", r: bool = False,
                    inline_notes: bool = True) -> tuple[list[str], list[str], list[str]]:
    """The Keras 3 layers for non-default ``settings`` as an assignment to ``name``.

    Returns ``(lines, comments, notes)``: the code (Python ``keras.layers.Pipeline([...])``
    or an R ``keras_model_sequential() |> layer_*()`` chain), the whole-pipeline comment
    lines, and every per-layer note whose translation is not exact. With
    ``inline_notes=False`` the notes are left out of the code (``migrate`` writes them
    above the statement). R with no layers gives no lines.
    """
    layers, comments = _keras3_plan(settings, target_size, r=r)
    notes = [f"{layer.python}: {layer.note}" for layer in layers if layer.note and not (
        layer.note == "exact" or layer.note.startswith("exact:") or layer.note.endswith(": exact"))]
    lines: list[str] = []
    if not r:
        lines.append(f"{name} = keras.layers.Pipeline([")
        for layer in layers:
            args = [_python_literal(value) if layer.positional and i == 0
                    else f"{arg}={_python_literal(value)}"
                    for i, (arg, value) in enumerate(layer.args)]
            code = f"keras.layers.{layer.python}({', '.join(args)})"
            comment = "  # " + layer.note if layer.note and inline_notes else ""
            lines.append(f"    {code},{comment}")
        lines.append("])")
    elif layers:
        lines.append(f"{name} <- keras_model_sequential() |>")
        for i, layer in enumerate(layers):
            args = ", ".join(f"{arg} = {_r_literal(value)}" for arg, value in layer.args)
            pipe = " |>" if i < len(layers) - 1 else ""
            comment = "  # " + layer.note if layer.note and inline_notes else ""
            lines.append(f"  {layer.r}({args}){pipe}{comment}")
    return lines, comments, notes


def keras3_dataset(directory: str, *, name: str = "train_ds", image_size: str,
                   batch_size: str, class_mode: str | None, augment: str | None = None,
                   training: bool = True, extra: tuple[tuple[str, str], ...] = (),
                   r: bool = False) -> list[str]:
    """``image_dataset_from_directory`` assigned to ``name``, then mapped through ``augment``.

    Every argument is already code in the target language (``directory`` may be a
    variable, ``image_size`` ``(224, 224)`` or ``c(224, 224)``), except ``class_mode``, the
    legacy value, written as its ``label_mode``; ``extra`` adds ``(argument, code)`` pairs
    such as ``("seed", "1")``.
    """
    equals, assign = (" = ", " <- ") if r else ("=", " = ")
    mode = _label_mode(class_mode)
    label_mode = r_value(mode) if r else python_value(mode)
    call = [(directory, ""), (f"image_size{equals}{image_size}", ""),
            (f"batch_size{equals}{batch_size}", ""), (f"label_mode{equals}{label_mode}", ""),
            (f'interpolation{equals}"nearest"',
             f"the resize flow_{'images_' if r else ''}from_directory uses by default")]
    call += [(f"{argument}{equals}{code}", "") for argument, code in extra]
    function = "image_dataset_from_directory" if r else "keras.utils.image_dataset_from_directory"
    lines = [f"{name}{assign}{function}("]
    indent = "  " if r else "    "
    for i, (argument, note) in enumerate(call):
        comma = "," if i < len(call) - 1 or not r else ""
        lines.append(f"{indent}{argument}{comma}{'  # ' + note if note else ''}")
    lines.append(")")
    if augment is not None:
        flag = ("TRUE" if training else "FALSE") if r else str(training)
        if r:
            lines += [f"{name} <- {name} |>",
                      f"  tfdatasets::dataset_map(function(x, y) list({augment}(x, training = "
                      f"{flag}), y))"]
        else:
            lines.append(f"{name} = {name}.map(lambda x, y: ({augment}(x, training={flag}), y))")
    return lines


def keras3_code(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str | None, seed: int | None) -> str:
    lines, comments, _notes = keras3_pipeline(settings, target_size)
    extra = (("seed", str(int(seed))),) if seed is not None else ()
    return "\n".join(["import keras", "", *lines, *comments, *keras3_dataset(
        json.dumps(directory), image_size=str(target_size), batch_size=str(batch_size),
        class_mode=class_mode, augment="augment", extra=extra)])


def r_keras3_code(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
              batch_size: int, class_mode: str | None, seed: int | None) -> str:
    """The R ``keras3`` translation: a sequential model of layers mapped over the dataset.

    ``keras3`` no longer exports ``image_data_generator()``; its layer functions take the
    Python argument names (``factor``, ``fill_mode``, ``height_factor``...), and
    ``image_dataset_from_directory()`` converts ``image_size``, ``batch_size`` and ``seed``
    to integers itself, so plain numbers are fine here.
    """
    lines, comments, _notes = keras3_pipeline(settings, target_size, r=True)
    extra = (("seed", str(int(seed))),) if seed is not None else ()
    return "\n".join(["library(keras3)", "", *lines, *comments, *keras3_dataset(
        json.dumps(directory), image_size=f"c({target_size[0]}, {target_size[1]})",
        batch_size=str(batch_size), class_mode=class_mode,
        augment="augment" if lines else None, extra=extra, r=True)])


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
