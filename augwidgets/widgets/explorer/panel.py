"""The augmentation explorer: move a slider, see your own images re-augmented at once.

``AugmentationPanel`` is a thin ipywidgets view over an ``AugmentationSettings`` traitlets
model. One control per pixel-changing generator argument (from ``PIXEL_PARAMETERS``)
writes into the model; the model drives the preview (``render_preview``, a pure function
of settings, images and seed), the validation view, live ``diagnose`` findings, the code
export and the share string. Everything runs on the kernel's one thread: an update
renders synchronously, updates made inside ``hold_updates()`` (or by setting
``generator_kwargs``) collapse into one render of the final state, and an unchanged state
is never rendered twice, so the last value always wins.

Layout: the controls and the preview are two items of a wrapping flex row (about 400 and
640 px wide at their basis), so below about 1100 px of output the preview moves under the
controls; nothing has a fixed width that adds up past the cell, and the preview image is
shown at its natural size where it fits, so its 14 px captions stay legible. A slider move
sends the browser only what is visible: the Code and Share tabs and the "every value
drawn" list are written while they are open (and when they are opened).

Example:
    >>> panel = AugmentationPanel("data/train", rotation_range=20)  # doctest: +SKIP
    >>> panel.controls["rotation_range"].value = 30  # doctest: +SKIP
    >>> panel.generator_kwargs  # doctest: +SKIP
    {'rotation_range': 30.0}
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import time
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

import ipywidgets as widgets
import numpy as np

from augwidgets.engine.arguments import PIXEL_PARAMETERS, SCALING_ARGUMENTS
from augwidgets.image.pipeline import ImageSettings
from augwidgets.preview.encoding import message_image
from augwidgets.preview.image_source import ImageSource, SampleImage
from augwidgets.preview.render import Preview, feature_statistics, render_preview
from augwidgets.tools.codegen import DIALECTS, generator_code, number_literal, python_arguments
from augwidgets.tools.diagnose import Finding, diagnose
from augwidgets.tools.sharing import from_share_string, to_json, to_share_string
from augwidgets.tools.strength import BASE_STRENGTH, check_strength, with_strength
from augwidgets.widgets.settings import AugmentationSettings

GROUPS = ("geometry", "colour", "flips", "fill", "scaling")
_SHIFTS = ("width_shift_range", "height_shift_range")
_SCALING = SCALING_ARGUMENTS
_RESCALE_CHOICES = ("None", "1/255", "1/127.5", "1")
# the Code tab's buttons, one per codegen dialect
_DIALECT_LABELS = [("Python", "python"), ("augwidgets", "augwidgets"), ("Keras 3", "keras3"),
                   ("R keras", "r"), ("R keras3", "r-keras3")]
_SEVERITY_COLOURS = {"error": "#b00020", "warning": "#b35c00", "info": "#1f5f99"}
_VALIDATION_NOTE = (
    "<b>Validation images are never augmented.</b> The validation generator only applies "
    "the same scaling ({call}). Validation measures how the model does on images as they "
    "really are: random rotations or flips there would make the score change from epoch to "
    "epoch for no reason, and would not be comparable between models."
)


_DESCRIPTION_WIDTH = "150px"  # fits the longest slider name, height_shift_range


def _wrapping_row(gap: str = "4px 8px", align_items: str = "center") -> widgets.Layout:
    """A flex row that wraps its children onto new lines instead of overflowing."""
    return widgets.Layout(display="flex", flex_flow="row wrap", align_items=align_items,
                          grid_gap=gap, width="100%", min_width="0")


def control_layout() -> widgets.Layout:
    """The layout of a generator control: it shrinks with the output area (down to 250 px)
    instead of pushing the panel past it. Give an added slider this layout."""
    return widgets.Layout(width="auto", flex="1 1 320px", min_width="250px", max_width="400px")


def _button_layout() -> widgets.Layout:
    """A button as wide as its icon and label (the 148 px default truncates or wastes room)."""
    return widgets.Layout(width="auto", min_width="fit-content", flex="0 0 auto")


def _checkbox_layout() -> widgets.Layout:
    return widgets.Layout(width="auto", flex="0 0 auto")


def _readout_format(step: float) -> str:
    if step >= 1:
        return ".0f"
    if step >= 0.1:
        return ".1f"
    return ".2f"


def _parse_rescale(label: str) -> float | None:
    if label == "None":
        return None
    if "/" in label:
        numerator, denominator = label.split("/")
        return float(numerator) / float(denominator)
    return float(label)


def _short_directory(directory: str) -> str:
    parts = PurePath(directory).parts
    if PurePath(directory).is_absolute() and len(parts) > 2:
        return "…/" + "/".join(parts[-2:])
    return directory


class AugmentationPanel(widgets.VBox):
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

    Example:
        >>> panel = AugmentationPanel("data/train", rotation_range=20)  # doctest: +SKIP
        >>> panel.new_draw_button.click()  # doctest: +SKIP
        >>> print(panel.code("keras3"))  # doctest: +SKIP
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
        self._feature_stats: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
        self._keys: dict[str, Any] = {}
        self._hold = 0
        self._busy = False
        self._pending = False
        self._syncing = False
        self.timings: deque[dict[str, float]] = deque(maxlen=200)
        self._load_sample()
        super().__init__(children=self._build(), layout=widgets.Layout(width="100%"))
        for name in PIXEL_PARAMETERS:
            self._show_setting(name)
        self.settings.observe(self._on_setting, names=list(PIXEL_PARAMETERS) + ["extra"])
        self.refresh()

    # ------------------------------------------------------------------ public API
    @property
    def generator_kwargs(self) -> dict[str, Any]:
        """The current ``ImageDataGenerator`` arguments (those that differ from defaults)."""
        return self.settings.generator_kwargs

    @generator_kwargs.setter
    def generator_kwargs(self, kwargs: Mapping[str, Any]) -> None:
        with self.hold_updates():
            self.settings.set_generator_kwargs(kwargs)

    @property
    def strength(self) -> float:
        """The strength slider's value (it sets the geometry; see ``core.strength``)."""
        return float(self.strength_control.value)

    @strength.setter
    def strength(self, value: float) -> None:
        value = check_strength(value)
        self.strength_control.max = max(self.strength_control.max, value)
        self.strength_control.value = value

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return list(self.source.skipped) if self.source is not None else []

    @contextlib.contextmanager
    def hold_updates(self) -> Iterator[None]:
        """Collapse every change made inside into one render of the final state."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
            if self._hold == 0 and self._pending:
                self.refresh()

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

    def refresh(self) -> None:
        """Bring every view up to date with the settings (renders only what changed)."""
        if self._hold or self._busy:
            self._pending = True
            return
        self._busy = True
        try:
            self._pending = True
            while self._pending:
                self._pending = False
                self._update_views()
        finally:
            self._busy = False

    def __repr__(self) -> str:
        parts = [f"directory={_short_directory(self.directory)!r}"]
        parts.append(f"error={self.error.split('.')[0]!r}" if self.error
                     else f"{len(self.source)} images")
        arguments = python_arguments(self.generator_kwargs)
        if arguments:
            parts.append(arguments)
        return f"AugmentationPanel({', '.join(parts)})"

    # ------------------------------------------------------------------ building
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

    def _make_control(self, name: str) -> widgets.Widget:
        spec = PIXEL_PARAMETERS[name]
        # Flexible widths: a control shrinks with the output area instead of pushing the
        # panel past it, and its unit wraps under it when there is no room beside it.
        common = dict(description=name, tooltip=spec.help,
                      style={"description_width": _DESCRIPTION_WIDTH}, layout=control_layout())
        if name == "rescale":
            return widgets.Dropdown(options=list(_RESCALE_CHOICES), value="None", **common)
        if spec.kind == "bool":
            common["layout"] = widgets.Layout(width="auto", flex="1 1 320px", min_width="0")
            return widgets.Checkbox(value=False, indent=False, **common)
        if spec.kind == "choice":
            return widgets.Dropdown(options=list(spec.choices), **common)
        if spec.kind == "range":
            return widgets.FloatRangeSlider(value=(1.0, 1.0), min=spec.minimum, max=spec.maximum,
                                            step=spec.step, continuous_update=True,
                                            readout_format=_readout_format(spec.step), **common)
        return widgets.FloatSlider(value=0.0, min=spec.minimum, max=spec.maximum,
                                   step=spec.step, continuous_update=True,
                                   readout_format=_readout_format(spec.step), **common)

    def add_control_row(self, group: str, *row: widgets.Widget) -> widgets.Box:
        """Appends a row of widgets to a control group (``GROUPS``), laid out like the
        generator controls: it wraps instead of widening the panel. Returns the row.

        Example:
            >>> slider = widgets.FloatSlider(description="strength",
            ...                              layout=control_layout())  # doctest: +SKIP
            >>> panel.add_control_row("geometry", slider)  # doctest: +SKIP
        """
        if group not in self.group_boxes:
            raise ValueError(f"`group` must be one of {tuple(self.group_boxes)}. "
                             f"Received: group={group!r}")
        box = widgets.Box(list(row), layout=_wrapping_row())
        self.group_boxes[group].children = (*self.group_boxes[group].children, box)
        return box

    def _make_strength_control(self) -> widgets.Widget:
        """One slider that sets every geometry slider to ``strength_kwargs(s)``: the
        arguments ``augwidgets.sweep`` trains with at strength ``s``."""
        unit = ", ".join(f"{name.split('_')[0]} {value:g}" for name, value in BASE_STRENGTH.items())
        self.strength_control = widgets.FloatSlider(
            value=0.0, min=0.0, max=5.0, step=0.05, continuous_update=True,
            readout_format=".2f", description="strength",
            tooltip=f"scales all geometry sliders together; 1 is {unit}",
            style={"description_width": _DESCRIPTION_WIDTH}, layout=control_layout())
        self.strength_control.observe(self._on_strength, names="value")
        return widgets.Box([self.strength_control, widgets.HTML(
            "<small>moves all geometry sliders (as in <code>sweep</code>)</small>",
            layout=widgets.Layout(flex="1 1 120px", min_width="0"))], layout=_wrapping_row())

    def _on_strength(self, change: dict[str, Any]) -> None:
        self.generator_kwargs = with_strength(self.generator_kwargs, change["new"])

    def _build(self) -> list[widgets.Widget]:
        self.controls: dict[str, widgets.Widget] = {}
        self.units: dict[str, widgets.HTML] = {}
        self.group_boxes: dict[str, widgets.VBox] = {}
        for group in GROUPS:
            rows = [widgets.HTML(f"<b>{group}</b>")]
            if group == "geometry":
                rows.append(self._make_strength_control())
            for name, spec in PIXEL_PARAMETERS.items():
                if spec.group != group:
                    continue
                control = self._make_control(name)
                control.observe(self._on_control, names="value")
                self.controls[name] = control
                unit = spec.unit if spec.name != "zoom_range" else spec.unit + " (>1 zooms out)"
                self.units[name] = widgets.HTML(
                    f"<small>{html.escape(unit)}</small>",
                    layout=widgets.Layout(flex="1 1 120px", min_width="0"))
                rows.append(widgets.Box([control, self.units[name]], layout=_wrapping_row()))
            self.group_boxes[group] = widgets.VBox(rows, layout=widgets.Layout(min_width="0"))
        # Controls and preview sit side by side when the output area has room for both
        # (about 1100 px), else the preview wraps under the controls: no fixed widths add up.
        self.controls_box = widgets.VBox(
            list(self.group_boxes.values()),
            layout=widgets.Layout(flex="1 1 400px", min_width="0", max_width="600px"))
        self.controls_box.add_class("augwidgets-controls")

        self.header = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.new_images_button = widgets.Button(description="New images", icon="images",
                                                tooltip="draw another sample of images",
                                                layout=_button_layout())
        self.new_draw_button = widgets.Button(description="New draw", icon="dice",
                                              tooltip="draw new random transforms",
                                              layout=_button_layout())
        self.new_images_button.on_click(self._on_new_images)
        self.new_draw_button.on_click(self._on_new_draw)
        self.mode = widgets.ToggleButtons(options=[("Grid", "grid"),
                                                   ("One image × N", "one_image")],
                                          value="grid",
                                          tooltips=["one tile per image",
                                                    "one image under different draws"],
                                          style={"button_width": "auto"},
                                          layout=widgets.Layout(width="auto"))
        self.focus = widgets.Dropdown(description="image", options=self._focus_options(),
                                      style={"description_width": "50px"},
                                      layout=widgets.Layout(width="auto", flex="1 1 200px",
                                                            min_width="160px",
                                                            max_width="320px"))
        self.show_original = widgets.Checkbox(description="original", value=False, indent=False,
                                              layout=_checkbox_layout())
        self.show_params = widgets.Checkbox(description="show transform", value=True,
                                            indent=False, layout=_checkbox_layout())
        self.show_validation = widgets.Checkbox(description="validation side by side",
                                                value=True, indent=False,
                                                layout=_checkbox_layout())
        for widget in (self.mode, self.focus, self.show_original, self.show_params,
                       self.show_validation):
            widget.observe(lambda _change: self.refresh(), names="value")
        # No side margins: max-width 100% plus the default 2 px margins would stick out.
        image_layout = dict(max_width="100%", height="auto", object_fit="contain",
                            margin="2px 0")
        self.preview = widgets.Image(format="jpeg", layout=widgets.Layout(**image_layout))
        self.preview.add_class("augwidgets-preview")
        self.validation_preview = widgets.Image(format="jpeg",
                                                layout=widgets.Layout(**image_layout))
        self.validation_preview.add_class("augwidgets-validation-preview")
        # width 0 / min-width 100%: the note wraps to the image's width instead of widening
        # its box to one long line.
        self.validation_note = widgets.HTML(layout=widgets.Layout(width="0", min_width="100%"))
        # Each preview keeps its natural size (so the captions stay >= 11 CSS px) and the
        # validation grid moves under the training grid when both do not fit side by side.
        preview_item = dict(flex="0 1 auto", min_width="0", max_width="100%")
        self.validation_box = widgets.VBox(
            [widgets.HTML("<b>validation generator</b> (scaling only)"), self.validation_note,
             self.validation_preview], layout=widgets.Layout(**preview_item))
        self.details = widgets.HTML()
        self.details_box = widgets.Accordion([self.details], titles=("every value drawn",),
                                             selected_index=None,
                                             layout=widgets.Layout(width="0",
                                                                   min_width="100%"))
        self.details_box.observe(lambda _change: self._update_details(),
                                 names="selected_index")
        training_box = widgets.VBox([widgets.HTML("<b>training generator</b> (augmented)"),
                                     self.preview, self.details_box],
                                    layout=widgets.Layout(**preview_item))
        self.preview_box = widgets.VBox([
            widgets.Box([self.new_images_button, self.new_draw_button, self.mode, self.focus],
                        layout=_wrapping_row()),
            widgets.Box([self.show_original, self.show_params, self.show_validation],
                        layout=_wrapping_row()),
            widgets.Box([training_box, self.validation_box],
                        layout=_wrapping_row(gap="8px 16px", align_items="flex-start")),
        ], layout=widgets.Layout(flex="1 1 640px", min_width="0"))
        self.preview_box.add_class("augwidgets-preview-area")

        self.findings_html = widgets.HTML()
        self.dialect = widgets.ToggleButtons(options=_DIALECT_LABELS, value="python",
                                             style={"button_width": "auto"},
                                             layout=widgets.Layout(width="auto"))
        self.dialect.observe(lambda _change: self._update_code(), names="value")
        self.code_area = widgets.Textarea(layout=widgets.Layout(width="100%", height="320px"))
        self.share_text = widgets.Text(description="share", layout=widgets.Layout(width="100%"))
        self.json_area = widgets.Textarea(layout=widgets.Layout(width="100%", height="140px"))
        self.load_text = widgets.Text(placeholder="paste a share string or JSON, then Load",
                                      layout=widgets.Layout(width="auto", flex="1 1 240px",
                                                            min_width="0"))
        self.load_button = widgets.Button(description="Load", icon="upload",
                                          tooltip="load the pasted settings",
                                          layout=_button_layout())
        self.load_button.on_click(self._on_load)
        self.load_message = widgets.HTML()
        tabs = widgets.Tab(children=[
            self.findings_html,
            widgets.VBox([self.dialect, self.code_area]),
            widgets.VBox([self.share_text, self.json_area,
                          widgets.Box([self.load_text, self.load_button],
                                      layout=_wrapping_row()),
                          self.load_message]),
        ], titles=("Findings", "Code", "Share"))
        self.tabs = tabs
        # The code and share tabs are written only while shown (and when they are opened):
        # a slider move then sends the preview and nothing a student cannot see.
        tabs.observe(lambda _change: self._update_hidden_tabs(), names="selected_index")
        self.body = widgets.Box([self.controls_box, self.preview_box],
                                layout=_wrapping_row(gap="8px 24px", align_items="flex-start"))
        self.body.add_class("augwidgets-explorer-body")
        return [self.header, self.body, tabs]

    def _focus_options(self) -> list[tuple[str, int]]:
        return [(f"{i}: {image.filename}", i) for i, image in enumerate(self.images)] or [("-", 0)]

    # ------------------------------------------------------------------ model <-> controls
    def _show_setting(self, name: str) -> None:
        """Move the control of ``name`` to the model's value (widening its range if needed)."""
        spec = PIXEL_PARAMETERS[name]
        value = getattr(self.settings, name)
        control = self.controls[name]
        self._syncing = True
        try:
            if name in _SHIFTS:
                if isinstance(value, list):
                    control.disabled = True
                    self.units[name].value = (f"<small>list {html.escape(str(value))} (set it "
                                              "with generator_kwargs)</small>")
                    return
                control.disabled = False
                control.max = max(control.max, float(value))
                control.value = float(value)
                unit = "pixels" if value >= 1 else spec.unit
                self.units[name].value = f"<small>{html.escape(unit)}</small>"
            elif name == "rescale":
                label = "None" if value is None else number_literal(value)
                if label not in control.options:
                    control.options = [*control.options, label]
                control.value = label
            elif spec.kind == "range":
                low, high = value
                control.min = min(control.min, low)
                control.max = max(control.max, high)
                control.value = (low, high)
            elif spec.kind == "float":
                control.max = max(control.max, float(value))
                control.value = float(value)
            else:
                control.value = value
        finally:
            self._syncing = False

    def _on_control(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        name = change["owner"].description
        spec = PIXEL_PARAMETERS[name]
        value = change["new"]
        if name == "rescale":
            value = _parse_rescale(value)
        elif spec.kind == "range":
            value = (float(value[0]), float(value[1]))
        elif spec.kind == "float":
            value = float(value)
        setattr(self.settings, name, value)

    def _on_setting(self, change: dict[str, Any]) -> None:
        if change["name"] in PIXEL_PARAMETERS:
            self._show_setting(change["name"])
        self.refresh()

    # ------------------------------------------------------------------ events
    def _on_new_images(self, _button: Any = None) -> None:
        self.sample_round += 1
        self._load_sample()
        with self.hold_updates():
            self._syncing = True
            try:
                self.focus.options = self._focus_options()
                self.focus.value = 0
            finally:
                self._syncing = False
            self.refresh()

    def _on_new_draw(self, _button: Any = None) -> None:
        self.draw += 1
        self.refresh()

    def _on_load(self, _button: Any = None) -> None:
        try:
            self.load(self.load_text.value)
        except (ValueError, TypeError) as error:
            self.load_message.value = (f"<span style='color:#b00020'>Could not load: "
                                       f"{html.escape(str(error))}</span>")
            return
        self.load_message.value = "Loaded."

    # ------------------------------------------------------------------ views
    def _update_views(self) -> None:
        started = time.perf_counter()
        kwargs = self.generator_kwargs
        self._update_header()
        self._update_preview(kwargs)
        rendered = time.perf_counter()
        self._update_validation(kwargs)
        self._update_findings(kwargs)
        self._update_hidden_tabs(kwargs)
        self._record_timing(started, rendered)

    def _record_timing(self, started: float, rendered: float) -> None:
        """Keeps the last updates' kernel-side times (``timings``), and appends them to
        ``$AUGWIDGETS_PANEL_TIMINGS`` when set (the browser latency benchmark reads it)."""
        done = time.perf_counter()
        entry = {"render_count": self.render_count,
                 "preview_ms": round((rendered - started) * 1e3, 3),
                 "update_ms": round((done - started) * 1e3, 3),
                 "preview_bytes": len(self.preview.value or b"")}
        self.timings.append(entry)
        path = os.environ.get("AUGWIDGETS_PANEL_TIMINGS")
        if path:
            with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

    def _update_hidden_tabs(self, kwargs: Mapping[str, Any] | None = None) -> None:
        """Writes the code and share tabs only while one of them is shown."""
        selected = self.tabs.selected_index
        if selected == 1:
            self._update_code()
        elif selected == 2:
            self._update_share(self.generator_kwargs if kwargs is None else kwargs)

    def _update_header(self) -> None:
        title = "<b>Augmentation explorer</b>"
        if self.error:
            self.header.value = (f"{title}<div style='color:#b00020;border:1px solid #b00020;"
                                 f"padding:6px'>{html.escape(self.error)}</div>")
            return
        classes = self.source.class_names
        text = (f"{title}: <code>{html.escape(self.directory)}</code>, {len(self.source)} "
                f"images in {len(classes)} classes ({html.escape(', '.join(classes[:8]))}"
                f"{', …' if len(classes) > 8 else ''})")
        if self.skipped:
            listed = "; ".join(f"{name} ({reason})" for name, reason in self.skipped[:5])
            text += (f"<div style='color:#b35c00'>Skipped {len(self.skipped)} broken file(s): "
                     f"{html.escape(listed)}</div>")
        self.header.value = text

    def _stats(self, kwargs: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
        if not (kwargs.get("featurewise_center") or kwargs.get("featurewise_std_normalization")):
            return None
        key = (self.sample_round, kwargs.get("rescale"))
        if key not in self._feature_stats:
            self._feature_stats = {key: feature_statistics(self.images, kwargs, self.target_size,
                                                            self.image_settings)}
        return self._feature_stats[key]

    def _key(self, kwargs: Mapping[str, Any]) -> tuple:
        return tuple((k, id(v) if callable(v) else repr(v)) for k, v in kwargs.items())

    def _render(self, kwargs: Mapping[str, Any], *, augment: bool) -> bytes:
        try:
            preview = render_preview(
                self.images, kwargs, seed=self.seed, draw=self.draw,
                target_size=self.target_size, columns=self.grid[1],
                mode=self.mode.value if augment else "grid", focus=self.focus.value or 0,
                tiles=self.grid[0] * self.grid[1],
                show_original=self.show_original.value and augment,
                show_params=self.show_params.value and augment, augment=augment,
                feature_stats=self._stats(kwargs), settings=self.image_settings)
        except Exception as error:  # noqa: BLE001 - e.g. a user's preprocessing_function
            return message_image(f"Cannot render the preview: {type(error).__name__}: {error}")
        if augment:
            self.last_preview = preview
            self.render_count += 1
        return preview.value

    def _update_preview(self, kwargs: Mapping[str, Any]) -> None:
        key = (self._key(kwargs), self.draw, self.sample_round, self.mode.value,
               self.focus.value, self.show_original.value, self.show_params.value, self.error)
        if self._keys.get("preview") == key:
            return
        self._keys["preview"] = key
        if self.error:
            self.last_preview = None
            self.preview.value = message_image(self.error)
        else:
            self.preview.value = self._render(kwargs, augment=True)
        self._update_details()

    def _update_details(self) -> None:
        """Every value each tile drew, written only while its section is open."""
        if self.details_box.selected_index != 0:
            return
        preview = self.last_preview
        lines = preview.details if preview is not None and self.show_params.value else []
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        self.details.value = (f"<ol style='margin:0;padding-left:2em;font-size:12px;"
                              f"font-family:monospace'>{items}</ol>" if items else
                              "<i>nothing drawn (no augmentation, or transforms hidden)</i>")

    def _update_validation(self, kwargs: Mapping[str, Any]) -> None:
        scaling = {k: v for k, v in kwargs.items() if k in _SCALING}
        call = f"ImageDataGenerator({python_arguments(scaling)})"
        self.validation_note.value = _VALIDATION_NOTE.format(call=f"<code>{html.escape(call)}</code>")
        self.validation_box.layout.display = None if self.show_validation.value else "none"
        if not self.show_validation.value:
            return
        key = (self._key(scaling), self.sample_round, self.error)
        if self._keys.get("validation") == key:
            return
        self._keys["validation"] = key
        if self.error:
            self.validation_preview.value = message_image(self.error)
            return
        self.validation_preview.value = self._render(scaling, augment=False)

    def _update_findings(self, kwargs: Mapping[str, Any]) -> None:
        self.findings = diagnose(kwargs, directory=None if self.error else self.directory,
                                 batch_size=self.batch_size, target_size=self.target_size)
        if not self.findings:
            self.findings_html.value = "<span style='color:#2e7d32'>No findings: looks sane.</span>"
            return
        items = "".join(
            f"<li><b style='color:{_SEVERITY_COLOURS[f.severity]}'>{f.severity}</b> "
            f"<code>{html.escape(f.parameter)}</code>: {html.escape(f.message)}</li>"
            for f in self.findings)
        self.findings_html.value = f"<ul style='margin:0'>{items}</ul>"

    def _update_code(self) -> None:
        if self.tabs.selected_index == 1 and self.dialect.value in DIALECTS:
            self.code_area.value = self.code(self.dialect.value)

    def _update_share(self, kwargs: Mapping[str, Any]) -> None:
        try:
            self.share_text.value = to_share_string(kwargs)
            self.json_area.value = to_json(kwargs)
        except ValueError as error:
            self.share_text.value = ""
            self.json_area.value = str(error)
