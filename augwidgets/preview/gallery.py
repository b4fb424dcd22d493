"""A captioned image gallery as one NumPy canvas: the pictures behind "what the model got wrong".

Small images (32 px digits) are enlarged with nearest-neighbour sampling so their pixels
stay visible, and every tile gets up to two caption lines stamped with ``TextAtlas``
(no matplotlib: a 3x3 gallery renders in a few milliseconds). ``to_display`` turns an
image at the model's scale (0..1, 0..255 or standardised) into displayable uint8 RGB.

Examples:
    >>> tiles = [np.zeros((8, 8, 3), np.uint8)] * 4
    >>> render_gallery(tiles, [("3 -> 5", "a.png")] * 4, columns=2, tile=32).shape
    (142, 82, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from augwidgets.preview.encoding import TextAtlas

_GAP = 6
_BACKGROUND = 255
_CAPTION_SIZE = 12


def _fit_tile(image: np.ndarray, tile: int) -> np.ndarray:
    """``image`` scaled (keeping its aspect) to fit a ``tile`` square, nearest-neighbour when
    enlarging, centred on white."""
    height, width = image.shape[:2]
    scale = tile / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.BILINEAR
    resized = np.asarray(Image.fromarray(image).resize(size, resample))
    out = np.full((tile, tile, 3), _BACKGROUND, np.uint8)
    top, left = (tile - size[1]) // 2, (tile - size[0]) // 2
    out[top:top + size[1], left:left + size[0]] = resized
    return out


def render_gallery(images: Sequence[np.ndarray], captions: Sequence[Sequence[str]], *,
                   columns: int = 3, tile: int = 96,
                   colours: Sequence[tuple[int, int, int]] | None = None) -> np.ndarray:
    """Tiles ``images`` (``HxWx3`` uint8) in a grid, each with its caption lines below.

    Args:
        images: the pictures, in reading order.
        captions: for each picture, up to two lines of text (cut to the tile's width).
        columns: tiles per row (fewer when there are fewer images).
        tile: the side of a tile in pixels.
        colours: the caption colour of each picture (default: dark grey).

    Returns:
        An ``HxWx3`` uint8 canvas; an empty list gives a small blank one.
    """
    if len(images) != len(captions):
        raise ValueError("`captions` must give one entry per image. Received: "
                         f"{len(images)} images, {len(captions)} captions")
    atlas = TextAtlas.get(_CAPTION_SIZE)
    lines = max([1, *(len(c) for c in captions)])
    columns = max(1, min(columns, len(images)))
    rows = max(1, -(-len(images) // columns))
    cell_h = tile + lines * atlas.line_height + _GAP
    width = columns * tile + (columns + 1) * _GAP
    canvas = np.full((rows * cell_h + _GAP, width, 3), _BACKGROUND, np.uint8)
    for number, (image, caption) in enumerate(zip(images, captions, strict=True)):
        row, column = divmod(number, columns)
        x, y = _GAP + column * (tile + _GAP), _GAP + row * cell_h
        canvas[y:y + tile, x:x + tile] = _fit_tile(image, tile)
        colour = tuple(colours[number]) if colours is not None else (30, 30, 30)
        for line_number, text in enumerate(caption[:lines]):
            atlas.draw(canvas, x, y + tile + 1 + line_number * atlas.line_height,
                       atlas.fit(text, tile), colour)
    return canvas


def to_display(image: np.ndarray) -> np.ndarray:
    """An image as the model saw its scale (0..1, 0..255 or standardised) -> ``HxWx3`` uint8.

    Examples:
        >>> to_display(np.ones((2, 2, 1))).shape, int(to_display(np.ones((2, 2, 1))).max())
        ((2, 2, 3), 255)
    """
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 2:
        array = array[..., None]
    low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 1.0)
    if low >= 0 and high <= 1:
        array = array * 255
    elif low < 0 or high > 255:  # standardised: stretch to the full range
        array = (array - low) / ((high - low) or 1.0) * 255
    array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
    if array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return np.ascontiguousarray(array[..., :3])
