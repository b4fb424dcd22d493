"""The default small CNN, and moving a generator's augmentation onto the device.

``build_default_model`` makes a small, fast CNN for an iterator's image shape and class
count: enough capacity to overfit a small data set (which is the point of the lesson),
few enough filters to train in seconds on a CPU. Initialisers and dropout take explicit
seeds, so two models built with the same seed start identical without touching any
global random state.

``augmentation_on_device`` is the GPU path: the generator's random augmentation becomes
the model's first layer (``augwidgets.layers.GeneratorAugmentation``) and the input
pipeline only decodes and rescales, so it does not starve a fast device.
``unaugmented_iterator`` rebuilds an iterator with the same files, order and batch size but
without augmentation.

Examples:
    >>> model = build_default_model((32, 32, 1), 10, seed=0)
    >>> model.output_shape
    (None, 10)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import keras

from augwidgets.engine.arguments import (
    DEFAULTS,
    RANDOM_ARGUMENTS,
    RANDOM_ROLES,
    arguments_with_role,
    is_active,
)
from augwidgets.image.standardize import ScalingConfig

#: Generator arguments that draw random augmentation (what the on-device layer takes).
AUGMENTATION_ARGUMENTS = arguments_with_role(*RANDOM_ROLES, "fill")
#: Arguments the legacy generator applies *after* augmentation, which the layer cannot
#: reorder: with any of them set, augmentation stays on the host.
_AFTER_AUGMENTATION = ScalingConfig.BEYOND_RESCALE
_LOSSES = {
    "categorical": "categorical_crossentropy",
    "sparse": "sparse_categorical_crossentropy",
    "binary": "binary_crossentropy",
}


def loss_for_class_mode(class_mode: str) -> str:
    """The Keras loss for an iterator's ``class_mode``.

    Examples:
        >>> loss_for_class_mode("sparse")
        'sparse_categorical_crossentropy'
    """
    if class_mode not in _LOSSES:
        raise ValueError("`class_mode` must be 'categorical', 'sparse' or 'binary' to train a "
                         f"classifier. Received: class_mode={class_mode!r}")
    return _LOSSES[class_mode]


def build_default_model(image_shape: tuple[int, ...], num_classes: int, *,
                        class_mode: str = "categorical", learning_rate: float = 1e-3,
                        filters: int = 16, dense_units: int = 64, dropout: float = 0.25,
                        seed: int = 0, dtype_policy: str | None = None) -> keras.Model:
    """A small compiled CNN: conv/pool stages until the maps are at most 8 px, then dense.

    Args:
        image_shape: (height, width, channels) of one input image.
        num_classes: number of classes (2 with ``class_mode="binary"`` gives one sigmoid).
        class_mode: the iterator's ``class_mode``: ``"categorical"``, ``"sparse"`` or
            ``"binary"``; picks the loss.
        learning_rate: Adam's learning rate.
        filters: filters of the first convolution; each further stage doubles, up to 64.
        dense_units: width of the hidden dense layer.
        dropout: dropout rate before the output layer (0 leaves the layer out).
        seed: seeds every initialiser and the dropout layer.
        dtype_policy: e.g. ``"mixed_float16"`` on a GPU; None uses Keras' global policy.
            The output layer always computes in float32 for a stable loss.

    Examples:
        >>> build_default_model((28, 28, 3), 2, class_mode="binary").output_shape
        (None, 1)
    """
    if len(image_shape) != 3 or min(image_shape) < 1:
        raise ValueError("`image_shape` must be (height, width, channels) with positive sizes. "
                         f"Received: image_shape={image_shape!r}")
    if num_classes < 2:
        raise ValueError("`num_classes` must be at least 2. "
                         f"Received: num_classes={num_classes!r}")
    loss = loss_for_class_mode(class_mode)
    policy = {"dtype": dtype_policy} if dtype_policy else {}
    counter = iter(range(seed * 1000, seed * 1000 + 1000))

    def glorot() -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(seed=next(counter))

    layers: list[keras.layers.Layer] = []
    side, width = min(image_shape[:2]), filters
    while True:
        layers.append(keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                          kernel_initializer=glorot(), **policy))
        layers.append(keras.layers.MaxPooling2D(2, **policy))
        side = math.floor(side / 2)
        width = min(width * 2, 64)
        if side <= 8:
            break
    units, activation = (1, "sigmoid") if class_mode == "binary" else (num_classes, "softmax")
    layers += [
        keras.layers.Flatten(**policy),
        keras.layers.Dense(dense_units, activation="relu", kernel_initializer=glorot(), **policy),
        *([keras.layers.Dropout(dropout, seed=next(counter), **policy)] if dropout else []),
        keras.layers.Dense(units, activation=activation, kernel_initializer=glorot(),
                           dtype="float32"),
    ]
    model = keras.Sequential([keras.Input(tuple(image_shape)), *layers], name="small_cnn")
    optimizer = keras.optimizers.Adam(learning_rate)
    if dtype_policy == "mixed_float16":  # per-layer policies do not trigger Keras' own wrap
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


# ------------------------------------------------------------------------------ GPU path
def generator_kwargs_of(generator: Any) -> dict[str, Any]:
    """The constructor arguments of an ``ImageDataGenerator`` (ours or the legacy one).

    Examples:
        >>> class Fake: generator_kwargs = {"rotation_range": 5}
        >>> generator_kwargs_of(Fake())["rotation_range"]
        5
    """
    kwargs = getattr(generator, "generator_kwargs", None)
    if kwargs is not None:
        return dict(kwargs)
    # The legacy generator keeps its arguments as attributes (zoom_range as [low, high]).
    read = {name: getattr(generator, name) for name in DEFAULTS if hasattr(generator, name)}
    if hasattr(generator, "_validation_split"):
        read["validation_split"] = generator._validation_split
    return read


def augmentation_arguments(generator_kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The random-augmentation arguments that differ from their defaults.

    Examples:
        >>> augmentation_arguments({"rotation_range": 10, "rescale": 0.5, "cval": 0.0})
        {'rotation_range': 10}
    """
    out = {}
    for name in AUGMENTATION_ARGUMENTS:
        value = generator_kwargs.get(name, DEFAULTS[name])
        if is_active(name, value):
            out[name] = list(value) if isinstance(value, tuple) else value
    if not any(name in RANDOM_ARGUMENTS for name in out):  # fill settings alone do nothing
        return {}
    return out


