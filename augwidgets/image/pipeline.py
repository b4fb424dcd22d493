"""The one per-image path: decoded image + drawn parameters -> the image the model gets.

Every consumer calls ``process_image``: ``DirectoryIterator`` (and the dataframe
iterator), ``NumpyArrayIterator``, ``ImageDataGenerator.apply_transform`` and the
explorer's preview. So what the preview shows is what ``fit`` trains on, and a fix here
is a fix everywhere. The steps, in the legacy order:

1. **resize** to ``target_size`` (``resize_image``): by default exactly as the legacy
   ``load_img`` does it, with PIL's filter for ``interpolation`` after the
   ``keep_aspect_ratio`` centre crop, so batches equal the legacy ones pixel for pixel;
2. **warp**: rotation, shifts, shear, zoom and flips as one OpenCV warp on the target grid
   (``augwidgets.image.functional``), with scipy's border semantics;
3. **colour**: channel shift, then brightness, as legacy;
4. **scaling**: ``preprocessing_function``, ``rescale``, sample/feature-wise statistics.

``resize="fast"`` (opt-in, see ``ImageSettings``) trades exact legacy pixels for speed on
large photos: JPEGs are decoded at 1/2, 1/4 or 1/8 scale in the DCT when that still covers
the target, and the resize is folded into the warp (bilinear), so a 4000x3000 photo never
exists at full size.

Examples:
    >>> import numpy as np
    >>> image = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    >>> settings = ImageSettings(target_size=(2, 2), interpolation="nearest")
    >>> process_image(image, {"flip_horizontal": True}, settings)[0, 0].tolist()
    [21.0, 22.0, 23.0]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
from PIL import Image

from augwidgets.errors import reject
from augwidgets.image.decode import COLOR_MODES, ImageHeader, decode_image
from augwidgets.image.functional import apply_color, geometry_matrix, warp_image

#: ``interpolation`` names of ``flow_from_directory`` and the PIL filters legacy uses.
INTERPOLATIONS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
}
#: ``resize`` policies: "legacy" (exact legacy pixels, the default) or "fast" (opt-in).
RESIZE_MODES = ("legacy", "fast")
#: Filters that ``resize="fast"`` folds into the warp; other filters always resize as legacy.
FUSED_INTERPOLATIONS = ("nearest", "bilinear")
_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBX"}



@dataclass(frozen=True)
class ImageSettings:
    """Everything about one image's path except the random draw.

    Args:
        target_size: output ``(rows, cols)``; ``None`` keeps the input size (``flow``,
            ``apply_transform``).
        color_mode: "rgb", "rgba" or "grayscale" (what the file is decoded to); ``None`` for
            arrays (``flow``, ``apply_transform``): every channel is kept as given, whatever
            their number.
        interpolation: the resize filter, as in ``flow_from_directory``.
        keep_aspect_ratio: centre-crop to the target's aspect ratio before resizing.
        resize: "legacy" (PIL resize exactly as the legacy ``load_img``) or "fast" (DCT-scaled
            JPEG decoding and the resize folded into the warp; nearest/bilinear only).
        fill_mode, cval, order: the warp's border mode, fill value and interpolation order.

    Examples:
        >>> ImageSettings(target_size=(64, 64), resize="fast").fused
        True
    """

    target_size: tuple[int, int] | None = None
    color_mode: str | None = "rgb"
    interpolation: str = "nearest"
    keep_aspect_ratio: bool = False
    resize: str = "legacy"
    fill_mode: str = "nearest"
    cval: float = 0.0
    order: int = 1

    def __post_init__(self) -> None:
        size = self.target_size
        if size is not None and (
                not isinstance(size, (tuple, list)) or len(size) != 2
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                           and v > 0 for v in size)):
            raise reject("target_size", "a pair of positive ints (rows, cols)", size)
        if size is not None:
            object.__setattr__(self, "target_size", (int(size[0]), int(size[1])))
        if self.color_mode is not None and self.color_mode not in COLOR_MODES:
            raise reject("color_mode", f"one of {COLOR_MODES}", self.color_mode,
                          legacy=f"Invalid color mode: {self.color_mode}; expected "
                                 '"rgb", "rgba", or "grayscale".')
        if self.interpolation not in INTERPOLATIONS:
            raise reject("interpolation", f"one of {tuple(INTERPOLATIONS)}", self.interpolation)
        if self.resize not in RESIZE_MODES:
            raise reject("resize", f"one of {RESIZE_MODES} ('fast' trades exact legacy "
                          "pixels for speed on large photos)", self.resize)

    @classmethod
    def for_generator(cls, generator: Any, **kwargs: Any) -> ImageSettings:
        """Settings with the warp options of ``generator`` (an ``ImageDataGenerator``, or
        ``None`` for the defaults); without ``color_mode``, for arrays (every channel kept)."""
        kwargs.setdefault("color_mode", None)
        if generator is None:
            return cls(**kwargs)
        config = generator.transform_config
        return cls(fill_mode=config.fill_mode, cval=config.cval,
                   order=config.interpolation_order, **kwargs)

    @property
    def channels(self) -> int:
        """Channels of a decoded file (not defined for arrays, ``color_mode=None``)."""
        return {"rgb": 3, "rgba": 4, "grayscale": 1}[self.color_mode]

    @property
    def fused(self) -> bool:
        """True when the resize is folded into the warp (``resize="fast"``)."""
        return self.resize == "fast" and self.interpolation in FUSED_INTERPOLATIONS

    def with_target(self, target_size: tuple[int, int] | None) -> ImageSettings:
        return replace(self, target_size=target_size)


@dataclass(frozen=True)
class Scaling:
    """The generator's step after augmentation.

    Args:
        rescale: the multiplier, or ``None``.
        standardize: the full legacy ``standardize`` (in place where possible), or ``None``
            when scaling is at most ``rescale`` (then it is fused into the final cast).
    """

    rescale: float | None = None
    standardize: Callable[[np.ndarray], np.ndarray] | None = None

    @classmethod
    def of(cls, generator: Any) -> Scaling:
        """The scaling an ``ImageDataGenerator`` applies now (after any ``fit``); none for
        ``None``, as legacy iterators built without a generator."""
        if generator is None:
            return cls()
        if generator.only_rescales:
            return cls(rescale=generator.rescale)
        if getattr(generator, "data_format", "channels_last") == "channels_first":
            # The pipeline is channels-last; legacy standardizes (and runs
            # ``preprocessing_function``) on the channels-first image, whose statistics have
            # shape (channels, 1, 1) and whose ZCA flattens channel by channel.
            def standardize_channels_first(image: np.ndarray) -> np.ndarray:
                return np.moveaxis(generator.standardize(np.moveaxis(image, -1, 0)), 0, -1)

            return cls(rescale=generator.rescale, standardize=standardize_channels_first)
        return cls(rescale=generator.rescale, standardize=generator.standardize)


class LegacyResize:
    """The legacy ``load_img`` resize on a PIL image: the PIL filter, and for
    ``keep_aspect_ratio`` the centre box (``PIL.Image.resize(box=...)``, as legacy)."""

    def __init__(self, settings: ImageSettings):
        self.target_hw = settings.target_size
        self.resample = INTERPOLATIONS[settings.interpolation]
        self.keep_aspect_ratio = settings.keep_aspect_ratio

    def __call__(self, image: Image.Image) -> Image.Image:
        width, height = image.size
        if (height, width) == self.target_hw:
            return image
        box = crop_box((height, width), self.target_hw) if self.keep_aspect_ratio else None
        return image.resize((self.target_hw[1], self.target_hw[0]), self.resample, box=box)


def load_image(path: str | os.PathLike, settings: ImageSettings,
               header: ImageHeader | None = None) -> np.ndarray:
    """Decode ``path`` for ``settings``: uint8, channels-last; RGB comes padded to 4 channels
    (OpenCV's 4-channel warp is the fast one). Files that PIL decodes (and large JPEGs) come
    back already resized, the legacy way; ``resize_image`` finishes the others. Raises
    ``ImageDecodeError``."""
    fused = settings.fused
    resize = LegacyResize(settings) if settings.target_size and not fused else None
    return decode_image(path, settings.color_mode, min_hw=settings.target_size if fused else None,
                        header=header, pad_to_4=settings.color_mode == "rgb", resize=resize)


def crop_box(source_hw: tuple[int, int], target_hw: tuple[int, int]) -> tuple[int, int, int, int]:
    """The legacy ``keep_aspect_ratio`` centre crop, as ``(left, top, right, bottom)``.

    Examples:
        >>> crop_box((30, 60), (30, 30))
        (15, 0, 45, 30)
    """
    height, width = source_hw
    target_height, target_width = target_hw
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return (left, top, left + crop_width, top + crop_height)


def _pil_resize(image: np.ndarray, target_hw: tuple[int, int], interpolation: str,
                color_mode: str, box: tuple[int, int, int, int] | None) -> np.ndarray:
    channels = image.shape[2]
    if interpolation == "nearest" and box is None and image.dtype == np.uint8:
        # OpenCV's INTER_NEAREST_EXACT picks the pixels PIL's NEAREST picks (tested against
        # PIL for every channel count), without holding the GIL and without PIL's
        # ``tobytes`` copy back to NumPy (which does): about 4x faster per image.
        resized = cv2.resize(image, (target_hw[1], target_hw[0]),
                             interpolation=cv2.INTER_NEAREST_EXACT)
        return resized.reshape(target_hw[0], target_hw[1], channels)
    # RGBA keeps PIL's "RGBA" (premultiplied resampling, as legacy); padded RGB is "RGBX".
    mode = "RGBA" if color_mode == "rgba" else _PIL_MODES[channels]
    height, width = image.shape[:2]
    pil = Image.frombuffer(mode, (width, height), np.ascontiguousarray(image), "raw", mode, 0, 1)
    resized = pil.resize((target_hw[1], target_hw[0]), INTERPOLATIONS[interpolation], box=box)
    return np.asarray(resized).reshape(target_hw[0], target_hw[1], channels)


def resize_image(image: np.ndarray, settings: ImageSettings) -> np.ndarray:
    """Bring a decoded uint8 image to ``settings.target_size`` as the legacy loader does.

    Legacy resizes with PIL, and for ``keep_aspect_ratio`` resamples the centre box of the
    full image (filters may reach just outside the box, so this is not crop-then-resize).
    With ``resize="fast"`` (nearest/bilinear) only the crop is done here, as a view: the
    warp resizes. Returns ``image`` itself when nothing changes.
    """
    target = settings.target_size
    if target is None or image.shape[:2] == target:
        return image
    box = crop_box(image.shape[:2], target) if settings.keep_aspect_ratio else None
    if settings.fused:
        if box is None:
            return image
        left, top, right, bottom = box
        return image[top:bottom, left:right]
    return _pil_resize(image, target, settings.interpolation, settings.color_mode, box)


def _cast_into(image: np.ndarray, rescale: float | None, out: np.ndarray) -> None:
    if rescale:
        # In out's precision, as legacy's ``x *= rescale`` on a float32 array: a Python float
        # would make NumPy compute in float64, about 3x slower and not bit-equal to legacy.
        np.multiply(image, out.dtype.type(rescale), out=out, dtype=out.dtype, casting="unsafe")
    else:
        out[...] = image


def process_image(image: np.ndarray, params: dict[str, Any] | None, settings: ImageSettings,
                  scaling: Scaling | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """Resize, warp, recolour and scale one channels-last image (the one pipeline).

    Args:
        image: decoded pixels, ``(rows, cols, channels)``; uint8 from ``load_image`` (RGB
            may be padded to 4 channels) or any float array (``flow``, ``apply_transform``).
        params: the drawn transform (``sample_transform``'s dict), or ``None`` for none.
        settings: resize and warp options; the output has ``settings.target_size``.
        scaling: what ``standardize`` does afterwards; ``None`` for nothing.
        out: where to write the result (float, output shape); a new float32 array if
            ``None``.

    Returns:
        ``out``: the image exactly as the model receives it.
    """
    target = settings.target_size or image.shape[:2]
    settings = settings if settings.target_size else settings.with_target(tuple(target))
    image = resize_image(image, settings)
    params = params or {}
    if settings.order > 1 and image.dtype == np.uint8:
        image = image.astype(np.float32)  # spline overshoot must survive, as in legacy
    warped = warp_image(image, geometry_matrix(params, target) if params else None, target,
                        fill_mode=settings.fill_mode, cval=settings.cval, order=settings.order)
    if settings.color_mode == "rgb" and warped.shape[2] == 4:  # drop the padding channel
        warped = cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB)
    if out is None:
        out = np.empty(warped.shape, np.float32 if warped.dtype == np.uint8 else warped.dtype)
    colour = (params.get("channel_shift_intensity") is not None
              or params.get("brightness") is not None)
    if not colour and (scaling is None or scaling.standardize is None):
        _cast_into(warped, scaling.rescale if scaling else None, out)  # one pass
        return out
    out[...] = warped
    if colour:
        out[...] = apply_color(out, params)
    if scaling is not None and scaling.standardize is not None:
        result = scaling.standardize(out)
        if result is not out:
            out[...] = result
    elif scaling is not None and scaling.rescale:
        out *= scaling.rescale
    return out
