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

Examples:
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
from collections.abc import Mapping
from typing import Any

from augwidgets.tools.keras3 import keras3_code, r_keras3_code
from augwidgets.tools.literals import python_value, r_value
from augwidgets.tools.sharing import non_default_kwargs

DIALECTS = ("python", "augwidgets", "keras3", "r", "r-keras3")
ENGINES = ("keras", "augwidgets")
_KERAS_IMPORT = "from tensorflow.keras.preprocessing.image import ImageDataGenerator"
_AUGWIDGETS_IMPORT = "from augwidgets import ImageDataGenerator"


def python_arguments(generator_kwargs: Mapping[str, Any]) -> str:
    """The non-default arguments as a Python argument list, e.g. for a one-line call.

    Examples:
        >>> python_arguments({"rescale": 1 / 255, "horizontal_flip": False})
        'rescale=1/255'
    """
    settings = non_default_kwargs(generator_kwargs)
    return ", ".join(f"{name}={python_value(value, name)}" for name, value in settings.items())


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

    Examples:
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
        return r_keras3_code(settings, directory, target_size, batch_size, class_mode, seed)
    return keras3_code(settings, directory, target_size, batch_size, class_mode, seed)


def _python(settings: dict[str, Any], directory: str, target_size: tuple[int, int],
            batch_size: int, class_mode: str | None, seed: int | None, engine: str) -> str:
    lines = [_KERAS_IMPORT if engine == "keras" else _AUGWIDGETS_IMPORT]
    function = settings.get("preprocessing_function")
    if function is not None:
        lines.append(_function_import(function)
                     or f"# define {python_value(function)}(image) here: it gets one image, "
                        "returns one image")
    lines += ["", "datagen = ImageDataGenerator("]
    lines += [f"    {name}={python_value(value, name)}," for name, value in settings.items()]
    lines.append(")")
    lines += ["train_generator = datagen.flow_from_directory(", f"    {json.dumps(directory)},",
              f"    target_size={target_size},", f"    batch_size={batch_size},",
              f"    class_mode={python_value(class_mode)},"]
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
        arguments.append(f"  {name} = {r_value(value, name)}")
    if "preprocessing_function" in settings:
        notes.append(f"# define {r_value(settings['preprocessing_function'])} <- "
                     "function(image) {...} in R first")
    lines += notes
    if arguments:
        lines += ["datagen <- image_data_generator(", ",\n".join(arguments), ")"]
    else:
        lines += ["datagen <- image_data_generator()"]
    flow = [f"  {json.dumps(directory)}", "  generator = datagen",
            f"  target_size = c({target_size[0]}, {target_size[1]})",
            f"  batch_size = {batch_size}", f"  class_mode = {r_value(class_mode)}"]
    if seed is not None:
        flow.append(f"  seed = {int(seed)}")
    lines += ["train_generator <- flow_images_from_directory(", ",\n".join(flow), ")"]
    return "\n".join(lines)