def device_augmentation_blocker(generator_kwargs: Mapping[str, Any]) -> str | None:
    """Why augmentation cannot move onto the device, or None when it can.

    Examples:
        >>> device_augmentation_blocker({"preprocessing_function": abs}) is not None
        True
    """
    for name in _AFTER_AUGMENTATION:
        value = generator_kwargs.get(name, DEFAULTS[name])
        if value not in (None, False):
            return (f"`{name}` runs after augmentation in the generator, so augmentation "
                    "stays in the input pipeline")
    if generator_kwargs.get("interpolation_order", 1) not in (0, 1):
        return "the on-device layer supports interpolation_order 0 or 1 only"
    return None


def augmentation_on_device(model: keras.Model, generator_kwargs: Mapping[str, Any], *,
                           seed: int | None = 0) -> keras.Model:
    """Puts the generator's random augmentation in front of ``model`` as its first layer.

    The returned model expects the same (rescaled) inputs as ``model``. Its first layer is
    a block ``Rescaling(1/rescale) -> GeneratorAugmentation -> Rescaling(rescale)``: the
    layer, like the legacy generator, augments pixel values in 0..255 (brightness
    truncates to 8 bits). Without ``rescale`` the block is the layer alone. The block
    is the identity at inference, so validation sees clean images and the inner model's
    weights stay usable on their own.

    Args:
        model: a compiled (or uncompiled) Keras model taking rescaled images.
        generator_kwargs: the generator's constructor arguments.
        seed: the augmentation layer's seed.

    Returns:
        A new model sharing ``model``'s layers, compiled like ``model`` when it was.

    Examples:
        >>> inner = build_default_model((16, 16, 1), 3)
        >>> outer = augmentation_on_device(inner, {"rotation_range": 20, "rescale": 1 / 255})
        >>> outer.layers[0].name
        'augmentation_on_device'
    """
    from augwidgets.layers import GeneratorAugmentation

    blocker = device_augmentation_blocker(generator_kwargs)
    if blocker:
        raise ValueError(f"Cannot move augmentation onto the device: {blocker}. "
                         f"Received: generator_kwargs={dict(generator_kwargs)!r}")
    arguments = augmentation_arguments(generator_kwargs)
    rescale = generator_kwargs.get("rescale")
    block: list[keras.layers.Layer] = []
    if rescale:
        block.append(keras.layers.Rescaling(1.0 / rescale, dtype="float32"))
    block.append(GeneratorAugmentation(**arguments, seed=seed, dtype="float32"))
    if rescale:
        block.append(keras.layers.Rescaling(rescale, dtype="float32"))
    shape = tuple(model.input_shape[1:])
    augmentation = keras.Sequential([keras.Input(shape), *block], name="augmentation_on_device")
    outer = keras.Sequential([keras.Input(shape), augmentation, model],
                             name=f"{model.name}_with_augmentation")
    if getattr(model, "compiled", False):
        _compile_like(outer, model)
    return outer


def _compile_like(outer: keras.Model, inner: keras.Model) -> None:
    """Compiles ``outer`` with ``inner``'s optimizer object, loss and metrics."""
    from keras.saving import deserialize_keras_object

    config = deserialize_keras_object(inner.get_compile_config())
    config["optimizer"] = inner.optimizer
    outer.compile(**config)


def unaugmented_iterator(iterator: Any) -> Any:
    """The same data as ``iterator`` (files, order, batch size, rescale) without augmentation.

    Works for directory iterators (``flow_from_directory``) of our generator and of the
    legacy one; raises ``ValueError`` for other iterators.

    Examples:
        >>> unaugmented_iterator(object())
        Traceback (most recent call last):
        ...
        ValueError: ...
    """
    generator = getattr(iterator, "image_data_generator", None)
    directory = getattr(iterator, "directory", None)
    if generator is None or directory is None:
        raise ValueError("Augmentation on the device needs an iterator from "
                         "`flow_from_directory` (it is rebuilt without augmentation). "
                         f"Received: iterator={type(iterator).__name__}")
    kwargs = generator_kwargs_of(generator)
    plain = {k: v for k, v in kwargs.items() if k not in AUGMENTATION_ARGUMENTS}
    index_to_class = sorted(iterator.class_indices, key=iterator.class_indices.get)
    options = {
        "target_size": tuple(iterator.target_size),
        "color_mode": iterator.color_mode,
        "classes": index_to_class,
        "class_mode": iterator.class_mode,
        "batch_size": iterator.batch_size,
        "shuffle": iterator.shuffle,
        "seed": iterator.seed,
        "subset": getattr(iterator, "subset", None),
        "interpolation": getattr(iterator, "interpolation", "nearest"),
    }
    if hasattr(iterator, "keep_aspect_ratio"):
        options["keep_aspect_ratio"] = iterator.keep_aspect_ratio
    if getattr(iterator, "resize", "legacy") != "legacy":  # augwidgets' opt-in fast resize
        options["resize"] = iterator.resize
    return type(generator)(**plain).flow_from_directory(directory, **options)
