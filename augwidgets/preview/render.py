"""The explorer's preview as a pure function: (settings, images, seed) -> encoded grid.

``ImageSource`` lists a class-per-folder directory once and keeps the sample images in
memory, decoded and resized exactly as the iterator decodes and resizes them (same
``color_mode``, ``interpolation``, ``keep_aspect_ratio`` and ``target_size``), so a slider
move only warps nine small images. ``render_preview`` draws every tile's transform
(``sample_transform`` seeded per tile) and runs it through the one image pipeline,
``image.pipeline.process_image``: the very function ``DirectoryIterator`` calls, so a tile
holds exactly the values ``fit`` would get for that image and draw (``tile_values``). It
then maps those values to grey levels, lays the tiles out on one NumPy canvas, stamps the
captions (``TextAtlas``, 14 px) and encodes the canvas once. No matplotlib, no widgets: it is
benchmarked and tested on its own.

Examples:
    >>> import numpy as np
    >>> images = [SampleImage("a/1.png", "a", np.zeros((32, 32, 3), np.uint8))]
    >>> preview = render_preview(images, {"rotation_range": 20}, target_size=(32, 32))
    >>> preview.value[:2], len(preview.params)
    (b'\\xff\\xd8', 1)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np
from PIL import Image

from augwidgets.engine.config import GeneratorConfig
from augwidgets.engine.sampling import sample_transform
from augwidgets.image.pipeline import (
    ImageSettings,
    Scaling,
    process_image,
)
from augwidgets.image.standardize import ScalingConfig
from augwidgets.image.standardize import standardize as core_standardize
from augwidgets.preview.encoding import CAPTION_PX, TextAtlas, encode_image
from augwidgets.preview.image_source import SampleImage

MODES = ("grid", "one_image")
_PAD = 6
_MIN_TILE, _MAX_TILE = 168, 256


@dataclass
class Preview:
    """One rendered preview.

    Args:
        value: the encoded grid (what ``ipywidgets.Image.value`` gets).
        format: ``"jpeg"`` or ``"png"``.
        params: each tile's drawn transform (``None`` where nothing was drawn).
        ranges: each tile's (min, max) value as the model receives it.
        shape: the grid's ``(height, width)``.
        details: each tile's full caption (every drawn value), for a tooltip.
    """

    value: bytes
    format: str
    params: list[dict[str, Any] | None]
    ranges: list[tuple[float, float]]
    shape: tuple[int, int]
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PreviewRequest:
    """Everything a preview depends on besides its sample images, as one hashable value.

    Two equal requests on the same sample render the same bytes, so a request is the cache
    key of a view that shows previews (``sample`` says which sample of images it is).

    Examples:
        >>> config = GeneratorConfig.from_kwargs({"rotation_range": 20})
        >>> PreviewRequest(config, draw=1) == PreviewRequest(config, draw=1)
        True
    """

    config: GeneratorConfig = field(compare=False)
    seed: int = 0
    draw: int = 0
    target_size: tuple[int, int] = (224, 224)
    columns: int = 3
    mode: str = "grid"
    focus: int = 0
    tiles: int | None = None
    show_original: bool = False
    show_params: bool = True
    augment: bool = True
    sample: int = 0
    settings: tuple[tuple[str, object], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The config compares by its arguments (a callable, such as a user's
        # preprocessing_function, by identity).
        object.__setattr__(self, "settings", tuple(
            (name, id(value) if callable(value) else repr(value))
            for name, value in self.config.arguments.items()))

    def render(self, images: Sequence[SampleImage], *,
               feature_stats: tuple[np.ndarray, np.ndarray] | None = None,
               settings: ImageSettings | None = None) -> Preview:
        """``render_preview`` of ``images`` with this request's settings and options."""
        return render_preview(images, self.config, seed=self.seed, draw=self.draw,
                              target_size=self.target_size, columns=self.columns,
                              mode=self.mode, focus=self.focus, tiles=self.tiles,
                              show_original=self.show_original, show_params=self.show_params,
                              augment=self.augment, feature_stats=feature_stats,
                              settings=settings)


