"""Exact and near-duplicate images: a content digest and a 64-bit perceptual hash per file.

``fingerprint`` decodes one file fully (JPEGs through PIL's ``draft`` mode, so the decoder
scales in the DCT and never builds the full-size picture) to a 32x32 grey thumbnail and
returns:

- ``digest``: a BLAKE2 hash of the file's bytes (byte-identical copies);
- ``phash``: the DCT perceptual hash (the signs of the 8x8 lowest frequencies, DC left
  out, against their median). Re-encoding, resizing and mild colour changes move a few of
  its 64 bits; different pictures differ in about half of them;
- the size, mode and format the header gives, and whether the image is blank (one colour:
  its hash says nothing).

``near_pairs`` finds every pair within a Hamming distance by multi-index hashing: the 64
bits are cut into four 16-bit words; two hashes within distance ``r <= 7`` agree within one
bit on at least one word (pigeonhole), so only hashes that share a word, or a word one bit
away, are compared. Identical hashes are grouped first, so a thousand copies of one picture
cost one comparison, not half a million.

Examples:
    >>> import numpy as np
    >>> hashes = np.array([0b1011, 0b1010, 1 << 40], dtype=np.uint64)
    >>> near_pairs(hashes, max_distance=2).tolist()
    [[0, 1, 1]]
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from typing import NamedTuple

import numpy as np
from PIL import Image

from augwidgets.image.decode import ImageDecodeError

THUMB = 32
_WORDS = 4
_WORD_BITS = 64 // _WORDS


def _dct_matrix(size: int, keep: int) -> np.ndarray:
    """The first ``keep`` rows of the orthonormal DCT-II matrix of ``size`` points."""
    n = np.arange(size)
    k = np.arange(keep)[:, None]
    matrix = np.cos(math.pi * (2 * n + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0] /= math.sqrt(2)
    return matrix.astype(np.float32)


_DCT9 = _dct_matrix(THUMB, 9)
# The 64 coefficients: the 8x8 lowest frequencies with the DC term (brightness) swapped for
# (8, 0). Bit k of the hash is coefficient k in an interleaved order, so each 16-bit word
# of the multi-index search mixes low and high frequencies instead of holding only the
# lowest (which similar pictures share); a fixed shuffle keeps the search's buckets small.
_ROWS, _COLS = np.divmod(np.arange(64), 8)
_ROWS[0] = 8
_BITS = (np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64))[
    np.random.default_rng(64).permutation(64)]


class Fingerprint(NamedTuple):
    """What one decoded file tells the dataset check."""

    height: int
    width: int
    mode: str
    format: str | None
    digest: bytes
    phash: int
    blank: bool


def phash(grey: np.ndarray) -> tuple[int, bool]:
    """The 64-bit DCT hash of a ``THUMB`` x ``THUMB`` grey image, and whether it is blank.

    Each bit says whether one low-frequency coefficient lies above their median.

    Examples:
        >>> pixels = np.random.default_rng(0).random((32, 32)) * 200
        >>> value, blank = phash(pixels)
        >>> phash(pixels * 0.9 + 10)[0] == value, blank  # contrast and brightness: same hash
        (True, False)
    """
    pixels = np.asarray(grey, dtype=np.float32)
    blank = float(pixels.std()) < 2.0
    low = (_DCT9 @ pixels @ _DCT9.T)[_ROWS, _COLS]
    bits = low > np.median(low)
    return int(np.bitwise_or.reduce(_BITS[bits]) if bits.any() else 0), blank


def fingerprint(path: str | os.PathLike) -> Fingerprint:
    """Decode ``path`` completely (small) and hash it. Raises ``ImageDecodeError``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ImageDecodeError(path, f"cannot read file ({error.strerror or error})") from None
    try:
        image = Image.open(io.BytesIO(data))
        width, height, mode, kind = image.size[0], image.size[1], image.mode, image.format
        if kind == "JPEG":
            image.draft("L", (THUMB, THUMB))  # DCT scaling: decodes at 1/2 .. 1/8 size
        image.load()  # every byte of the pixel data is decoded here
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGBA").convert("RGB") if "A" in image.mode or \
                image.mode == "P" else image.convert("RGB")
        grey = image.convert("L").resize((THUMB, THUMB), Image.Resampling.LANCZOS,
                                         reducing_gap=2.0)
    except ImageDecodeError:
        raise
    except Exception as error:  # PIL raises many types for broken data
        raise ImageDecodeError(path, f"cannot decode pixels ({type(error).__name__}: "
                                     f"{error})") from None
    value, blank = phash(np.asarray(grey))
    digest = hashlib.blake2b(data, digest_size=16).digest()
    return Fingerprint(height, width, mode, kind, digest, value, blank)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise distance between two arrays of uint64 hashes."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64)


