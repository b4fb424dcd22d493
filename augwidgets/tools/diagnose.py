"""Findings about risky or mistaken generator settings, each with its reason and its fix.

``diagnose`` reads the same arguments ``ImageDataGenerator`` takes and returns a list of
``Finding`` objects: ``"error"`` for settings that are almost surely a mistake,
``"warning"`` for settings that probably hurt training, ``"info"`` for facts worth
knowing. A sane configuration gets no warnings and no errors.

Examples:
    >>> [f.parameter for f in diagnose({"shear_range": 0.2, "rescale": 1 / 255})]
    ['shear_range']
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from augwidgets.engine.arguments import (
    RANDOM_ARGUMENTS,
    TransformConfig,
    is_active,
    validate_generator_kwargs,
    zoom_bounds,
)
from augwidgets.engine.scan import scan_directory
from augwidgets.tools.findings import Finding, resize_finding

ROLES = ("training", "validation")
# Class names that suggest the label depends on orientation (a flipped "b" is a "d").
_ORIENTATION_WORDS = ("digit", "letter", "text", "char", "ocr", "mnist", "number", "sign",
                      "arrow", "handwrit", "glyph", "word", "font")
# An "object" filling the middle 70% of the frame; warn when less than 60% of it can stay
# in view in the worst case.
_OBJECT_HALF_SIDE = 0.35
_MIN_VISIBLE_AREA = 0.6


def _fmt(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def _validation_finding(kwargs: Mapping[str, Any], error: Exception) -> Finding:
    text = str(error)
    if isinstance(error, TypeError):
        names = re.findall(r"'(\w+)'", text.split(";")[0])
        return Finding(names[0] if names else "generator_kwargs", "error", text)
    match = re.match(r"`(\w+)`", text)
    name = match.group(1) if match else "generator_kwargs"
    zoom = kwargs.get("zoom_range")
    if name == "zoom_range" and isinstance(zoom, (int, float)) and zoom >= 1:
        text = (f"zoom_range={zoom} as one number means factors from [1 - {zoom}, 1 + {zoom}]"
                f" = [{_fmt(1 - zoom)}, {_fmt(1 + zoom)}], which includes zero or negative "
                "zoom. Fix: pass a pair such as zoom_range=[0.8, 1.2].")
    return Finding(name, "error", text)


@lru_cache(maxsize=32)
def _summary_cached(path: str, stamp: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    del stamp  # part of the cache key only: a changed folder is scanned again
    listing = scan_directory(path)
    counts = np.bincount(listing.classes, minlength=listing.num_classes)
    return tuple((name, int(counts[index])) for name, index in listing.class_indices.items())


def directory_summary(directory: str | os.PathLike) -> dict[str, int]:
    """Image count per class folder, as ``flow_from_directory`` finds them (cached).

    Raises:
        ValueError: if ``directory`` does not exist.
    """
    path = Path(directory)
    if not path.is_dir():
        scan_directory(path)  # raises the core's message
    stamp = [path.stat().st_mtime_ns]
    stamp += [entry.stat().st_mtime_ns for entry in os.scandir(path) if entry.is_dir()]
    return dict(_summary_cached(os.fspath(path), tuple(stamp)))


def _orientation_sensitive(class_names: list[str]) -> bool:
    if not class_names:
        return False
    if all(len(name) == 1 and name.isalnum() for name in class_names):
        return True
    lowered = " ".join(class_names).lower()
    return any(word in lowered for word in _ORIENTATION_WORDS)


def _shift_fraction(value: Any, side: int) -> float:
    if isinstance(value, (list, tuple)):
        largest = max((abs(float(v)) for v in value), default=0.0)
    else:
        largest = abs(float(value))
    return largest if largest < 1 else largest / side


def _visible_fraction(shift: float, zoom_low: float) -> float:
    """Worst-case share of a centred object (middle 70%) left inside the frame, one axis."""
    magnification = 1 / zoom_low
    centre = shift * magnification
    half = _OBJECT_HALF_SIDE * magnification
    low, high = max(centre - half, -0.5), min(centre + half, 0.5)
    return max(high - low, 0.0) / (2 * half)


def _framing(params: dict[str, Any], target_size: tuple[int, int]) -> Finding | None:
    height, width = target_size
    # Legacy quirk: height_shift_range moves sideways by a fraction of the height, and
    # width_shift_range moves up and down; the area lost is the same either way.
    sideways = _shift_fraction(params["height_shift_range"], height)
    vertical = _shift_fraction(params["width_shift_range"], width)
    low, _high = zoom_bounds(params["zoom_range"])
    zoom_low = min(low, 1.0)
    visible = _visible_fraction(sideways, zoom_low) * _visible_fraction(vertical, zoom_low)
    if visible >= _MIN_VISIBLE_AREA:
        return None
    causes = {"width_shift_range": vertical, "height_shift_range": sideways,
              "zoom_range": (1 / zoom_low - 1) / 2}
    parameter = max(causes, key=causes.get)
    reasons = []
    if max(sideways, vertical) > 0:
        reasons.append(f"shifts up to {max(sideways, vertical):.0%} of the side")
    if zoom_low < 1:
        reasons.append(f"zoom in up to {1 / zoom_low:.2g}x")
    return Finding(
        parameter, "warning",
        f"Aggressive framing: in the worst case only {visible:.0%} of an object filling the "
        f"middle 70% of the frame stays in view ({'; '.join(reasons)}). The model then "
        "learns from images "
        "whose object is partly or wholly cut out, with the label still attached. Fix: keep "
        "width_shift_range and height_shift_range at 0.2 or less and the low end of "
        "zoom_range at 0.8 or more.")


def diagnose(
    generator_kwargs: Mapping[str, Any],
    *,
    directory: str | os.PathLike | None = None,
    batch_size: int = 32,
    steps_per_epoch: int | None = None,
    role: str = "training",
    target_size: tuple[int, int] = (256, 256),
    input_range: tuple[float, float] | None = None,
    orientation_matters: bool | None = None,
) -> list[Finding]:
    """Check a generator configuration for likely mistakes.

    Args:
        generator_kwargs: the ``ImageDataGenerator`` arguments.
        directory: the class-per-folder directory it reads; enables the checks that need
            image counts and class names.
        batch_size: the batch size passed to ``flow_from_directory``.
        steps_per_epoch: the value passed to ``fit``, if any.
        role: ``"training"`` or ``"validation"``.
        target_size: the ``(height, width)`` images are resized to (for pixel shifts).
        input_range: the ``(low, high)`` pixel range the model expects, e.g. ``(0, 1)``;
            ``None`` if unknown.
        orientation_matters: whether flipping or turning an image can change its label
            (digits, text); ``None`` guesses from the class folder names.

    Returns:
        Findings, errors first.

    Examples:
        >>> diagnose({"rescale": 1 / 255, "rotation_range": 20, "horizontal_flip": True})
        []
    """
    if role not in ROLES:
        raise ValueError(f"`role` must be one of {ROLES}. Received: role={role!r}")
    if batch_size is None or int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be an int >= 1. Received: batch_size={batch_size!r}")
    try:
        params = validate_generator_kwargs(dict(generator_kwargs))
    except (TypeError, ValueError) as error:
        return [_validation_finding(generator_kwargs, error)]

    findings: list[Finding] = []
    add = findings.append
    config = TransformConfig.from_kwargs(params)

    class_counts: dict[str, int] | None = None
    if directory is not None:
        try:
            class_counts = directory_summary(directory)
        except (ValueError, OSError) as error:
            add(Finding("directory", "error", str(error)))

    # --- validation data must not be augmented -------------------------------------------
    if role == "validation" and not config.is_identity:
        active = [name for name in RANDOM_ARGUMENTS
                  if name in generator_kwargs and is_active(name, params[name])]
        add(Finding(
            active[0] if active else "role", "error",
            f"This generator is used for validation but augments ({', '.join(active)}). "
            "Validation should measure the model on images as they really are, the same every "
            "epoch; random changes make validation loss noisy and not comparable between "
            "epochs or models. Fix: use a separate ImageDataGenerator with only the scaling "
            "(e.g. ImageDataGenerator(rescale=1/255)) for validation."))

    # --- scaling -------------------------------------------------------------------------
    rescale = params["rescale"]
    function = params["preprocessing_function"]
    if rescale is not None and rescale > 1:
        add(Finding("rescale", "error",
                    f"rescale={_fmt(rescale)} MULTIPLIES every pixel, so values reach "
                    f"{_fmt(255 * rescale)}. To map 0-255 to [0, 1] use rescale=1/{_fmt(rescale)}."))
    elif rescale == 0:
        add(Finding("rescale", "error", "rescale=0 turns every image black (all zeros). "
                    "Use rescale=1/255, or None for no scaling."))
    if function is not None and rescale is not None:
        name = getattr(function, "__name__", "preprocessing_function")
        add(Finding("preprocessing_function", "warning",
                    f"Double scaling: the generator first runs {name}() (which usually scales "
                    f"already, e.g. keras.applications' preprocess_input to [-1, 1] or mean "
                    f"subtraction) and then multiplies by rescale={_fmt(rescale)}. Fix: drop "
                    "rescale when preprocessing_function does the scaling."))
    if rescale is None and function is None:
        if input_range is not None and float(input_range[1]) <= 1.0:
            add(Finding("rescale", "warning",
                        f"The model expects inputs in [{_fmt(input_range[0])}, "
                        f"{_fmt(input_range[1])}] but without rescale it receives 0-255, so "
                        "activations start huge and training stalls or diverges. Fix: "
                        "rescale=1/255 (and the same on the validation generator)."))
        elif input_range is None:
            add(Finding("rescale", "info",
                        "No rescale: pixels reach the model as 0-255. That is right only if "
                        "the model scales them itself (a Rescaling layer, or a keras.applications"
                        " model with its preprocess_input); most models want rescale=1/255."))
    elif rescale is not None and input_range is not None and function is None:
        top = 255 * rescale
        if not math.isclose(top, float(input_range[1]), rel_tol=0.1) or float(input_range[0]) < 0:
            add(Finding("rescale", "warning",
                        f"rescale={_fmt(rescale)} maps pixels to [0, {_fmt(top)}] but the model "
                        f"expects [{_fmt(input_range[0])}, {_fmt(input_range[1])}]. Fix: choose "
                        "rescale (or a preprocessing_function) that produces that range."))
    if params["featurewise_center"] or params["featurewise_std_normalization"]:
        add(Finding("featurewise_center" if params["featurewise_center"]
                    else "featurewise_std_normalization", "info",
                    "Featurewise normalisation needs datagen.fit(sample_images) before "
                    "flow_from_directory; without it the legacy generator warns and skips it."))
    if params["zca_whitening"]:
        add(Finding("zca_whitening", "info", "ZCA whitening needs datagen.fit(...) and is slow "
                    "for large images."))

    # --- geometry --------------------------------------------------------------------------
    shear = float(params["shear_range"])
    if 0 < shear < 1:
        degrees = math.degrees(shear)
        add(Finding("shear_range", "warning",
                    f"shear_range is in DEGREES: {_fmt(shear)} shears by at most "
                    f"{_fmt(shear)} degree, almost a no-op. If you meant {_fmt(shear)} radians "
                    f"or a fraction of the side (as in Keras 3 RandomShear({_fmt(shear)})), use "
                    f"about shear_range={degrees:.1f}."))
    elif shear > 45:
        add(Finding("shear_range", "warning",
                    f"shear_range={_fmt(shear)} degrees slants images very strongly; above about "
                    "30 degrees shapes become hard to recognise. Fix: 5 to 20 degrees."))
    if is_active("zoom_range", params["zoom_range"]):
        low, high = zoom_bounds(params["zoom_range"])
        message = (f"zoom_range draws a factor from [{_fmt(low)}, {_fmt(high)}] for width and "
                   "height independently, so the aspect ratio changes too. A factor above 1 "
                   "zooms OUT (the picture shrinks and fill_mode fills the border); below 1 "
                   "zooms in (the edges are cut).")
        if low >= 1:
            add(Finding("zoom_range", "warning", message + " This range only zooms OUT; if you"
                        f" wanted to zoom in up to {_fmt(high)}x, use "
                        f"zoom_range=[{_fmt(1 / high)}, 1.0]."))
        else:
            add(Finding("zoom_range", "info", message))
    framing = _framing(params, tuple(target_size))
    if framing is not None:
        add(framing)
    rotation = float(params["rotation_range"])
    if rotation > 60:
        add(Finding("rotation_range", "warning",
                    f"rotation_range={_fmt(rotation)} turns images by up to {_fmt(rotation)} "
                    "degrees: the corners of a frame-filling object leave the frame, the "
                    "corners fill with fill_mode, and 'up' loses its meaning. Fine for "
                    "microscopy or satellite images; for photos keep it at 30 or less."))

    # --- orientation carries the label ------------------------------------------------------
    sensitive = orientation_matters
    if sensitive is None and class_counts:
        sensitive = _orientation_sensitive(list(class_counts))
    if sensitive:
        why = ("the labels depend on orientation (digits, letters, text: a mirrored 'b' is a "
               "'d', a 6 turned over is a 9)")
        if params["horizontal_flip"]:
            add(Finding("horizontal_flip", "warning",
                        f"horizontal_flip mirrors half the images, but {why}. Fix: "
                        "horizontal_flip=False."))
        if params["vertical_flip"]:
            add(Finding("vertical_flip", "warning",
                        f"vertical_flip turns half the images upside down, but {why}. Fix: "
                        "vertical_flip=False."))
        if rotation > 30:
            add(Finding("rotation_range", "warning",
                        f"rotation_range={_fmt(rotation)} degrees, but {why}. Fix: 15 degrees "
                        "or less."))
    elif sensitive is None and params["vertical_flip"]:
        add(Finding("vertical_flip", "info",
                    "vertical_flip shows half the images upside down: right for aerial, "
                    "satellite or microscope images, wrong for everyday photos and for text."))

    # --- steps per epoch ------------------------------------------------------------------
    if steps_per_epoch is not None:
        add_steps = _steps_finding(params, class_counts, int(batch_size), int(steps_per_epoch),
                                   role, directory)
        if add_steps is not None:
            add(add_steps)

    # --- large photos: the opt-in fast resize ----------------------------------------------
    if directory is not None and class_counts:
        add_resize = resize_finding(directory, target_size)
        if add_resize is not None:
            add(add_resize)

    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def _steps_finding(params: dict[str, Any], class_counts: dict[str, int] | None,
                   batch_size: int, steps: int, role: str,
                   directory: Any) -> Finding | None:
    name = "steps_per_epoch" if role == "training" else "validation_steps"
    if class_counts is None:
        return Finding(name, "info", f"{name}={steps} cannot be checked without `directory`; "
                       "leaving it out lets Keras use len(generator), which is always right.")
    split = float(params["validation_split"])
    if split:
        held = {c: int(split * n) for c, n in class_counts.items()}
        counts = {c: (n - held[c] if role == "training" else held[c])
                  for c, n in class_counts.items()}
    else:
        counts = class_counts
    images = sum(counts.values())
    expected = math.ceil(images / batch_size)
    if steps == expected:
        return None
    folders = len(class_counts)
    if steps in {folders, folders // batch_size, math.ceil(folders / batch_size)}:
        return Finding(name, "error",
                       f"{name}={steps} matches the number of class FOLDERS ({folders}, e.g. "
                       f"len(os.listdir({str(directory)!r}))), not the number of images "
                       f"({images}). Fix: {name}=math.ceil({images} / {batch_size}) = "
                       f"{expected}, or leave it out: Keras then uses len(generator).")
    if steps < expected:
        return Finding(name, "warning",
                       f"{name}={steps} uses only {steps * batch_size} of {images} images per "
                       f"epoch. Fix: {name}=math.ceil({images} / {batch_size}) = {expected}, "
                       "or leave it out.")
    return Finding(name, "warning",
                   f"{name}={steps} asks for more batches than the {images} images give "
                   f"({expected} batches of {batch_size}); an 'epoch' then is not one pass over "
                   f"the data. Fix: {name}={expected}, or leave it out.")