def feature_statistics(images: Sequence[SampleImage],
                       generator_kwargs: GeneratorConfig | Mapping[str, Any],
                       target_size: tuple[int, int],
                       settings: ImageSettings | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of the sample, as ``ImageDataGenerator.fit`` computes them
    (only ``rescale`` is read from the settings)."""
    settings = (settings or ImageSettings()).with_target(tuple(target_size))
    rescale = (generator_kwargs.scaling.rescale if isinstance(generator_kwargs, GeneratorConfig)
               else generator_kwargs.get("rescale"))
    stack = np.stack([process_image(s.pixels, None, settings, Scaling(rescale=rescale))
                      for s in images])
    return stack.mean(axis=(0, 1, 2)), stack.std(axis=(0, 1, 2))


def standardize(x: np.ndarray, params: Mapping[str, Any],
                stats: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The generator's deterministic scaling (the core's ``standardize``), on a copy."""
    mean, std = stats if stats is not None else (None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unfitted featurewise options are shown as findings
        return core_standardize(np.array(x, dtype=np.float32),
                                ScalingConfig.from_arguments(params), mean=mean, std=std)


def preview_scaling(config: GeneratorConfig,
                    stats: tuple[np.ndarray, np.ndarray] | None = None) -> Scaling:
    """The generator's scaling step for the preview (``stats`` stand in for ``fit``)."""
    if config.scaling.only_rescales:
        return Scaling(rescale=config.scaling.rescale)
    return Scaling(rescale=config.scaling.rescale,
                   standardize=lambda x: standardize(x, config.arguments, stats))


def _config(settings: GeneratorConfig | Mapping[str, Any]) -> GeneratorConfig:
    """A config as it is; generator arguments validated (once, here)."""
    return settings if isinstance(settings, GeneratorConfig) else GeneratorConfig.from_kwargs(
        settings)


def tile_values(sample: SampleImage, generator_kwargs: GeneratorConfig | Mapping[str, Any],
                params: dict[str, Any] | None, settings: ImageSettings,
                feature_stats: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """One tile's values exactly as the model receives them: the iterator's pipeline.

    Examples:
        >>> image = SampleImage("a/1.png", "a", np.full((8, 8, 3), 255, np.uint8))
        >>> float(tile_values(image, {"rescale": 1 / 255}, None, ImageSettings((8, 8))).max())
        1.0
    """
    config = _config(generator_kwargs)
    transform = config.transform
    settings = replace(settings, fill_mode=transform.fill_mode, cval=transform.cval,
                       order=transform.interpolation_order)
    return process_image(sample.pixels, params, settings, preview_scaling(config, feature_stats))


def _display_range(params: Mapping[str, Any]) -> tuple[float, float] | None:
    """The value range drawn from black to white; ``None`` to use the grid's own range."""
    if params.get("preprocessing_function") is not None:
        return None
    centred = params.get("samplewise_center") or params.get("featurewise_center")
    if params.get("samplewise_std_normalization") or params.get("featurewise_std_normalization"):
        return (-2.5, 2.5) if centred else (0.0, 5.0)
    top = 255.0 * (params.get("rescale") or 1.0)
    return (-top / 2, top / 2) if centred else (0.0, top)


def _for_display(value: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """Model values -> 3-channel uint8 grey levels, ``value_range`` from black to white."""
    low, high = value_range
    span = (high - low) or 1.0
    pixels = np.clip((value - low) * (255.0 / span) + 0.5, 0, 255).astype(np.uint8)
    if pixels.shape[2] == 1:
        return np.repeat(pixels, 3, axis=2)
    return np.ascontiguousarray(pixels[..., :3])  # rgba: colours only


def _tile_size(target_size: tuple[int, int]) -> tuple[int, int]:
    height, width = target_size
    scale = min(_MAX_TILE / max(height, width), 1.0)
    scale = max(scale, _MIN_TILE / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def _value_tokens(params: Mapping[str, Any]) -> list[str]:
    """The drawn values that changed something (in the font's Latin-1): a tile that drew
    no shear does not spend caption room on ``shear +0.0``."""
    tokens = []
    if params["theta"]:
        tokens.append(f"rot {params['theta']:+.1f}°")
    if params["tx"] or params["ty"]:
        tokens.append(f"tx {params['tx']:+.1f} ty {params['ty']:+.1f}")
    if params["shear"]:
        tokens.append(f"shear {params['shear']:+.1f}°")
    if params["zx"] != 1 or params["zy"] != 1:
        tokens.append(f"zx {params['zx']:.2f} zy {params['zy']:.2f}")
    flips = ("H" if params["flip_horizontal"] else "") + ("V" if params["flip_vertical"] else "")
    if flips:
        tokens.append(f"flip {flips}")
    if params.get("channel_shift_intensity") is not None:
        tokens.append(f"ch {params['channel_shift_intensity']:+.0f}")
    if params.get("brightness") is not None:
        tokens.append(f"bright x{params['brightness']:.2f}")
    return tokens


def _wrap(tokens: Sequence[str], width: int, lines: int, atlas: TextAtlas) -> list[str]:
    """Greedy wrap of ``tokens`` into at most ``lines`` lines of ``width`` pixels; what does
    not fit ends the last line with an ellipsis (the tooltip has the full set)."""
    out = [""]
    for token in tokens:
        candidate = f"{out[-1]}  {token}" if out[-1] else token
        if atlas.width(candidate) <= width:
            out[-1] = candidate
        elif len(out) < lines:
            out.append(token)
        else:
            out[-1] = atlas.fit(out[-1] + "  " + token, width)
            break
    return [atlas.fit(line, width) for line in out] + [""] * (lines - len(out))


def _caption(label: str, params: dict[str, Any] | None, value_range: tuple[float, float],
             show_params: bool, width: int = 10_000) -> list[str]:
    """The lines written under a tile: its class (with the value range the model receives
    at the right), then up to three lines of the values it drew, only those that changed
    the image (every value is in ``Preview.details``)."""
    atlas = TextAtlas.get(CAPTION_PX)
    values = f"{value_range[0]:.3g} .. {value_range[1]:.3g}"
    room = width - atlas.width(values) - atlas.width("  ")
    if atlas.width(label) <= room:
        lines = [f"{label}\t{values}"]  # a tab: the values go right-aligned
    else:
        lines = [atlas.fit(label, width)]
    if show_params:
        tokens = _value_tokens(params) if params is not None else []
        lines += _wrap(tokens or ["no transform"], width, caption_lines(True) - 1, atlas)
    return lines


def _details(tile: int, label: str, params: dict[str, Any] | None,
             value_range: tuple[float, float]) -> str:
    """Every value a tile drew, with the legacy ``get_random_transform`` keys (tooltip)."""
    text = f"tile {tile + 1}, {label}:"
    if params is not None:
        text += (f" theta {params['theta']:+.2f}, tx {params['tx']:+.2f}, "
                 f"ty {params['ty']:+.2f}, shear {params['shear']:+.2f}, "
                 f"zx {params['zx']:.3f}, zy {params['zy']:.3f}, "
                 f"flip_horizontal {bool(params['flip_horizontal'])}, "
                 f"flip_vertical {bool(params['flip_vertical'])}")
        for key in ("channel_shift_intensity", "brightness"):
            if params.get(key) is not None:
                text += f", {key} {params[key]:.3f}"
        text += ";"
    return text + f" values {value_range[0]:.4g} .. {value_range[1]:.4g}"


def caption_lines(show_params: bool) -> int:
    """How many caption lines each tile gets."""
    return 4 if show_params else 1


def render_preview(
    images: Sequence[SampleImage],
    generator_kwargs: GeneratorConfig | Mapping[str, Any],
    *,
    seed: int = 0,
    draw: int = 0,
    target_size: tuple[int, int] = (224, 224),
    columns: int = 3,
    mode: str = "grid",
    focus: int = 0,
    tiles: int | None = None,
    show_original: bool = False,
    show_params: bool = True,
    augment: bool = True,
    feature_stats: tuple[np.ndarray, np.ndarray] | None = None,
    format: str = "jpeg",
    quality: int = 88,
    settings: ImageSettings | None = None,
) -> Preview:
    """Augment the sample with the given settings and encode it as one grid image.

    Args:
        images: the sample (``ImageSource.sample``).
        generator_kwargs: a ``GeneratorConfig`` (validated once, by its maker), or
            ``ImageDataGenerator`` arguments (then validated here).
        seed, draw: tile ``i`` draws its transform from ``RandomState(seed + draw * 1000 + i)``;
            a new ``draw`` gives new random transforms of the same images.
        target_size: ``(height, width)`` the generator resizes to.
        columns: tiles per row.
        mode: ``"grid"`` (one tile per image) or ``"one_image"`` (image ``focus`` under
            ``tiles`` different draws).
        tiles: number of tiles (defaults to ``len(images)``).
        show_original: put each image's un-augmented version to the left of its tile.
        show_params: write each tile's drawn transform under it.
        augment: ``False`` renders what a validation generator yields (scaling only).
        feature_stats: ``(mean, std)`` for featurewise normalisation (``feature_statistics``).
        format, quality: encoding of the grid.
        settings: the iterator's ``color_mode``, ``interpolation``... (``ImageSource.settings``);
            ``target_size`` and the fill options come from the arguments above.

    Returns:
        A ``Preview`` with the encoded bytes and each tile's parameters.
    """
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {MODES}. Received: mode={mode!r}")
    if not images:
        raise ValueError("`images` must hold at least one image. Received: images=[]")
    generator = _config(generator_kwargs)
    params_all, config = generator.arguments, generator.transform
    target = (int(target_size[0]), int(target_size[1]))
    count = len(images) if tiles is None else int(tiles)
    columns = max(1, min(int(columns), count))
    rows = -(-count // columns)
    tile_h, tile_w = _tile_size(target)
    panes = 2 if show_original else 1
    atlas = TextAtlas.get(CAPTION_PX)
    caption_h = caption_lines(show_params) * atlas.line_height + 4
    cell_w = panes * tile_w + (panes - 1) * 2
    canvas = np.full((rows * (tile_h + caption_h + _PAD) + _PAD,
                      columns * (cell_w + _PAD) + _PAD, 3), 255, np.uint8)

    settings = replace(settings or ImageSettings(), target_size=target,
                       fill_mode=config.fill_mode, cval=config.cval,
                       order=config.interpolation_order)
    scaling = preview_scaling(generator, feature_stats)
    display = _display_range(params_all)
    values: list[np.ndarray] = []
    originals: list[np.ndarray] = []
    drawn: list[dict[str, Any] | None] = []
    labels: list[str] = []
    ranges: list[tuple[float, float]] = []
    # Draws use the shape the iterator passes to get_random_transform.
    shape = (target[0], target[1], settings.channels)
    for tile in range(count):
        sample = images[focus % len(images)] if mode == "one_image" else images[tile % len(images)]
        params = None
        if augment and not config.is_identity:
            params = sample_transform(config, shape, np.random.RandomState(seed + draw * 1000 + tile))
        x = process_image(sample.pixels, params, settings, scaling)  # what fit gets
        ranges.append((float(x.min()), float(x.max())))
        values.append(x)
        drawn.append(params)
        if show_original:
            originals.append(_for_display(process_image(sample.pixels, None, settings),
                                          (0.0, 255.0)))
        labels.append(f"draw {tile}: {sample.label}" if mode == "one_image" else sample.label)

    if display is None:
        display = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    details: list[str] = []
    for tile, value in enumerate(values):
        row, col = divmod(tile, columns)
        top = _PAD + row * (tile_h + caption_h + _PAD)
        left = _PAD + col * (cell_w + _PAD)
        panes_pixels = ([originals[tile]] if show_original else []) + [
            _for_display(value, display)]
        for pane, image in enumerate(panes_pixels):
            if image.shape[:2] != (tile_h, tile_w):
                interpolation = cv2.INTER_AREA if tile_h < image.shape[0] else cv2.INTER_NEAREST
                image = cv2.resize(image, (tile_w, tile_h), interpolation=interpolation)
            x0 = left + pane * (tile_w + 2)
            canvas[top:top + tile_h, x0:x0 + tile_w] = image.reshape(tile_h, tile_w, 3)
        label = labels[tile] + ("  (original | augmented)" if show_original else "")
        lines = _caption(label, drawn[tile], ranges[tile], show_params, cell_w - 2)
        for i, line in enumerate(lines):
            y = top + tile_h + 2 + i * atlas.line_height
            text, _tab, right = line.partition("\t")
            atlas.draw(canvas, left + 1, y, text, (20, 20, 20) if i == 0 else (75, 75, 75))
            if right:
                atlas.draw(canvas, left + cell_w - 1 - atlas.width(right), y, right, (90, 90, 90))
        details.append(_details(tile, labels[tile], drawn[tile], ranges[tile]))
    pil = Image.fromarray(canvas)
    return Preview(encode_image(pil, format, quality=quality), format, drawn, ranges,
                   (canvas.shape[0], canvas.shape[1]), details)
