"""Apply drawn transform parameters to images with one fused warp: NumPy in, NumPy out.

The parameters come from ``engine.sampling.sample_transform`` (the legacy draw). Applying,
called by ``image.pipeline`` (the one per-image path), builds the legacy 3x3 matrix
(``affine_matrix``), folds flips and an optional resize into it, and runs a single OpenCV warp
per image. OpenCV's border modes are mapped onto scipy's so the pixels match the legacy
``scipy.ndimage`` output, including scipy's quirks (``constant`` does not blend with ``cval``
inside the edge pixels, and ``wrap`` has a period of ``n - 1``). Interpolation orders above 1
fall back to scipy itself.

Examples:
    >>> import numpy as np
    >>> image = np.arange(12, dtype="float32").reshape(2, 2, 3)
    >>> warp_image(image, None, (4, 4)).shape
    (4, 4, 3)
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageEnhance

_CV_BORDER = {
    "nearest": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT,
    "constant": cv2.BORDER_REPLICATE,  # then cval outside [0, n-1], as scipy does
    "wrap": cv2.BORDER_REPLICATE,  # coordinates are wrapped by hand, period n-1
}
_CV_INTERPOLATION = {0: cv2.INTER_NEAREST, 1: cv2.INTER_LINEAR}



def affine_matrix(params: dict[str, Any], height: int, width: int) -> np.ndarray | None:
    """The legacy 3x3 inverse-mapping matrix for ``params`` on a ``height x width`` grid.

    It is built exactly as ``apply_affine_transform`` builds it (rotation, then shift,
    shear and zoom, re-centred). Read as an OpenCV ``WARP_INVERSE_MAP`` matrix it maps
    output ``(x=column, y=row)`` to input coordinates; this is the same mapping that the
    legacy code hands to scipy after swapping axes. Returns ``None`` for the identity.
    Flips are not part of it (see ``flip_matrix``).

    Examples:
        >>> affine_matrix({"theta": 0, "tx": 0}, 10, 10) is None
        True
    """
    theta = params.get("theta", 0)
    tx, ty = params.get("tx", 0), params.get("ty", 0)
    shear = params.get("shear", 0)
    zx, zy = params.get("zx", 1), params.get("zy", 1)
    if theta == 0 and tx == 0 and ty == 0 and shear == 0 and zx == 1 and zy == 1:
        return None
    # rotation @ shift @ shear @ zoom, composed in plain floats: the same product as the
    # legacy 3x3 matrices, without a dozen tiny NumPy calls holding the GIL per image.
    cos_t, sin_t = (np.cos(np.deg2rad(theta)), np.sin(np.deg2rad(theta))) if theta else (1.0, 0.0)
    a, b, c = cos_t, -sin_t, cos_t * tx - sin_t * ty
    d, e, f = sin_t, cos_t, sin_t * tx + cos_t * ty
    if shear:
        sh_s, sh_c = -np.sin(np.deg2rad(shear)), np.cos(np.deg2rad(shear))
        a, b, d, e = a, a * sh_s + b * sh_c, d, d * sh_s + e * sh_c
    a, b, d, e = a * zx, b * zy, d * zx, e * zy
    # Legacy transform_matrix_offset_center(matrix, h, w): note it centres the *first*
    # coordinate on the rows' centre; we keep that to match legacy pixels exactly.
    o_x, o_y = float(height) / 2 - 0.5, float(width) / 2 - 0.5
    return np.array([[a, b, c + o_x - a * o_x - b * o_y],
                     [d, e, f + o_y - d * o_x - e * o_y],
                     [0.0, 0.0, 1.0]])


def flip_matrix(flip_horizontal: bool, flip_vertical: bool, height: int, width: int) -> np.ndarray:
    """Inverse map of the output flips, in OpenCV ``(x=column, y=row)`` coordinates."""
    matrix = np.eye(3)
    if flip_horizontal:
        matrix = matrix @ np.array([[-1, 0, width - 1], [0, 1, 0], [0, 0, 1]])
    if flip_vertical:
        matrix = matrix @ np.array([[1, 0, 0], [0, -1, height - 1], [0, 0, 1]])
    return matrix


def resize_matrix(source_hw: tuple[int, int], target_hw: tuple[int, int]) -> np.ndarray:
    """Map target-grid pixel centres to source pixel centres (half-pixel aligned)."""
    scale_y, scale_x = source_hw[0] / target_hw[0], source_hw[1] / target_hw[1]
    return np.array([[scale_x, 0, 0.5 * scale_x - 0.5],
                     [0, scale_y, 0.5 * scale_y - 0.5], [0, 0, 1]])


def geometry_matrix(params: dict[str, Any], target_hw: tuple[int, int]) -> np.ndarray | None:
    """Compose the legacy affine and the flips into one inverse map on the target grid;
    ``None`` if the geometry is the identity (``warp_image`` adds any resize).

    Examples:
        >>> geometry_matrix({"flip_horizontal": True}, (4, 4))[0].tolist()
        [-1.0, 0.0, 3.0]
    """
    height, width = target_hw
    matrix = affine_matrix(params, height, width)
    flips = bool(params.get("flip_horizontal")), bool(params.get("flip_vertical"))
    if any(flips):
        flip = flip_matrix(*flips, height, width)
        matrix = flip if matrix is None else matrix @ flip
    return matrix


def warp_image(
    image: np.ndarray,
    matrix: np.ndarray | None,
    target_hw: tuple[int, int],
    *,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    order: int = 1,
) -> np.ndarray:
    """Resize and warp a channels-last image in one pass, with scipy's borders.

    Args:
        image: ``(rows, cols, channels)`` array, uint8 or float32, of any size: it is
            resized to ``target_hw`` inside the same warp.
        matrix: 3x3 inverse map on the target grid from ``geometry_matrix`` (``None`` for
            identity: then only a resize, if any, is done).
        target_hw: output ``(rows, cols)``.
        fill_mode: "constant", "nearest", "reflect" or "wrap" (scipy semantics).
        cval: fill value for "constant".
        order: interpolation order; 0 and 1 use OpenCV, higher orders use scipy.

    Returns:
        The warped image, same dtype and channel count.
    """
    height, width = target_hw
    channels = image.shape[2]
    resized = image.shape[:2] != (height, width)
    if matrix is None and not resized:
        return image
    if matrix is None and order in _CV_INTERPOLATION:  # a plain resize, same pixel grid
        out = cv2.resize(image, (width, height), interpolation=_CV_INTERPOLATION[order])
        return out.reshape(height, width, channels)
    if resized:
        resize = resize_matrix(image.shape[:2], target_hw)
        matrix = resize if matrix is None else resize @ matrix
    if order not in _CV_INTERPOLATION:
        return _warp_scipy(image, matrix, target_hw, fill_mode, cval, order)
    if image.dtype == np.float64:
        # OpenCV interpolates float64 on a 1/32-pixel grid (errors of a third of a grey
        # level against scipy); its float32 path is exact to about 1e-5.
        warped = warp_image(image.astype(np.float32), matrix, target_hw, fill_mode=fill_mode,
                            cval=cval, order=order)
        return warped.astype(np.float64)
    if channels == 3 and image.dtype == np.uint8:
        # OpenCV's 4-channel uint8 warp is vectorised and ~3x faster than its 3-channel one.
        padded = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA)
        warped = warp_image(padded, matrix, target_hw, fill_mode=fill_mode, cval=cval,
                            order=order)
        return cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB)
    flags = _CV_INTERPOLATION[order] | cv2.WARP_INVERSE_MAP
    if fill_mode == "wrap" or fill_mode == "constant":
        out = _warp_with_coordinates(image, matrix, target_hw, fill_mode, cval, order)
    elif channels in (1, 3, 4):
        out = cv2.warpAffine(image, matrix[:2], (width, height), flags=flags,
                             borderMode=_CV_BORDER[fill_mode])
    else:  # OpenCV takes at most 4 channels per call, and interpolates 2 on a coarse grid
        out = np.stack([cv2.warpAffine(np.ascontiguousarray(image[..., c]), matrix[:2],
                                       (width, height), flags=flags,
                                       borderMode=_CV_BORDER[fill_mode])
                        for c in range(channels)], axis=-1)
    return out.reshape(height, width, channels)


def _source_coordinates(matrix: np.ndarray, target_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    height, width = target_hw
    cols = np.arange(width, dtype=np.float64)
    rows = np.arange(height, dtype=np.float64)[:, None]
    map_x = matrix[0, 0] * cols + (matrix[0, 1] * rows + matrix[0, 2])
    map_y = matrix[1, 0] * cols + (matrix[1, 1] * rows + matrix[1, 2])
    return map_x, map_y


def _warp_with_coordinates(image: np.ndarray, matrix: np.ndarray, target_hw: tuple[int, int],
                           fill_mode: str, cval: float, order: int) -> np.ndarray:
    src_h, src_w = image.shape[:2]
    map_x, map_y = _source_coordinates(matrix, target_hw)
    outside = None
    if fill_mode == "wrap":
        # scipy's "wrap" repeats with period n - 1 (first and last samples overlap).
        map_x = np.mod(map_x, max(src_w - 1, 1)) if src_w > 1 else np.zeros_like(map_x)
        map_y = np.mod(map_y, max(src_h - 1, 1)) if src_h > 1 else np.zeros_like(map_y)
    else:
        # scipy's "constant" gives cval outside [0, n-1] and never blends it in.
        tolerance = 1e-6
        outside = ((map_x < -tolerance) | (map_x > src_w - 1 + tolerance)
                   | (map_y < -tolerance) | (map_y > src_h - 1 + tolerance))
    channels = image.shape[2]
    map_x32, map_y32 = map_x.astype(np.float32), map_y.astype(np.float32)
    whole = channels in (1, 3, 4)
    planes = [image] if whole else [np.ascontiguousarray(image[..., c]) for c in range(channels)]
    warped = [cv2.remap(p, map_x32, map_y32, _CV_INTERPOLATION[order],
                        borderMode=cv2.BORDER_REPLICATE) for p in planes]
    out = warped[0] if whole else np.stack(warped, axis=-1)
    out = out.reshape(target_hw[0], target_hw[1], channels)
    if outside is not None and outside.any():
        fill = np.clip(cval, 0, 255) if out.dtype == np.uint8 else cval
        out[outside] = fill
    return out


def _warp_scipy(image: np.ndarray, matrix: np.ndarray, target_hw: tuple[int, int],
                fill_mode: str, cval: float, order: int) -> np.ndarray:
    from scipy import ndimage

    # scipy indexes (row, col): swap the OpenCV (x, y) matrix back.
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    rc = swap @ matrix @ swap
    planes = [
        ndimage.affine_transform(image[..., c].astype(np.float64), rc[:2, :2], rc[:2, 2],
                                 output_shape=target_hw, order=order, mode=fill_mode, cval=cval)
        for c in range(image.shape[2])
    ]
    out = np.stack(planes, axis=-1)
    if image.dtype == np.uint8:
        out = np.clip(np.rint(out), 0, 255)
    return out.astype(image.dtype)


def apply_channel_shift(image: np.ndarray, intensity: float) -> np.ndarray:
    """Legacy channel shift: add ``intensity`` and clip to the image's own min and max."""
    low, high = np.min(image), np.max(image)
    return np.clip(image + intensity, low, high)


