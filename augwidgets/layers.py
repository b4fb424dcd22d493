"""The legacy generator's random augmentation as a Keras 3 layer, so it can run on a GPU.

``GeneratorAugmentation`` takes the pixel-changing arguments of the legacy
``ImageDataGenerator`` (same names, same units, same draws) and applies them to whole
batches inside a model, built only on ``keras.ops`` and ``keras.random`` so it works with
the TensorFlow, JAX and PyTorch backends. As in Keras' own preprocessing layers, the
randomness is drawn in ``get_random_transformation`` (a dict of batched tensors with the
legacy keys) and applied in ``transform_images``.

The geometry is the legacy inverse map (``augwidgets.image.functional.affine_matrix`` with the
flips folded in, ``geometry_matrix``), built per image as a batch of 3x3 matrices and
resampled by ``keras.ops.image.affine_transform``. Colour follows the legacy order:
channel shift after the warp, brightness last.

Examples:
    >>> import keras
    >>> from augwidgets.layers import GeneratorAugmentation
    >>> model = keras.Sequential([
    ...     keras.Input((32, 32, 3)),
    ...     GeneratorAugmentation(rotation_range=20, zoom_range=0.1, horizontal_flip=True),
    ...     keras.layers.Rescaling(1 / 255),
    ...     keras.layers.Conv2D(8, 3, activation="relu"),
    ... ])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
from keras import ops

from augwidgets.engine.arguments import (
    DEFAULTS,
    RANDOM_ROLES,
    TransformConfig,
    arguments_with_role,
    validate_generator_kwargs,
)

#: Generator arguments the layer applies (everything else is not random augmentation).
LAYER_ARGUMENTS = arguments_with_role(*RANDOM_ROLES, "fill")
_WHY_REJECTED = {
    "rescale": "put a `keras.layers.Rescaling` layer after this one, or keep `rescale` in "
               "the generator",
    "preprocessing_function": "apply it in the generator or as its own layer",
    "featurewise_center": "use a `keras.layers.Normalization` layer (adapt it on the data)",
    "featurewise_std_normalization": "use a `keras.layers.Normalization` layer",
    "zca_whitening": "ZCA whitening needs statistics of the data set; use the generator",
    "zca_epsilon": "ZCA whitening needs statistics of the data set; use the generator",
    "samplewise_center": "subtract the per-image mean in a layer of your own, or use the "
                         "generator",
    "samplewise_std_normalization": "divide by the per-image std in a layer of your own, or "
                                    "use the generator",
    "validation_split": "split the data before it reaches the model",
}
_INTERPOLATIONS = {0: "nearest", 1: "bilinear"}
# Column of each uniform draw in the (batch, 12) block drawn per call.
_U_THETA, _U_TX, _U_TX_SIGN, _U_TY, _U_TY_SIGN, _U_SHEAR = range(6)
_U_ZX, _U_ZY, _U_FLIP_H, _U_FLIP_V, _U_CHANNEL, _U_BRIGHTNESS = range(6, 12)
# Source coordinates this far outside [0, n-1] count as outside for fill_mode="constant";
# float32 matrices carry errors of about 1e-5 pixels.
_OUTSIDE_TOLERANCE = 1e-4


def _python_value(value: Any) -> Any:
    """Turn NumPy scalars, arrays and tuples into plain Python values for get_config."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_python_value(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


