"""Encode NumPy images for ``ipywidgets.Image`` and draw text on them, without matplotlib.

JPEG is the default: for a 672x672 photo grid it encodes in about 2 ms and is about 7x
smaller than PNG (see ``/work/shared/JUPYTER-TESTING.md``), which matters because every
preview travels to the browser. PNG (fast ``compress_level=1``) is there for line art
and exact pixels.

Captions are drawn with ``TextAtlas``: Pillow's bundled FreeType font (no files, no
downloads) rendered once per character and size, then stamped onto the NumPy canvas. A
14 px caption stays legible when the grid is shown at 100% zoom, where the old 6x11
bitmap font was a few pixels high, and stamping costs about a tenth of ``ImageDraw.text``.

Examples:
    >>> import numpy as np
    >>> encode_image(np.zeros((8, 8, 3), np.uint8))[:2]
    b'\\xff\\xd8'
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FORMATS = ("jpeg", "png")


_LINES_KEPT = 96  # caption lines kept drawn per atlas: two previews' worth
CAPTION_PX = 14  # caption font size in image pixels (>= 11 CSS px at 80% display scale)


@lru_cache(maxsize=1)
def default_font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's built-in bitmap font: no files, no downloads, and about 30x faster to draw
    than the FreeType default (0.6 ms against 20 ms for a grid's 45 caption lines)."""
    loader = getattr(ImageFont, "load_default_imagefont", None)
    return loader() if loader is not None else ImageFont.load_default()


