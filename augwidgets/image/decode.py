"""Decode one image file into a uint8 array, or say exactly why it cannot be decoded.

Two paths give the same pixels as the legacy ``keras.utils.load_img``:

- JPEGs (the common case) go through OpenCV's libjpeg-turbo, which releases the GIL, so a
  thread pool decodes a batch in parallel; large JPEGs are decoded at 1/2, 1/4 or 1/8 scale
  in the DCT when that still covers the target size (much faster, and anti-aliased).
  (simplejpeg was measured too: faster alone, but 15% slower in the threaded batch path.)
- Everything else (PNG, BMP, TIFF, palette, CMYK, 16-bit, RGBA...) goes through PIL with the
  legacy colour conversions.

Fixes over the legacy loader, each deliberate:

- 16-bit images are scaled to 8 bits (the legacy loader clips them, so they come out white);
- truncated files raise instead of being padded with grey;
- images above PIL's ``MAX_IMAGE_PIXELS`` are refused as decompression bombs.

Examples:
    >>> decode_image("missing.png")
    Traceback (most recent call last):
    ...
    augwidgets.image.decode.ImageDecodeError: missing.png: cannot read file (No such file ...
"""

from __future__ import annotations

import io
import os
import re
import warnings
from typing import BinaryIO, NamedTuple, Protocol

import cv2
import numpy as np
from PIL import Image

COLOR_MODES = ("rgb", "rgba", "grayscale")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_PIL_MODE = {"rgb": "RGB", "rgba": "RGBA", "grayscale": "L"}
_JPEG_START = b"\xff\xd8\xff"
_JPEG_END = b"\xff\xd9"
_REDUCED = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}


class ImageDecodeError(ValueError):
    """A file that cannot be used as an image, with its path and a human reason."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def _read(path: str | os.PathLike) -> bytes:
    try:
        with open(path, "rb") as handle:  # not pathlib: its overhead holds the GIL
            data = handle.read()
    except OSError as error:
        raise ImageDecodeError(path, f"cannot read file ({error.strerror or error})") from None
    if not data:
        raise ImageDecodeError(path, "empty file (0 bytes)")
    return data


def _open(path: str | os.PathLike, source: bytes | BinaryIO) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageDecodeError(path, f"decompression bomb refused ({error})") from None
    except Image.UnidentifiedImageError:
        raise ImageDecodeError(path, "not a readable image (unrecognised format: not an "
                                     "image, or random bytes)") from None
    except Exception as error:  # PIL raises many types for garbage input
        kind = "truncated file" if "runcat" in str(error) else "not a readable image"
        detail = re.sub(r"<[^>]* at 0x[0-9a-fA-F]+>", "file", str(error))
        raise ImageDecodeError(path, f"{kind} ({type(error).__name__}: {detail})") from None


class ImageHeader(NamedTuple):
    """What a file's header says: enough to pick a decoder without parsing it again."""

    height: int
    width: int
    format: str | None
    mode: str