class GeneratorAugmentation(keras.layers.Layer):
    """The legacy ``ImageDataGenerator`` random augmentation, as a backend-agnostic layer.

    Feed it un-augmented batches of pixel values in 0..255 (uint8 or float), as the
    generator's augmentation sees them, and put scaling (``Rescaling(1/255)``) *after* it:
    brightness, like the legacy generator, truncates to 8-bit values. The output is float
    (the layer's compute dtype). It only augments while training: ``call`` returns the
    inputs unchanged (cast to the compute dtype) when ``training`` is falsy, so
    ``model.predict`` and ``model.evaluate`` see clean images.

    Every random number follows the legacy distribution for each image independently:
    ``theta`` uniform in [-rotation_range, rotation_range] degrees; shifts uniform for a
    float (a fraction of the side below 1, pixels from 1), ``0..n-1`` pixels with a random
    sign for an int ``n``, a random element with a random sign for a list; ``shear``
    uniform in degrees; ``zx`` and ``zy`` drawn independently from the zoom bounds (a factor
    above 1 zooms out); each flip with probability 0.5; one channel-shift intensity and one
    brightness factor per image. The numbers differ from the generator's (another random
    generator), not their distribution.

    Border handling (``fill_mode``) against the legacy ``scipy.ndimage`` output, as
    measured with the TensorFlow backend:

    - ``"nearest"`` and ``"reflect"``: identical (Keras reflects about the pixel edge,
      ``dcba|abcd|dcba``, like scipy's ``reflect``).
    - ``"constant"``: identical. Keras alone would blend ``cval`` into the outermost
      pixels' half-pixel band; the layer instead samples with ``"nearest"`` and sets
      exactly the pixels whose source lies outside ``[0, n-1]`` to ``cval``, as scipy does.
    - ``"wrap"``: differs where the source lies outside the image. Keras repeats the image
      with period ``n`` (``abcd|abcd``) and does not interpolate across the seam; legacy
      scipy repeats with period ``n - 1`` (the first and last rows/columns overlap), so the
      wrapped-in content is offset by one pixel per period. Pixels sampled from inside the
      image are identical.

    Interior pixels agree with the OpenCV/scipy path to about 1/64 of the local gradient
    (OpenCV quantises coordinates to 1/32 pixel). ``interpolation_order`` 0 (nearest) and 1
    (bilinear) are supported; higher orders raise ``ValueError``.

    Args:
        **generator_kwargs: the generator's pixel arguments: ``rotation_range``,
            ``width_shift_range``, ``height_shift_range``, ``shear_range``, ``zoom_range``,
            ``horizontal_flip``, ``vertical_flip``, ``channel_shift_range``,
            ``brightness_range``, ``fill_mode``, ``cval``, ``interpolation_order``, with
            legacy meanings. Other generator arguments (``rescale``, ``featurewise_*``,
            ``preprocessing_function``, ...) are accepted only at their default values.
        seed: int seed of the layer's random stream (``None``: a random one).
        data_format: ``"channels_last"`` or ``"channels_first"`` (``None``: Keras' setting).
        **kwargs: ``name``, ``dtype`` and other base ``Layer`` arguments.

    Examples:
        >>> import numpy as np
        >>> layer = GeneratorAugmentation(rotation_range=30, horizontal_flip=True, seed=0)
        >>> images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype="uint8")
        >>> tuple(layer(images, training=True).shape)
        (4, 32, 32, 3)
    """

    def __init__(self, *, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        generator_kwargs = {k: kwargs.pop(k) for k in list(kwargs)
                            if k in DEFAULTS and k != "dtype"}
        super().__init__(**kwargs)
        for name, value in generator_kwargs.items():
            if name in _WHY_REJECTED and value != DEFAULTS[name] and value is not None:
                raise ValueError(
                    f"`{name}` is not a random augmentation: GeneratorAugmentation applies "
                    f"only the generator's random pixel augmentation ({', '.join(LAYER_ARGUMENTS)})"
                    f"; {_WHY_REJECTED[name]}. Received: {name}={value!r}"
                )
        validate_generator_kwargs({**generator_kwargs, "data_format": data_format})
        order = generator_kwargs.get("interpolation_order", 1)
        if order not in _INTERPOLATIONS:
            raise ValueError(
                "`interpolation_order` must be 0 (nearest) or 1 (bilinear) in "
                f"GeneratorAugmentation. Received: interpolation_order={order!r}"
            )
        if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)):
            raise ValueError(f"`seed` must be None or an int. Received: seed={seed!r}")
        self.generator_kwargs = {k: _python_value(v) for k, v in generator_kwargs.items()
                                 if k in LAYER_ARGUMENTS}
        self.transform_config = TransformConfig.from_kwargs(self.generator_kwargs)
        self.interpolation = _INTERPOLATIONS[order]
        self.seed = seed
        self.data_format = data_format or keras.config.image_data_format()
        self.seed_generator = keras.random.SeedGenerator(seed)
        # TensorFlow's ImageProjectiveTransformV3 has no XLA kernel; Keras' own RandomZoom
        # says the same. With this, jit_compile="auto" on a GPU falls back to a plain graph.
        self.supports_jit = keras.backend.backend() != "tensorflow"

    # ----------------------------------------------------------------------------- sampling

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """Draw one set of legacy parameters per image of the batch.

        Args:
            images: a batch ``(batch, rows, cols, channels)`` (or channels first).
            training: when falsy, nothing is drawn and ``None`` is returned.
            seed: an int or ``keras.random.SeedGenerator``; default the layer's own stream.

        Returns:
            A dict with the legacy keys; every value is a ``(batch,)`` tensor (angles in
            degrees, shifts in pixels, flips as booleans), except ``channel_shift_intensity``
            and ``brightness``, which are ``None`` when that augmentation is off.

        Examples:
            >>> import numpy as np
            >>> layer = GeneratorAugmentation(rotation_range=10, seed=1)
            >>> t = layer.get_random_transformation(np.zeros((3, 8, 8, 1)))
            >>> tuple(t["theta"].shape)
            (3,)
        """
        if not training:
            return None
        config = self.transform_config
        batch, rows, cols = self._batch_rows_cols(images)
        seed = self.seed_generator if seed is None else seed
        # One draw for everything: separate calls with an int seed would repeat one stream.
        u = keras.random.uniform((batch, 12), dtype="float32", seed=seed)

        def uniform(column: int, low: float, high: float) -> Any:
            return low + (high - low) * u[:, column]

        zeros = ops.zeros((batch,), dtype="float32")
        theta = uniform(_U_THETA, -config.rotation_range, config.rotation_range) \
            if config.rotation_range else zeros
        tx = self._shift(config.height_shift_range, rows, u[:, _U_TX], u[:, _U_TX_SIGN], zeros)
        ty = self._shift(config.width_shift_range, cols, u[:, _U_TY], u[:, _U_TY_SIGN], zeros)
        shear = uniform(_U_SHEAR, -config.shear_range, config.shear_range) \
            if config.shear_range else zeros
        low, high = config.zoom_range
        if low == 1 and high == 1:
            zx = zy = ops.ones((batch,), dtype="float32")
        else:
            zx, zy = uniform(_U_ZX, low, high), uniform(_U_ZY, low, high)
        flip_horizontal = ops.logical_and(u[:, _U_FLIP_H] < 0.5, config.horizontal_flip)
        flip_vertical = ops.logical_and(u[:, _U_FLIP_V] < 0.5, config.vertical_flip)
        channel_shift = None
        if config.channel_shift_range != 0:
            channel_shift = uniform(_U_CHANNEL, -config.channel_shift_range,
                                    config.channel_shift_range)
        brightness = None
        if config.brightness_range is not None:
            brightness = uniform(_U_BRIGHTNESS, *config.brightness_range)
        return {
            "theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
            "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
            "channel_shift_intensity": channel_shift, "brightness": brightness,
        }

    @staticmethod
    def _shift(shift_range: Any, side: Any, u_value: Any, u_sign: Any, zeros: Any) -> Any:
        # Legacy: uniform for a float; np.random.choice(int n) -> 0..n-1 or a list element,
        # times a random sign; below 1 everything is a fraction of the side.
        if isinstance(shift_range, (list, tuple, np.ndarray)):
            if len(shift_range) == 0:
                return zeros
            values = np.asarray(shift_range, dtype="float32")
            index = ops.minimum(ops.cast(ops.floor(u_value * len(values)), "int32"),
                                len(values) - 1)
            value = ops.take(ops.convert_to_tensor(values), index)
            value = value * ops.where(u_sign < 0.5, -1.0, 1.0)
        elif not shift_range:
            return zeros
        elif isinstance(shift_range, (float, np.floating)):
            value = (2 * u_value - 1) * float(shift_range)
        else:
            count = int(shift_range)
            value = ops.minimum(ops.floor(u_value * count), count - 1)
            value = value * ops.where(u_sign < 0.5, -1.0, 1.0)
        if np.max(shift_range) < 1:
            value = value * ops.cast(side, "float32")
        return value

    # ----------------------------------------------------------------------------- applying

    def transformation_matrices(self, transformation: Mapping[str, Any], rows: Any,
                                cols: Any) -> Any:
        """Batched legacy inverse maps ``(batch, 3, 3)`` in ``(x=column, y=row)`` coordinates.

        The same matrix as ``augwidgets.image.functional.geometry_matrix`` (legacy ``affine_matrix`` times
        ``flip_matrix``), one per image.

        Examples:
            >>> import numpy as np
            >>> layer = GeneratorAugmentation()
            >>> m = layer.transformation_matrices({"flip_horizontal": np.array([True])}, 4, 4)
            >>> np.asarray(m)[0, 0].tolist()
            [-1.0, 0.0, 3.0]
        """
        first = next(v for v in transformation.values() if v is not None)
        batch = ops.shape(first)[0]
        zeros = ops.zeros((batch,), dtype="float32")
        ones = ops.ones((batch,), dtype="float32")

        def get(key: str, default: Any) -> Any:
            value = transformation.get(key)
            return default if value is None else ops.cast(value, "float32")

        def matrix(*entries: Any) -> Any:  # nine (batch,) tensors, row major
            return ops.reshape(ops.stack(entries, axis=-1), (-1, 3, 3))

        rows_f, cols_f = ops.cast(rows, "float32"), ops.cast(cols, "float32")
        theta = get("theta", zeros) * (math.pi / 180)
        shear = get("shear", zeros) * (math.pi / 180)
        cos, sin = ops.cos(theta), ops.sin(theta)
        rotation = matrix(cos, -sin, zeros, sin, cos, zeros, zeros, zeros, ones)
        shift = matrix(ones, zeros, get("tx", zeros), zeros, ones, get("ty", zeros),
                       zeros, zeros, ones)
        shearing = matrix(ones, -ops.sin(shear), zeros, zeros, ops.cos(shear), zeros,
                          zeros, zeros, ones)
        zoom = matrix(get("zx", ones), zeros, zeros, zeros, get("zy", ones), zeros,
                      zeros, zeros, ones)
        # Legacy transform_matrix_offset_center(m, h, w): the first coordinate is centred on
        # the *rows'* centre; kept to match the legacy pixels on non-square images.
        o_x, o_y = rows_f / 2 - 0.5 + zeros, cols_f / 2 - 0.5 + zeros
        offset = matrix(ones, zeros, o_x, zeros, ones, o_y, zeros, zeros, ones)
        reset = matrix(ones, zeros, -o_x, zeros, ones, -o_y, zeros, zeros, ones)
        flip_h = get("flip_horizontal", zeros)
        flip_v = get("flip_vertical", zeros)
        flips = matrix(1 - 2 * flip_h, zeros, flip_h * (cols_f - 1),
                       zeros, 1 - 2 * flip_v, flip_v * (rows_f - 1), zeros, zeros, ones)
        result = offset
        for m in (rotation, shift, shearing, zoom, reset, flips):
            result = ops.matmul(result, m)
        return result

    def transform_images(self, images: Any, transformation: Mapping[str, Any] | None,
                         training: bool = True) -> Any:
        """Apply a transformation dict (from ``get_random_transformation``) to a batch.

        Args:
            images: a batch of pixel values in 0..255 (uint8 or float).
            transformation: the dict; ``None`` leaves the images unchanged.
            training: when falsy the images are returned unchanged.

        Returns:
            The augmented batch in the layer's compute dtype.

        Examples:
            >>> import numpy as np
            >>> layer = GeneratorAugmentation(vertical_flip=True)
            >>> x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
            >>> flip = {"flip_vertical": np.array([True])}
            >>> np.asarray(layer.transform_images(x, flip))[0, :, :, 0].tolist()
            [[2.0, 3.0], [0.0, 1.0]]
        """
        if not training or transformation is None:
            return ops.cast(images, self.compute_dtype)
        unbatched = len(images.shape) == 3
        x = ops.cast(images, "float32")
        if unbatched:
            x = ops.expand_dims(x, 0)
        if self._has_geometry(transformation):
            x = self._warp(x, transformation)
        if transformation.get("channel_shift_intensity") is not None:
            intensity = ops.cast(transformation["channel_shift_intensity"], "float32")
            low = ops.min(x, axis=(1, 2, 3), keepdims=True)
            high = ops.max(x, axis=(1, 2, 3), keepdims=True)
            x = ops.minimum(ops.maximum(x + intensity[:, None, None, None], low), high)
        if transformation.get("brightness") is not None:
            x = self._brightness(x, ops.cast(transformation["brightness"], "float32"))
        if unbatched:
            x = ops.squeeze(x, 0)
        return ops.cast(x, self.compute_dtype)

    def _has_geometry(self, transformation: Mapping[str, Any]) -> bool:
        keys = ("theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal", "flip_vertical")
        return any(transformation.get(k) is not None for k in keys)

    def _warp(self, x: Any, transformation: Mapping[str, Any]) -> Any:
        channels_last = self.data_format == "channels_last"
        rows, cols = (x.shape[1], x.shape[2]) if channels_last else (x.shape[2], x.shape[3])
        if rows is None or cols is None:
            shape = ops.shape(x)
            rows, cols = (shape[1], shape[2]) if channels_last else (shape[2], shape[3])
        m = self.transformation_matrices(transformation, rows, cols)
        flat = ops.reshape(m, (-1, 9))[:, :8]
        flat = ops.concatenate([flat[:, :6], ops.zeros_like(flat[:, 6:8])], axis=-1)
        fill_mode = self.transform_config.fill_mode
        cval = self.transform_config.cval
        out = ops.image.affine_transform(
            x, flat, interpolation=self.interpolation,
            fill_mode="nearest" if fill_mode == "constant" else fill_mode,
            fill_value=cval, data_format=self.data_format,
        )
        if fill_mode != "constant":
            return out
        # scipy's "constant": cval exactly where the source is outside [0, n-1], no blending.
        xs = ops.cast(ops.arange(cols), "float32")[None, None, :]
        ys = ops.cast(ops.arange(rows), "float32")[None, :, None]
        src_x = m[:, 0, 0, None, None] * xs + m[:, 0, 1, None, None] * ys + m[:, 0, 2, None, None]
        src_y = m[:, 1, 0, None, None] * xs + m[:, 1, 1, None, None] * ys + m[:, 1, 2, None, None]
        last_x = ops.cast(cols, "float32") - 1
        last_y = ops.cast(rows, "float32") - 1
        tol = _OUTSIDE_TOLERANCE
        outside = ((src_x < -tol) | (src_x > last_x + tol)
                   | (src_y < -tol) | (src_y > last_y + tol))
        outside = outside[..., None] if channels_last else outside[:, None]
        return ops.where(outside, ops.cast(cval, "float32"), out)

    def _brightness(self, x: Any, factor: Any) -> Any:
        # Legacy apply_brightness_shift(x, b, scale=False): an image with values outside
        # 0..255 is first stretched to 0..255 (and back afterwards); then PIL truncates to
        # uint8 and ImageEnhance.Brightness computes (uint8)(float(value) * b), clipped.
        low = ops.min(x, axis=(1, 2, 3), keepdims=True)
        high = ops.max(x, axis=(1, 2, 3), keepdims=True)
        stretch = ops.logical_or(low < 0, high > 255)
        span = high - low
        stretched = (x - low) / ops.where(span == 0, 1.0, span) * 255
        pixels = ops.where(stretch, stretched, x)
        pixels = ops.floor(ops.clip(pixels, 0, 255))  # astype(uint8) truncation
        scaled = ops.clip(ops.floor(pixels * factor[:, None, None, None]), 0, 255)
        channel_axis = 3 if self.data_format == "channels_last" else 1
        if x.shape[channel_axis] == 4:  # RGBA: PIL keeps the alpha channel
            keep = ops.reshape(ops.arange(4) == 3, [4 if i == channel_axis else 1
                                                    for i in range(4)])
            scaled = ops.where(keep, pixels, scaled)
        restored = scaled / 255 * span + low
        return ops.where(stretch, restored, scaled)

    # ------------------------------------------------------------------------- Keras hooks

    def _batch_rows_cols(self, images: Any) -> tuple[Any, Any, Any]:
        shape = ops.shape(images)
        if len(shape) == 3:
            shape = (1, *shape)
        if self.data_format == "channels_last":
            return shape[0], shape[1], shape[2]
        return shape[0], shape[2], shape[3]

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.transform_config.is_identity:
            return ops.cast(inputs, self.compute_dtype)
        transformation = self.get_random_transformation(inputs, training=True)
        return self.transform_images(inputs, transformation, training=True)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def compute_output_spec(self, inputs: Any, training: bool | None = None) -> Any:
        return keras.KerasTensor(inputs.shape, dtype=self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.generator_kwargs, "seed": self.seed,
                "data_format": self.data_format}
