"""Offline sample datasets for the notebooks: real handwritten digits and procedural shapes.

Nothing is downloaded. ``digits`` writes scikit-learn's 1,797 handwritten digits (they ship
inside scikit-learn) and ``shapes`` draws coloured circles, squares and triangles. Both
write the class-per-folder layout that ``flow_from_directory`` reads::

    directory/
      train/<class>/<index>.png
      validation/<class>/<index>.png      (only when validation_fraction > 0)
      .augwidgets-dataset.json             (the marker: what was written, with which arguments)

The same arguments always give the same bytes. To protect user files, a function only
writes into a missing or empty directory, or into one holding its own marker with the same
arguments (then it returns at once: calling it again is cheap). Anything else raises
``ValueError`` naming the path; nothing is ever deleted.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")
    >>> sorted(p.name for p in (root / "train").iterdir())[:3]
    ['0', '1', '2']
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from augwidgets.errors import reject

#: Name of the marker file written into every dataset directory.
MARKER = ".augwidgets-dataset.json"
#: Shapes ``shapes`` can draw.
SHAPE_CLASSES = ("circle", "square", "triangle", "star", "cross")
_FORMAT_VERSION = 1
_SUPERSAMPLE = 4  # shapes are drawn 4x larger and reduced, for anti-aliased edges
#: With ``progress=None`` a bar is shown from this many files to write (the digits, 1,797
#: files, take about a second and show none, so a lesson's output is the same every run).
PROGRESS_FROM_FILES = 5000



def _check_int(name: str, value: Any, minimum: int, maximum: int) -> int:
    if (not isinstance(value, numbers.Integral) or isinstance(value, bool)
            or not minimum <= int(value) <= maximum):
        raise reject(name, f"an int in [{minimum}, {maximum}]", value)
    return int(value)


def _check_fraction(value: Any) -> float:
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not 0 <= float(value) < 1):
        raise reject("validation_fraction", "a number in [0, 1)", value)
    return float(value)


def _check_seed(value: Any) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise reject("seed", "an int >= 0", value)
    return int(value)


def _validation_count(count: int, fraction: float) -> int:
    # Round half up, but always leave at least one training image per class.
    return min(int(math.floor(count * fraction + 0.5)), count - 1)


def _stratified_split(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Return a boolean "goes to validation" mask, the same share of every class."""
    rng = np.random.default_rng(seed)
    validation = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        chosen = rng.permutation(members)[:_validation_count(len(members), fraction)]
        validation[chosen] = True
    return validation


def _prepare(directory: str | os.PathLike[str], parameters: dict[str, Any],
             expected_files: list[str]) -> tuple[Path, bool]:
    """Check the target directory; return (path, True) if it already holds this dataset."""
    path = Path(directory)
    marker = path / MARKER
    if path.exists() and not path.is_dir():
        raise ValueError(f"`directory` must be a directory, but {str(path)!r} is a file. "
                         f"Received: directory={str(directory)!r}")
    if not path.exists() or not any(path.iterdir()):
        return path, False
    if not marker.is_file():
        raise ValueError(
            f"`directory` must be missing, empty, or a dataset augwidgets wrote itself; "
            f"{str(path)!r} holds other files and nothing was written (nothing is ever "
            f"deleted). Choose a new directory. Received: directory={str(directory)!r}"
        )
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8")).get("parameters")
    except (ValueError, AttributeError):
        recorded = None
    if recorded != parameters:
        raise ValueError(
            f"`directory` {str(path)!r} already holds an augwidgets dataset written with "
            f"other arguments ({recorded}); asked for {parameters}. Nothing was changed: "
            f"choose a new directory or delete that one yourself. "
            f"Received: directory={str(directory)!r}"
        )
    complete = all((path / name).is_file() for name in expected_files)
    return path, complete