def check_image(path: str | os.PathLike) -> ImageHeader:
    """Cheap validity check without decoding pixels; returns the file's ``ImageHeader``.

    Catches empty, non-image, random-bytes, decompression-bomb and (for JPEG and PNG)
    truncated files. Reads the header and the last bytes only. Raises ``ImageDecodeError``.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise ImageDecodeError(path, "empty file (0 bytes)")
            image = _open(path, handle)
            width, height, kind, mode = image.size[0], image.size[1], image.format, image.mode
            handle.seek(max(size - 64, 0))
            tail = handle.read()
    except OSError as error:
        raise ImageDecodeError(path, f"cannot read file ({error.strerror or error})") from None
    if kind == "JPEG" and not tail.rstrip(b"\x00").endswith(_JPEG_END):
        raise ImageDecodeError(path, "truncated JPEG (no end-of-image marker)")
    if kind == "PNG" and b"IEND" not in tail[-32:]:
        raise ImageDecodeError(path, "truncated PNG (no IEND chunk)")
    if width < 1 or height < 1:
        raise ImageDecodeError(path, f"image has no pixels ({width}x{height})")
    return ImageHeader(height, width, kind, mode)


# Start-of-frame markers (baseline, extended, progressive, lossless; Huffman or arithmetic).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_MODES = {1: "L", 3: "RGB", 4: "CMYK"}


def jpeg_header(data: bytes) -> ImageHeader | None:
    """Size and PIL mode from a JPEG's start-of-frame marker, or ``None`` if not found.

    The same answer as ``PIL.Image.open`` (1 component "L", 3 "RGB", 4 "CMYK"), without
    parsing every table in Python: PIL's header parse was the largest GIL-holding step of
    a batch (py-spy, ``benchmarks/gil_profile.py``).

    Examples:
        >>> import io; from PIL import Image
        >>> buffer = io.BytesIO(); Image.new("L", (5, 3)).save(buffer, "JPEG")
        >>> jpeg_header(buffer.getvalue())
        ImageHeader(height=3, width=5, format='JPEG', mode='L')
    """
    position, end = 2, len(data)
    while position + 4 <= end:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if marker in _SOF_MARKERS:
            if position + 10 > end:
                return None
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            mode = _JPEG_MODES.get(data[position + 9])
            if mode is None or not height or not width:
                return None
            return ImageHeader(height, width, "JPEG", mode)
        if marker == 0xDA or length < 2:  # start of scan before any frame: not for us
            return None
        position += 2 + length
    return None


def _to_8bit(image: Image.Image) -> Image.Image:
    # 16/32-bit integer and float modes: scale to 8 bits rather than clip (legacy clips).
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 else 255.0
        if image.mode == "F":
            top = max(float(array.max()), 1.0) if array.max() > 1 else 1.0
        return Image.fromarray(np.clip(array / top * 255 + 0.5, 0, 255).astype(np.uint8), "L")
    return image


class PilResize(Protocol):
    """A resize done on the PIL image, before its pixels are copied into an array."""

    target_hw: tuple[int, int]

    def __call__(self, image: Image.Image) -> Image.Image: ...


def _decode_with_pil(path: str | os.PathLike, data: bytes, color_mode: str,
                     resize: PilResize | None = None) -> np.ndarray:
    image = _open(path, data)
    try:
        image.load()
        image = _to_8bit(image)
        if image.mode != _PIL_MODE[color_mode]:
            image = image.convert(_PIL_MODE[color_mode])
        if resize is not None:
            image = resize(image)
        array = np.asarray(image, dtype=np.uint8)
    except ImageDecodeError:
        raise
    except Exception as error:
        raise ImageDecodeError(path, f"cannot decode image ({type(error).__name__}: "
                                     f"{error})") from None
    if array.ndim == 2:
        array = array[:, :, None]
    return np.ascontiguousarray(array)


def _dct_factor(size_hw: tuple[int, int], min_hw: tuple[int, int] | None) -> int:
    if not min_hw:
        return 1
    factor = 1
    for candidate in (2, 4, 8):
        if size_hw[0] // candidate >= min_hw[0] and size_hw[1] // candidate >= min_hw[1]:
            factor = candidate
    return factor


def _luma(rgb: np.ndarray) -> np.ndarray:
    # PIL's exact "L" conversion (ITU-R 601-2 in 16-bit fixed point), so grayscale matches.
    weights = np.array([19595, 38470, 7471], dtype=np.uint32)
    return ((rgb.astype(np.uint32) @ weights + 0x8000) >> 16).astype(np.uint8)[:, :, None]


def decode_image(path: str | os.PathLike, color_mode: str = "rgb", *,
                 min_hw: tuple[int, int] | None = None,
                 header: ImageHeader | None = None, pad_to_4: bool = False,
                 resize: PilResize | None = None) -> np.ndarray:
    """Decode an image file to a ``uint8`` array of shape ``(rows, cols, channels)``.

    Args:
        path: the file.
        color_mode: "rgb" (3 channels), "rgba" (4) or "grayscale" (1), converted as the
            legacy ``load_img`` converts.
        min_hw: if given, a JPEG may be decoded at a reduced scale as long as the result
            is at least this ``(rows, cols)``.
        header: the file's ``check_image`` result, if known (saves parsing it again).
        pad_to_4: for "rgb", return 4 channels (RGB plus an opaque padding channel):
            OpenCV's 4-channel warp is vectorised, so the batch path asks for this.
        resize: a resize applied to the PIL image of every file PIL decodes, before its
            pixels are copied out (the legacy loader's order). A JPEG with at least 4x the
            pixels of ``resize.target_hw`` is then decoded by PIL too, so a large photo is
            never copied at full size; smaller JPEGs go through OpenCV, which is faster, and
            come back unresized.

    Raises:
        ImageDecodeError: naming the path and the reason.

    Examples:
        >>> from PIL import Image; import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "red.png")
        >>> Image.new("RGB", (4, 2), (255, 0, 0)).save(path)
        >>> decode_image(path).shape
        (2, 4, 3)
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f"`color_mode` must be one of {COLOR_MODES}. "
                         f"Received: color_mode={color_mode!r}")
    data = _read(path)
    if color_mode != "rgba" and data.startswith(_JPEG_START) \
            and data.rstrip(b"\x00").endswith(_JPEG_END):
        if header is None or header.format != "JPEG":
            header = jpeg_header(data)
        if header is None:  # unusual markers: let PIL read the header
            opened = _open(path, data)
            header = ImageHeader(opened.size[1], opened.size[0], opened.format, opened.mode)
        large = resize is not None and (header.height * header.width
                                        >= 4 * resize.target_hw[0] * resize.target_hw[1])
        if header.mode in ("RGB", "L") and not large:
            return _decode_jpeg(path, data, color_mode, header, min_hw, pad_to_4)
    array = _decode_with_pil(path, data, color_mode, resize)
    if pad_to_4 and array.shape[2] == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGB2RGBA)
    return array


def _decode_jpeg(path: str | os.PathLike, data: bytes, color_mode: str, header: ImageHeader,
                 min_hw: tuple[int, int] | None, pad_to_4: bool) -> np.ndarray:
    gray_source = header.mode == "L"
    if color_mode == "grayscale":
        space = "GRAY" if gray_source else "RGB"
    else:
        space = "RGBA" if pad_to_4 else "RGB"
    factor = _dct_factor((header.height, header.width), min_hw)
    flags = _REDUCED[factor] if factor > 1 else cv2.IMREAD_COLOR
    if space == "GRAY" and factor == 1:
        flags = cv2.IMREAD_GRAYSCALE
    array = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if array is None:
        raise ImageDecodeError(path, "cannot decode JPEG data")
    if array.ndim == 3:  # OpenCV decodes BGR: one conversion to what the caller wants
        array = cv2.cvtColor(array, cv2.COLOR_BGR2RGBA if space == "RGBA" else cv2.COLOR_BGR2RGB)
        if space == "GRAY":
            array = _luma(array)
    if array.ndim == 2:
        array = array[:, :, None]
    if color_mode == "grayscale" and array.shape[2] != 1:
        return _luma(array)
    return array