def apply_brightness(image: np.ndarray, brightness: float) -> np.ndarray:
    """Legacy brightness (``apply_brightness_shift(x, b, scale=False)``), via PIL as there.

    Like the legacy code, the image is truncated to 8 bits on the way through PIL. 1, 3 and
    4 channels go through PIL's "L", "RGB" and "RGBA" (alpha kept), as legacy; any other
    count channel by channel through "L", which is the same per-channel arithmetic (legacy
    raises there).
    """
    low, high = float(np.min(image)), float(np.max(image))
    rescaled = low < 0 or high > 255
    x = np.asarray(image, dtype=np.float32)
    if rescaled:
        x = x - low
        if x.max() != 0:
            x = x / x.max()
        x = x * 255
    channels = x.shape[2]
    pixels = x.astype(np.uint8)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}.get(channels)
    if mode is None:
        out = np.stack([_brighten(pixels[..., c], "L", brightness) for c in range(channels)],
                       axis=-1)
    else:
        out = _brighten(pixels[..., 0] if channels == 1 else pixels, mode, brightness)
    out = out.reshape(image.shape[0], image.shape[1], channels)
    if rescaled:
        out = out / 255 * (high - low) + low
    return out


def _brighten(pixels: np.ndarray, mode: str, brightness: float) -> np.ndarray:
    pil = Image.fromarray(np.ascontiguousarray(pixels), mode)
    return np.asarray(ImageEnhance.Brightness(pil).enhance(brightness), dtype=np.float32)


def apply_color(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Apply the colour part of ``params`` (channel shift, then brightness) as the legacy does."""
    if params.get("channel_shift_intensity") is not None:
        image = apply_channel_shift(image, params["channel_shift_intensity"])
    if params.get("brightness") is not None:
        image = apply_brightness(image, params["brightness"])
    return image