def _check_progress(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise reject("progress", "True, False or None", value)
    return value


def _write_dataset(directory: str | os.PathLike[str], parameters: dict[str, Any],
                   files: list[tuple[str, Callable[[], Image.Image]]],
                   progress: bool | None = None) -> Path:
    path, complete = _prepare(directory, parameters, [name for name, _ in files])
    if complete:
        return path
    from augwidgets.progress import progress_bar

    shown = len(files) >= PROGRESS_FROM_FILES if progress is None else progress
    path.mkdir(parents=True, exist_ok=True)
    # The marker goes first, so an interrupted write can be resumed by calling again.
    marker = {"format_version": _FORMAT_VERSION, "parameters": parameters,
              "files": len(files)}
    (path / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n",
                               encoding="utf-8")
    with progress_bar(len(files), desc=f"writing {parameters['dataset']}", unit="file",
                      enabled=shown) as bar:
        for name, render in files:
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            render().save(target, format="PNG")
            bar.update(1)  # one PNG encode and write per update: far above tqdm's cost
    return path


def _split_name(is_validation: bool) -> str:
    return "validation" if is_validation else "train"


def digits(directory: str | os.PathLike[str], *, image_size: int = 32,
           validation_fraction: float = 0.2, seed: int = 0,
           progress: bool | None = None) -> Path:
    """Write scikit-learn's 1,797 handwritten digits as PNG files, one folder per digit.

    The 8x8 scans (16 grey levels, bright ink on black) are scaled to 0..255 and enlarged
    with bicubic interpolation to ``image_size`` pixels square. They are saved as 8-bit
    grayscale ("L") PNGs: Keras loaders convert them to RGB unless asked for
    ``color_mode="grayscale"``. The split is stratified and seeded: each digit puts the
    same share of its images into ``validation/``. Files are named by their index in
    ``sklearn.datasets.load_digits()``.

    Args:
        directory: where to write (missing, empty, or this same dataset).
        image_size: side of the square images, 8..512 pixels.
        validation_fraction: share of each class in ``validation/``, in [0, 1).
        seed: seed of the split.
        progress: a progress bar while writing (``tqdm.auto``); None shows one from
            ``PROGRESS_FROM_FILES`` files, so never for the digits.

    Returns:
        The dataset's root path.

    Raises:
        ValueError: for a bad argument or a directory holding anything else.

    Examples:
        >>> root = digits("data/digits28", image_size=28)
        >>> len(list((root / "train" / "3").glob("*.png")))
        146
    """
    image_size = _check_int("image_size", image_size, 8, 512)
    validation_fraction = _check_fraction(validation_fraction)
    seed = _check_seed(seed)
    progress = _check_progress(progress)
    from sklearn.datasets import load_digits

    data = load_digits()
    labels = np.asarray(data.target)
    images = np.clip(np.rint(np.asarray(data.images) * (255 / 16)), 0, 255).astype(np.uint8)
    validation = _stratified_split(labels, validation_fraction, seed)
    parameters = {"dataset": "digits", "image_size": image_size,
                  "validation_fraction": validation_fraction, "seed": seed}

    def renderer(index: int) -> Callable[[], Image.Image]:
        def render() -> Image.Image:
            image = Image.fromarray(images[index], mode="L")
            return image.resize((image_size, image_size), Image.Resampling.BICUBIC)
        return render

    files = [(f"{_split_name(validation[i])}/{labels[i]}/{i:04d}.png", renderer(i))
             for i in range(len(labels))]
    return _write_dataset(directory, parameters, files, progress)


def _shape_points(kind: str, cx: float, cy: float, radius: float,
                  angle: float) -> list[tuple[float, float]]:
    corners = {"square": 4, "triangle": 3, "star": 10, "cross": 12}[kind]
    points = []
    for k in range(corners):
        if kind == "star":
            r = radius if k % 2 == 0 else radius * 0.45
            a = angle + k * math.pi / 5
        elif kind == "cross":
            # 12 corners of a plus sign with arm half-width w
            w = radius * 0.35
            outline = [(w, radius), (w, w), (radius, w), (radius, -w), (w, -w), (w, -radius),
                       (-w, -radius), (-w, -w), (-radius, -w), (-radius, w), (-w, w),
                       (-w, radius)]
            x, y = outline[k]
            r, a = math.hypot(x, y), angle + math.atan2(y, x)
        else:
            r, a = radius, angle + 2 * math.pi * k / corners
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def _random_colours(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A background and a clearly different foreground colour."""
    while True:
        background = rng.integers(0, 256, 3)
        foreground = rng.integers(0, 256, 3)
        if np.abs(background.astype(int) - foreground).sum() >= 200:
            return tuple(int(v) for v in background), tuple(int(v) for v in foreground)


def _draw_shape(kind: str, image_size: int, rng: np.random.Generator) -> Callable[[], Image.Image]:
    background, foreground = _random_colours(rng)
    radius = rng.uniform(0.18, 0.42) * image_size
    cx, cy = rng.uniform(radius, image_size - radius, 2)
    angle = rng.uniform(0, 2 * math.pi)

    def render() -> Image.Image:
        big = image_size * _SUPERSAMPLE
        canvas = Image.new("RGB", (big, big), background)
        draw = ImageDraw.Draw(canvas)
        s = _SUPERSAMPLE
        if kind == "circle":
            draw.ellipse([(cx - radius) * s, (cy - radius) * s, (cx + radius) * s,
                          (cy + radius) * s], fill=foreground)
        else:
            draw.polygon(_shape_points(kind, cx * s, cy * s, radius * s, angle), fill=foreground)
        return canvas.resize((image_size, image_size), Image.Resampling.BOX)

    return render


def shapes(directory: str | os.PathLike[str], *, num_per_class: int = 100, image_size: int = 64,
           validation_fraction: float = 0.2, seed: int = 0,
           classes: Sequence[str] = ("circle", "square", "triangle"),
           progress: bool | None = None) -> Path:
    """Draw coloured shapes at random positions, sizes and angles, one folder per shape.

    Every image has a random background colour and a clearly different shape colour; the
    shape lies entirely inside the image, with its radius 18-42 % of the side. Edges are
    anti-aliased (drawn four times larger, then reduced). Images are RGB PNGs.

    Args:
        directory: where to write (missing, empty, or this same dataset).
        num_per_class: images per class, 1..100000.
        image_size: side of the square images, 16..512 pixels.
        validation_fraction: share of each class in ``validation/``, in [0, 1).
        seed: seed of the drawings and the split.
        classes: which shapes, from ``SHAPE_CLASSES``.
        progress: a progress bar while writing (``tqdm.auto``); None shows one from
            ``PROGRESS_FROM_FILES`` files.

    Returns:
        The dataset's root path.

    Raises:
        ValueError: for a bad argument or a directory holding anything else.

    Examples:
        >>> root = shapes("data/shapes50", num_per_class=50, image_size=48)
        >>> sorted(p.name for p in (root / "train").iterdir())
        ['circle', 'square', 'triangle']
    """
    num_per_class = _check_int("num_per_class", num_per_class, 1, 100_000)
    image_size = _check_int("image_size", image_size, 16, 512)
    validation_fraction = _check_fraction(validation_fraction)
    seed = _check_seed(seed)
    progress = _check_progress(progress)
    if (isinstance(classes, str) or not isinstance(classes, Sequence) or not classes
            or any(c not in SHAPE_CLASSES for c in classes) or len(set(classes)) != len(classes)):
        raise reject("classes", f"a non-empty sequence of distinct names from {SHAPE_CLASSES}",
                      classes)
    classes = [str(c) for c in classes]
    parameters = {"dataset": "shapes", "num_per_class": num_per_class, "image_size": image_size,
                  "validation_fraction": validation_fraction, "seed": seed,
                  "classes": classes}
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(classes)), num_per_class)
    validation = _stratified_split(labels, validation_fraction, seed + 1)
    files = []
    for i, label in enumerate(labels):
        kind = classes[label]
        name = f"{_split_name(validation[i])}/{kind}/{i % num_per_class:05d}.png"
        files.append((name, _draw_shape(kind, image_size, rng)))
    return _write_dataset(directory, parameters, files, progress)
