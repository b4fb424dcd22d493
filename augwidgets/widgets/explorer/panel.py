"""The augmentation explorer: move a slider, see your own images re-augmented at once.

``AugmentationPanel`` wires the widgets of ``ExplorerLayout`` (``layout.py``) to an
``AugmentationSettings`` traitlets model, in the manner of ipywidgets' ``interactive``:

- each control is ``traitlets.link``-ed to its trait (a transform widens a slider's range
  when a value set from code lies outside it);
- every change, to the settings or to a preview option, calls one update, ``refresh``;
- the update builds a ``GeneratorConfig`` (validated once per settings change) and hands it
  to pure functions: ``PreviewRequest.render`` for the pictures, ``diagnose`` for the
  findings, ``codegen`` and ``sharing`` for the Code and Share tabs, ``html`` for the text.

Updates made inside ``hold_updates()`` (or by setting ``generator_kwargs``) collapse into one
update of the final state, and a request equal to the last one is not rendered again, so the
last value always wins and a burst costs one render.

Examples:
    >>> from augwidgets import datasets
    >>> root = datasets.digits("data/digits")
    >>> panel = AugmentationPanel(root / "train", target_size=(32, 32), rotation_range=20)
    >>> panel.controls["rotation_range"].value = 30
    >>> panel.generator_kwargs
    {'rotation_range': 30.0}
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

import numpy as np
import traitlets

from augwidgets.engine.arguments import PIXEL_PARAMETERS, SCALING_ARGUMENTS
from augwidgets.engine.config import GeneratorConfig
from augwidgets.image.pipeline import ImageSettings
from augwidgets.preview.encoding import message_image
from augwidgets.preview.image_source import ImageSource, SampleImage
from augwidgets.preview.render import Preview, PreviewRequest, feature_statistics
from augwidgets.tools.codegen import DIALECTS, generator_code, python_arguments
from augwidgets.tools.diagnose import diagnose
from augwidgets.tools.findings import Finding
from augwidgets.tools.sharing import from_share_string, to_json, to_share_string
from augwidgets.tools.strength import check_strength, with_strength
from augwidgets.widgets.explorer import html
from augwidgets.widgets.explorer.check_view import add_to_panel
from augwidgets.widgets.explorer.layout import GROUPS, ExplorerLayout, control_layout
from augwidgets.widgets.explorer.sync import SHIFTS, Coalescer, control_transforms, shift_unit
from augwidgets.widgets.settings import AugmentationSettings
from augwidgets.widgets.static import StaticPictureMixin

__all__ = ["AugmentationPanel", "GROUPS", "control_layout"]



class AugmentationPanel(StaticPictureMixin, ExplorerLayout):
    """An ipywidgets explorer for ``ImageDataGenerator`` settings on your own images.

    Args:
        directory: a class-per-folder directory (``directory/<class>/<image>``).
        target_size: ``(height, width)`` the generator resizes images to.
        grid: ``(rows, columns)`` of preview tiles.
        seed: seeds the image sample and every tile's random transform.
        batch_size: used by ``diagnose`` and the exported code.
        **generator_kwargs: initial ``ImageDataGenerator`` arguments (validated).

    Attributes:
        controls: generator argument name -> its control widget.
        preview: ``ipywidgets.Image`` holding the encoded augmented grid.
        validation_preview: ``ipywidgets.Image`` of what the validation generator yields.
        findings: the current ``diagnose`` findings.
        error: a message when the directory cannot be shown, else ``None``.
        skipped: ``(filename, reason)`` for broken image files.
        timings: the last updates' kernel times (``preview_ms``, ``update_ms``).

    Outside a live kernel (GitHub, nbviewer, an HTML export) the panel shows a picture of its
    preview grid, kept beside the widget view in its display bundle.

    Examples:
        >>> from augwidgets import datasets
        >>> root = datasets.digits("data/digits")
        >>> panel = AugmentationPanel(root / "train", target_size=(32, 32), rotation_range=20)
        >>> panel.new_draw_button.click()
        >>> print(panel.code("keras3"))  # doctest: +ELLIPSIS
        import keras
        <BLANKLINE>
        augment = keras.layers.Pipeline([
            keras.layers.RandomRotation(factor=20/360, fill_mode="nearest"),  # ...
        ])
        ...
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        target_size: tuple[int, int] = (224, 224),
        grid: tuple[int, int] = (3, 3),
        seed: int = 0,
        batch_size: int = 32,
        color_mode: str = "rgb",
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        resize: str = "legacy",
        **generator_kwargs: Any,
    ):
        if len(tuple(target_size)) != 2 or min(int(v) for v in target_size) < 1:
            raise ValueError("`target_size` must be (height, width) with positive ints. "
                             f"Received: target_size={target_size!r}")
        if len(tuple(grid)) != 2 or min(int(v) for v in grid) < 1:
            raise ValueError(f"`grid` must be (rows, columns) with ints >= 1. Received: grid={grid!r}")
        self.directory = os.fspath(directory)
        self.target_size = (int(target_size[0]), int(target_size[1]))
        self.grid = (int(grid[0]), int(grid[1]))
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        # How files become images: the iterator's options, so the preview is what fit gets.
        self.image_settings = ImageSettings(target_size=self.target_size, color_mode=color_mode,
                                            interpolation=interpolation,
                                            keep_aspect_ratio=keep_aspect_ratio, resize=resize)
        self.settings = AugmentationSettings()
        self.settings.set_generator_kwargs(generator_kwargs)
        self.error: str | None = None
        self.source: ImageSource | None = None
        self.images: list[SampleImage] = []
        self.findings: list[Finding] = []
        self.last_preview: Preview | None = None
        self.render_count = 0
        self.draw = 0
        self.sample_round = 0
        self.timings: deque[dict[str, float]] = deque(maxlen=200)
        self._config: GeneratorConfig | None = None
        self._kwargs: dict[str, Any] | None = None
        # The last request of each view and what it gave: an equal request is not redone.
        self._render = functools.lru_cache(maxsize=2)(self._render_request)
        self._feature_stats = functools.lru_cache(maxsize=1)(self._compute_feature_stats)
        # What follows from the settings alone, and the config and error it was made for.
        self._derived: tuple[GeneratorConfig, str | None, GeneratorConfig, str] | None = None
        self.refresh = Coalescer(self._update_views)
        self._load_sample()
        super().__init__(focus_options=self._focus_options())
        add_to_panel(self)  # the Check tab and the Code tab's paste box (check_view.py)
        self._wire()
        self.refresh()

    # ------------------------------------------------------------------ public API
    @property
    def generator_kwargs(self) -> dict[str, Any]:
        """The current ``ImageDataGenerator`` arguments (those that differ from defaults)."""
        if self._kwargs is None:
            self._kwargs = self.settings.generator_kwargs
        return dict(self._kwargs)

    @generator_kwargs.setter
    def generator_kwargs(self, kwargs: Mapping[str, Any]) -> None:
        with self.hold_updates():
            self.settings.set_generator_kwargs(kwargs)

    @property
    def config(self) -> GeneratorConfig:
        """The current settings, validated once since they last changed."""
        if self._config is None:
            self._config = GeneratorConfig.from_kwargs(self.generator_kwargs)
        return self._config

    @property
    def strength(self) -> float:
        """The strength slider's value (it sets the geometry; see ``tools.strength``)."""
        return float(self.strength_control.value)

    @strength.setter
    def strength(self, value: float) -> None:
        value = check_strength(value)
        self.strength_control.max = max(self.strength_control.max, value)
        self.strength_control.value = value

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return list(self.source.skipped) if self.source is not None else []

    def hold_updates(self) -> contextlib.AbstractContextManager[None]:
        """Collapse every change made inside into one update of the final state."""
        return self.refresh.hold()

    def code(self, dialect: str = "python", *, engine: str = "keras") -> str:
        """The current settings as code in one of ``codegen.DIALECTS``: ``"python"``,
        ``"augwidgets"``, ``"keras3"``, ``"r"`` (R keras 2.x) or ``"r-keras3"``."""
        return generator_code(self.generator_kwargs, dialect, directory=self.directory,
                              target_size=self.target_size, batch_size=self.batch_size,
                              engine=engine)

    def to_json(self) -> str:
        """The settings as JSON (non-default arguments only)."""
        return to_json(self.generator_kwargs)

    def share_string(self) -> str:
        """A short string holding the settings, for ``load`` or ``from_json``."""
        return to_share_string(self.generator_kwargs)

    def load(self, text: str) -> None:
        """Replace the settings with a share string or JSON (controls move to match)."""
        self.generator_kwargs = from_share_string(text)

    @classmethod
    def from_json(cls, text: str, directory: str | os.PathLike, **panel_kwargs: Any
                  ) -> AugmentationPanel:
        """A panel on ``directory`` with settings from JSON or a share string."""
        return cls(directory, **panel_kwargs, **from_share_string(text))

    def __repr__(self) -> str:
        parts = [f"directory={html.short_directory(self.directory)!r}"]
        parts.append(f"error={self.error.split('.')[0]!r}" if self.error
                     else f"{len(self.source)} images")
        arguments = python_arguments(self.generator_kwargs)
        if arguments:
            parts.append(arguments)
        return f"AugmentationPanel({', '.join(parts)})"

    # ------------------------------------------------------------------ static picture
    def _static_picture(self) -> bytes | None:
        return bytes(self.preview.value) or None

    def _static_text(self) -> str:
        return repr(self)

    # ------------------------------------------------------------------ wiring
    def _wire(self) -> None:
        for name, control in self.controls.items():
            traitlets.link((self.settings, name), (control, "value"),
                           transform=control_transforms(name, control))
            if name in SHIFTS:
                traitlets.dlink((self.settings, name), (control, "disabled"),
                                transform=lambda value: isinstance(value, list))
                traitlets.dlink((self.settings, name), (self.units[name], "value"),
                                transform=functools.partial(shift_unit, name))
        self.settings.observe(self._on_setting, names=[*PIXEL_PARAMETERS, "extra"])
        self.strength_control.observe(self._on_strength, names="value")
        for widget in (self.mode, self.focus, self.show_original, self.show_params,
                       self.show_validation):
            widget.observe(lambda _change: self.refresh(), names="value")
        traitlets.dlink((self.show_validation, "value"), (self.validation_box.layout, "display"),
                        transform=lambda shown: None if shown else "none")
        self.new_images_button.on_click(self._on_new_images)
        self.new_draw_button.on_click(self._on_new_draw)
        self.load_button.on_click(self._on_load)
        self.details_box.observe(lambda _change: self._update_details(), names="selected_index")
        self.dialect.observe(lambda _change: self._update_code(), names="value")
        # The code and share tabs are written only while shown (and when they are opened):
        # a slider move then sends the preview and nothing a student cannot see.
        self.tabs.observe(lambda _change: self._update_hidden_tabs(), names="selected_index")

    def _on_setting(self, _change: dict[str, Any]) -> None:
        self._config = self._kwargs = None
        self.refresh()

    def _on_strength(self, change: dict[str, Any]) -> None:
        self.generator_kwargs = with_strength(self.generator_kwargs, change["new"])

    def _on_new_images(self, _button: Any = None) -> None:
        self.sample_round += 1
        self._load_sample()
        with self.hold_updates():
            self.focus.options = self._focus_options()
            self.focus.value = 0
            self.refresh()

    def _on_new_draw(self, _button: Any = None) -> None:
        self.draw += 1
        self.refresh()

    def _on_load(self, _button: Any = None) -> None:
        try:
            self.load(self.load_text.value)
        except (ValueError, TypeError) as error:
            self.load_message.value = html.load_error(str(error))
            return
        self.load_message.value = html.LOADED

    # ------------------------------------------------------------------ the sample
    def _load_sample(self) -> None:
        try:
            if self.source is None:
                image = self.image_settings
                self.source = ImageSource(self.directory, self.target_size,
                                          color_mode=image.color_mode,
                                          interpolation=image.interpolation,
                                          keep_aspect_ratio=image.keep_aspect_ratio,
                                          resize=image.resize)
            self.images = self.source.sample(self.grid[0] * self.grid[1], seed=self.seed,
                                             round=self.sample_round)
            self.error = None
        except ValueError as error:
            self.error = str(error)
            self.images = []

    def _focus_options(self) -> list[tuple[str, int]]:
        return [(f"{i}: {image.filename}", i) for i, image in enumerate(self.images)] or [("-", 0)]

    # ------------------------------------------------------------------ the one update
    def _update_views(self) -> None:
        started = time.perf_counter()
        self._update_header()
        try:
            config = self.config
        except (TypeError, ValueError) as error:  # e.g. a list shift emptied from code
            self.preview.value = message_image(f"Cannot use these settings: {error}")
            return
        self._update_preview(config)
        rendered = time.perf_counter()
        self._update_settings_views(config)
        self._update_hidden_tabs()
        done = time.perf_counter()
        self.timings.append({"render_count": self.render_count,
                             "preview_ms": round((rendered - started) * 1e3, 3),
                             "update_ms": round((done - started) * 1e3, 3),
                             "preview_bytes": len(self.preview.value or b"")})

    def _request(self, config: GeneratorConfig, *, augment: bool) -> PreviewRequest:
        if not augment:  # the validation view (``config`` scales only): no draw, no options
            return PreviewRequest(config, seed=self.seed,
                                  target_size=self.target_size, columns=self.grid[1],
                                  tiles=self.grid[0] * self.grid[1], show_params=False,
                                  augment=False, sample=self.sample_round)
        return PreviewRequest(config, seed=self.seed, draw=self.draw,
                              target_size=self.target_size, columns=self.grid[1],
                              mode=self.mode.value, focus=self.focus.value or 0,
                              tiles=self.grid[0] * self.grid[1],
                              show_original=self.show_original.value,
                              show_params=self.show_params.value, sample=self.sample_round)

    def _render_request(self, request: PreviewRequest) -> tuple[bytes, Preview | None]:
        """Renders one request (called only for a request unlike the last ones)."""
        if self.error:
            return message_image(self.error), None
        try:
            preview = request.render(self.images, feature_stats=self._stats(request.config),
                                     settings=self.image_settings)
        except Exception as error:  # noqa: BLE001 - e.g. a user's preprocessing_function
            return message_image(f"Cannot render the preview: {type(error).__name__}: "
                                 f"{error}"), None
        if request.augment:
            self.render_count += 1
        return preview.value, preview

    def _stats(self, config: GeneratorConfig) -> tuple[np.ndarray, np.ndarray] | None:
        if not (config.scaling.featurewise_center or config.scaling.featurewise_std_normalization):
            return None
        return self._feature_stats(self.sample_round, config.scaling.rescale)

    def _compute_feature_stats(self, _sample_round: int, rescale: float | None
                               ) -> tuple[np.ndarray, np.ndarray]:
        return feature_statistics(self.images, {"rescale": rescale}, self.target_size,
                                  self.image_settings)

    def _update_header(self) -> None:
        if self.error:
            self.header.value = html.error_header(self.error)
        else:
            self.header.value = html.header(self.directory, self.source.class_names,
                                            len(self.source), self.skipped)

    def _update_preview(self, config: GeneratorConfig) -> None:
        value, preview = self._render(self._request(config, augment=True))
        if value != self.preview.value:
            self.last_preview = preview
            self.preview.value = value
            self._update_details()

    def _update_details(self) -> None:
        """Every value each tile drew, written only while its section is open."""
        if self.details_box.selected_index != 0:
            return
        preview = self.last_preview
        self.details.value = html.details(
            preview.details if preview is not None and self.show_params.value else [])

    def _update_settings_views(self, config: GeneratorConfig) -> None:
        """The validation view and the findings: they change only with the settings (a new
        config), so a new draw or preview option leaves them as they are."""
        if self._derived is None or self._derived[0] is not config \
                or self._derived[1] != self.error:
            kwargs = self.generator_kwargs
            scaling = {k: v for k, v in kwargs.items() if k in SCALING_ARGUMENTS}
            self.findings = diagnose(kwargs, directory=None if self.error else self.directory,
                                     batch_size=self.batch_size, target_size=self.target_size)
            self._derived = (config, self.error, GeneratorConfig.from_kwargs(scaling),
                             html.validation_note(f"ImageDataGenerator({python_arguments(scaling)})"))
            self.findings_html.value = html.findings(self.findings)
        validation, note = self._derived[2:]
        self.validation_note.value = note
        if self.show_validation.value:
            self.validation_preview.value = self._render(
                self._request(validation, augment=False))[0]

    def _update_hidden_tabs(self) -> None:
        """Writes the code and share tabs only while one of them is shown."""
        if self.tabs.selected_index == 1:
            self._update_code()
        elif self.tabs.selected_index == 2:
            self._update_share()

    def _update_code(self) -> None:
        if self.tabs.selected_index == 1 and self.dialect.value in DIALECTS:
            self.code_area.value = self.code(self.dialect.value)

    def _update_share(self) -> None:
        try:
            self.share_text.value = self.share_string()
            self.json_area.value = self.to_json()
        except ValueError as error:
            self.share_text.value = ""
            self.json_area.value = str(error)