def encode_image(image: np.ndarray, format: str = "jpeg", *, quality: int = 88) -> bytes:
    """Encode an ``HxWx3`` (or ``HxW``) uint8 array as JPEG or PNG bytes.

    Examples:
        >>> encode_image(np.zeros((4, 4), np.uint8), "png")[:4]
        b'\\x89PNG'
    """
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {FORMATS}. Received: format={format!r}")
    pil = image if isinstance(image, Image.Image) else Image.fromarray(np.ascontiguousarray(image))
    buffer = io.BytesIO()
    if format == "jpeg":
        pil.save(buffer, format="JPEG", quality=quality, subsampling=0 if quality >= 90 else 2)
    else:
        pil.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class TextAtlas:
    """Every Latin-1 character of Pillow's default FreeType font at one size, pre-rendered.

    ``draw(canvas, x, y, text, colour)`` stamps dark text onto a light ``HxWx3`` uint8
    canvas in place (darkest-wins compositing, exact on a white background) and
    ``width(text)`` measures it. Falls back to the bitmap font where Pillow has no FreeType.

    Args:
        size: font size in pixels.

    Examples:
        >>> canvas = np.full((20, 80, 3), 255, np.uint8)
        >>> atlas = TextAtlas.get(14)
        >>> atlas.draw(canvas, 2, 2, "cat", (0, 0, 0)) > 0 and bool((canvas < 128).any())
        True
    """

    def __init__(self, size: int):
        try:
            font = ImageFont.load_default(size=size)
        except (TypeError, OSError):  # Pillow < 10.1 or no FreeType
            font = default_font()
        self.size = size
        ascent, descent = font.getmetrics() if hasattr(font, "getmetrics") else (size, 2)
        self.line_height = ascent + descent
        self._advance: dict[str, float] = {}
        self._glyph: dict[str, tuple[int, np.ndarray]] = {}
        # Each line's coverage, drawn once: a preview's captions repeat from one slider move
        # to the next (class names, value ranges, draws the move did not change). Bounded
        # (a line is a few KB), so memory stays flat over any number of renders.
        self._line = lru_cache(maxsize=_LINES_KEPT)(self._line_coverage)
        self.width = lru_cache(maxsize=8 * _LINES_KEPT)(self._width)  # type: ignore[method-assign]
        self._lut: dict[tuple[int, int, int], np.ndarray] = {}
        for code in range(32, 256):
            char = chr(code)
            if not char.isprintable():
                continue
            advance = float(font.getlength(char)) if hasattr(font, "getlength") else 6.0
            self._advance[char] = advance
            cell = Image.new("L", (int(advance) + size, self.line_height), 0)
            ImageDraw.Draw(cell).text((size // 2, 0), char, fill=255, font=font)
            mask = np.asarray(cell)
            columns = np.flatnonzero(mask.max(axis=0))
            if columns.size:
                self._glyph[char] = (int(columns[0]) - size // 2,
                                     np.ascontiguousarray(mask[:, columns[0]:columns[-1] + 1]))

    @classmethod
    @lru_cache(maxsize=4)
    def get(cls, size: int = CAPTION_PX) -> TextAtlas:
        """The shared atlas for ``size`` (built once, in about 20 ms)."""
        return cls(size)

    def width(self, text: str) -> int:
        """The advance width of ``text`` in pixels (memoised per atlas)."""
        return self._width(text)

    def _width(self, text: str) -> int:
        return round(sum(self._advance.get(c, self._advance["?"]) for c in text))

    def fit(self, text: str, width: int) -> str:
        """``text`` cut (ending in ``...``: Latin-1 has no ellipsis) to at most ``width`` px."""
        if self.width(text) <= width:
            return text
        while text and self.width(text + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."

    def _ink(self, colour: tuple[int, int, int]) -> np.ndarray:
        """Coverage (0..255) -> the colour over white paper, as a ``256x3`` lookup table."""
        lut = self._lut.get(colour)
        if lut is None:
            alpha = np.arange(256, dtype=np.float32)[:, None] / 255.0
            paper = np.float32(255.0)
            lut = np.rint(paper - alpha * (paper - np.asarray(colour, np.float32)))
            lut = self._lut[colour] = lut.astype(np.uint8)
        return lut

    def _line_coverage(self, text: str) -> tuple[np.ndarray, int]:
        """How much ink covers each pixel of ``text`` (the darkest glyph where glyphs
        overlap), with ``size`` pixels of margin left and right, and the text's width."""
        coverage = np.zeros((self.line_height, self.width(text) + 2 * self.size), np.uint8)
        cursor = float(self.size)
        for char in text:
            if char not in self._advance:
                char = "?"
            glyph = self._glyph.get(char)
            if glyph is not None:
                left = round(cursor) + glyph[0]
                region = coverage[:, left:left + glyph[1].shape[1]]
                np.maximum(region, glyph[1][:, :region.shape[1]], out=region)
            cursor += self._advance[char]
        return coverage, round(cursor - self.size)

    def draw(self, canvas: np.ndarray, x: int, y: int, text: str,
             colour: tuple[int, int, int] = (30, 30, 30)) -> int:
        """Stamps ``text`` with its top-left at ``(x, y)``; returns the width drawn.

        Characters outside Latin-1 are drawn as ``?``; anything past the canvas is clipped.
        Darkest wins, so text is exact on a white background.
        """
        coverage, drawn = self._line(text)
        height, width = canvas.shape[:2]
        left = x - self.size
        top, bottom = max(y, 0), min(y + coverage.shape[0], height)
        x0, x1 = max(left, 0), min(left + coverage.shape[1], width)
        if top < bottom and x0 < x1:
            ink = self._ink(tuple(colour))[coverage[top - y:bottom - y, x0 - left:x1 - left]]
            region = canvas[top:bottom, x0:x1]
            np.minimum(region, ink, out=region)
        return drawn


def message_image(text: str, size: tuple[int, int] = (120, 480), format: str = "jpeg") -> bytes:
    """A small light-grey image with ``text`` on it, for empty or failed previews.

    Examples:
        >>> message_image("no images")[:2]
        b'\\xff\\xd8'
    """
    canvas = np.full((size[0], size[1], 3), 245, np.uint8)
    atlas = TextAtlas.get(13)
    wrapped = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}".strip()
            if line and atlas.width(candidate) > size[1] - 16:
                wrapped.append(line)
                line = word
            else:
                line = candidate
        wrapped.append(line)
    for i, line in enumerate(wrapped):
        atlas.draw(canvas, 8, 8 + i * atlas.line_height, atlas.fit(line, size[1] - 16),
                   (150, 30, 30))
    return encode_image(canvas, format)