def _words(hashes: np.ndarray) -> np.ndarray:
    shifts = np.arange(_WORDS - 1, -1, -1, dtype=np.uint64) * np.uint64(_WORD_BITS)
    return ((hashes[:, None] >> shifts) & np.uint64(0xFFFF)).astype(np.int64)


def _unique_pairs(a: np.ndarray, b: np.ndarray | None, max_distance: int,
                  chunk: int = 2_000_000) -> np.ndarray:
    """``(i, j, distance)`` (into ``a`` and ``b``, or ``a`` twice when ``b`` is None) of
    distinct hashes within ``max_distance``; inputs hold unique values.

    Candidates are checked and dropped chunk by chunk, so memory stays bounded even when
    many hashes share a word."""
    other = a if b is None else b
    if len(a) == 0 or len(other) == 0:
        return np.empty((0, 3), dtype=np.int64)
    words_a, words_b = _words(a), _words(other)
    flips = np.concatenate([[0], 1 << np.arange(_WORD_BITS)]).astype(np.int64)
    found = []
    for word in range(_WORDS):
        order = np.argsort(words_b[:, word], kind="stable")
        # where each of the 65,536 word values starts in ``order``: a lookup, not a search
        table = np.searchsorted(words_b[order, word], np.arange((1 << _WORD_BITS) + 1))
        queries = (words_a[:, word][:, None] ^ flips[None, :]).ravel()
        owner = np.repeat(np.arange(len(a)), len(flips))
        left = table[queries]
        counts = table[queries + 1] - left
        keep = counts > 0
        owner, left, counts = owner[keep], left[keep], counts[keep]
        ends = np.cumsum(counts)
        bounds = np.searchsorted(ends, np.arange(chunk, int(ends[-1]) + chunk, chunk)
                                 ) if len(ends) else []
        first = 0
        for last in list(bounds) + [len(counts)]:
            last = min(int(last) + 1, len(counts))
            if last <= first:
                continue
            c = counts[first:last]
            i = np.repeat(owner[first:last], c)
            starts = np.repeat(left[first:last] - np.cumsum(c) + c, c)
            j = order[np.arange(int(c.sum())) + starts]
            distance = hamming(a[i], other[j])
            hit = (distance <= max_distance) & ((i < j) if b is None else True)
            found.append(np.stack([i[hit], j[hit], distance[hit]], axis=1))
            first = last
    if not found:
        return np.empty((0, 3), dtype=np.int64)
    pairs = np.concatenate(found)
    key = pairs[:, 0] * len(other) + pairs[:, 1]
    _, unique = np.unique(key, return_index=True)
    return pairs[unique]


def near_pairs(hashes: np.ndarray, other: np.ndarray | None = None, *,
               max_distance: int = 6, limit: int = 100_000) -> np.ndarray:
    """All ``(i, j, distance)`` with ``distance <= max_distance``, as an int64 array.

    With ``other`` the pairs run from ``hashes[i]`` to ``other[j]``; without it they are
    the pairs ``i < j`` within ``hashes``. At most ``limit`` pairs are returned.

    Raises:
        ValueError: if ``max_distance`` is outside 0..7 (the search is exact up to 7).
    """
    if not 0 <= int(max_distance) <= 2 * _WORDS - 1:
        raise ValueError("`max_distance` must be an int from 0 to 7 (the multi-index search "
                         f"is exact up to 7 bits). Received: max_distance={max_distance!r}")
    hashes = np.asarray(hashes, dtype=np.uint64)
    unique_a, inverse_a = np.unique(hashes, return_inverse=True)
    if other is None:
        unique_b, inverse_b = unique_a, inverse_a
        pairs = _unique_pairs(unique_a, None, max_distance)
        # identical hashes are pairs of distance 0 among their own members
        pairs = np.concatenate([np.column_stack([np.arange(len(unique_a))] * 2 +
                                                [np.zeros(len(unique_a), np.int64)]), pairs])
    else:
        other = np.asarray(other, dtype=np.uint64)
        unique_b, inverse_b = np.unique(other, return_inverse=True)
        pairs = _unique_pairs(unique_a, unique_b, max_distance)
    members_a = _members(inverse_a, len(unique_a))
    members_b = members_a if other is None else _members(inverse_b, len(unique_b))
    out: list[tuple[int, int, int]] = []
    for left, right, distance in pairs.tolist():
        for i in members_a[left]:
            for j in members_b[right]:
                if other is None and (left == right and j <= i):
                    continue
                out.append((min(i, j), max(i, j), distance) if other is None else (i, j, distance))
                if len(out) >= limit:
                    return np.asarray(out, dtype=np.int64)
    return np.asarray(out, dtype=np.int64).reshape(-1, 3)


def _members(inverse: np.ndarray, count: int) -> list[list[int]]:
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(count + 1))
    return [order[bounds[k]:bounds[k + 1]].tolist() for k in range(count)]
