"""The explorer's widget tree: boxes, controls and ``Layout``s, with no behaviour.

``ExplorerLayout`` builds every widget the explorer shows and names it; the panel
(``panel.py``) wires them. Sizes are ``ipywidgets.Layout`` values only (no stylesheet), and
nothing has a fixed width that adds up past the output area.

What a student sees on a laptop (an output area of about 850 px and a notebook view of
about 680 px at 1280x800 with JupyterLab's file browser open):

- the controls in a column of about 400 px, each group behind its own toggle (``Fold``):
  geometry open, colour, flips, fill and scaling folded. ``Fold`` stands in for
  ``Accordion``, which Colab's widget manager breaks;
- the preview beside them from ``BESIDE_FROM_PX`` of output width (under them below it),
  at the top of its column, never taller than the window less the notebook's toolbars, so
  the slider being moved and the grid it changes are in view together;
- the preview's buttons and options under the grid, the Findings, Code and Share tabs under
  both columns.

Examples:
    >>> view = ExplorerLayout(focus_options=[("-", 0)])
    >>> view.group_folds["geometry"].selected_index, view.group_folds["colour"].selected_index
    (0, None)
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import traitlets

from augwidgets.engine.arguments import PIXEL_PARAMETERS, ParameterSpec
from augwidgets.tools.strength import BASE_STRENGTH
from augwidgets.widgets.explorer import html

GROUPS = ("geometry", "colour", "flips", "fill", "scaling")
OPEN_GROUPS = ("geometry",)
RESCALE_CHOICES = ("None", "1/255", "1/127.5", "1")
# the Code tab's buttons, one per codegen dialect
DIALECT_LABELS = [("Python", "python"), ("augwidgets", "augwidgets"), ("Keras 3", "keras3"),
                  ("R keras", "r"), ("R keras3", "r-keras3")]
TAB_TITLES = ("Findings", "Code", "Share")
DESCRIPTION_WIDTH = "150px"  # fits the longest slider name, height_shift_range

# Flex bases of the two columns and the gap between them: the preview sits beside the
# controls from BESIDE_FROM_PX of output width, and under them below it.
CONTROLS_BASIS_PX = 380
PREVIEW_BASIS_PX = 400
COLUMN_GAP_PX = 16
BESIDE_FROM_PX = CONTROLS_BASIS_PX + COLUMN_GAP_PX + PREVIEW_BASIS_PX
# The preview is never taller than the window less this: JupyterLab's menu, tab bar,
# notebook toolbar and status bar (about 120 px) and the preview's title line. Then the grid
# and the slider above it fit in the notebook's view. Never below 320 px.
PREVIEW_MAX_HEIGHT = "max(320px, calc(100vh - 190px))"


def wrapping_row(gap: str = "4px 8px", align_items: str = "center") -> widgets.Layout:
    """A flex row that wraps its children onto new lines instead of overflowing."""
    return widgets.Layout(display="flex", flex_flow="row wrap", align_items=align_items,
                          grid_gap=gap, width="100%", min_width="0")


def control_layout() -> widgets.Layout:
    """The layout of a generator control: it shrinks with its column (down to 250 px)
    instead of pushing the panel past it. Give an added slider this layout."""
    return widgets.Layout(width="auto", flex="1 1 300px", min_width="250px", max_width="400px")


def button_layout() -> widgets.Layout:
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


def make_control(spec: ParameterSpec) -> widgets.Widget:
    """The control of one generator argument, described by its name, with its help as tooltip."""
    common = dict(description=spec.name, tooltip=spec.help,
                  style={"description_width": DESCRIPTION_WIDTH}, layout=control_layout())
    if spec.name == "rescale":
        return widgets.Dropdown(options=list(RESCALE_CHOICES), value="None", **common)
    if spec.kind == "bool":
        common["layout"] = widgets.Layout(width="auto", flex="1 1 300px", min_width="0")
        return widgets.Checkbox(value=False, indent=False, **common)
    if spec.kind == "choice":
        return widgets.Dropdown(options=list(spec.choices), **common)
    if spec.kind == "range":
        return widgets.FloatRangeSlider(value=(1.0, 1.0), min=spec.minimum, max=spec.maximum,
                                        step=spec.step, continuous_update=True,
                                        readout_format=_readout_format(spec.step), **common)
    return widgets.FloatSlider(value=0.0, min=spec.minimum, max=spec.maximum, step=spec.step,
                               continuous_update=True,
                               readout_format=_readout_format(spec.step), **common)


def unit_text(spec: ParameterSpec) -> str:
    return spec.unit + (" (>1 zooms out)" if spec.name == "zoom_range" else "")


class Fold(widgets.VBox):
    """A section behind a toggle button: open, it shows ``content``; folded, only the title.

    ``selected_index`` reads and sets it as ``Accordion``'s does (``0`` open, ``None``
    folded), so code written for an accordion keeps working.
    """

    selected_index = traitlets.Int(None, allow_none=True, help="0 when open, None when folded")

    def __init__(self, title: str, content: widgets.Widget, *, open: bool = False,
                 tooltip: str = ""):
        self.toggle = widgets.ToggleButton(
            value=open, description=title, tooltip=tooltip or f"show or hide {title}",
            layout=widgets.Layout(width="auto", min_width="fit-content", margin="2px 0"))
        self.content = content
        super().__init__([self.toggle, content], layout=widgets.Layout(min_width="0"))
        traitlets.link((self.toggle, "value"), (self, "selected_index"),
                       transform=(lambda shown: 0 if shown else None, lambda index: index == 0))
        traitlets.dlink((self.toggle, "value"), (content.layout, "display"),
                        transform=lambda shown: None if shown else "none")
        traitlets.dlink((self.toggle, "value"), (self.toggle, "icon"),
                        transform=lambda shown: "caret-down" if shown else "caret-right")


class ExplorerLayout(widgets.VBox):
    """Every widget of the explorer, laid out; ``AugmentationPanel`` adds the behaviour."""

    def __init__(self, focus_options: Sequence[tuple[str, int]]):
        self._build_controls()
        self._build_preview(focus_options)
        self._build_tabs()
        self.header = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.body = widgets.Box(
            [self.controls_box, self.preview_box],
            layout=wrapping_row(gap=f"8px {COLUMN_GAP_PX}px", align_items="flex-start"))
        self.body.add_class("augwidgets-explorer-body")
        super().__init__([self.header, self.body, self.tabs],
                         layout=widgets.Layout(width="100%"))

    def _build_controls(self) -> None:
        self.controls: dict[str, widgets.Widget] = {}
        self.units: dict[str, widgets.HTML] = {}
        self.group_boxes: dict[str, widgets.VBox] = {}
        self.group_folds: dict[str, Fold] = {}
        for group in GROUPS:
            rows: list[widgets.Widget] = []
            if group == "geometry":
                rows.append(self._strength_row())
            for name, spec in PIXEL_PARAMETERS.items():
                if spec.group != group:
                    continue
                self.controls[name] = make_control(spec)
                self.units[name] = widgets.HTML(
                    html.unit(unit_text(spec)),
                    layout=widgets.Layout(flex="1 1 60px", min_width="0"))
                rows.append(widgets.Box([self.controls[name], self.units[name]],
                                        layout=wrapping_row()))
            self.group_boxes[group] = widgets.VBox(rows, layout=widgets.Layout(min_width="0"))
            self.group_folds[group] = Fold(group, self.group_boxes[group],
                                           open=group in OPEN_GROUPS)
        self.controls_box = widgets.VBox(
            list(self.group_folds.values()),
            layout=widgets.Layout(flex=f"1 1 {CONTROLS_BASIS_PX}px", min_width="0",
                                  max_width="480px"))
        self.controls_box.add_class("augwidgets-controls")

    def _strength_row(self) -> widgets.Box:
        unit = ", ".join(f"{name.split('_')[0]} {value:g}" for name, value in BASE_STRENGTH.items())
        self.strength_control = widgets.FloatSlider(
            value=0.0, min=0.0, max=5.0, step=0.05, continuous_update=True,
            readout_format=".2f", description="strength",
            tooltip=f"scales all geometry sliders together; 1 is {unit}",
            style={"description_width": DESCRIPTION_WIDTH}, layout=control_layout())
        return widgets.Box([self.strength_control, widgets.HTML(
            html.STRENGTH_NOTE, layout=widgets.Layout(flex="1 1 60px", min_width="0"))],
            layout=wrapping_row())

    def _build_preview(self, focus_options: Sequence[tuple[str, int]]) -> None:
        self.new_images_button = widgets.Button(description="New images", icon="images",
                                                tooltip="draw another sample of images",
                                                layout=button_layout())
        self.new_draw_button = widgets.Button(description="New draw", icon="dice",
                                              tooltip="draw new random transforms",
                                              layout=button_layout())
        self.mode = widgets.ToggleButtons(options=[("Grid", "grid"),
                                                   ("One image × N", "one_image")],
                                          value="grid",
                                          tooltips=["one tile per image",
                                                    "one image under different draws"],
                                          style={"button_width": "auto"},
                                          layout=widgets.Layout(width="auto"))
        self.focus = widgets.Dropdown(description="image", options=list(focus_options),
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
        # Natural size where it fits (captions stay legible), never wider than the column
        # nor taller than the view; flex-start keeps the aspect ratio instead of stretching.
        image_layout = dict(max_width="100%", max_height=PREVIEW_MAX_HEIGHT, height="auto",
                            object_fit="contain", align_self="flex-start", margin="2px 0")
        self.preview = widgets.Image(format="jpeg", layout=widgets.Layout(**image_layout))
        self.preview.add_class("augwidgets-preview")
        self.validation_preview = widgets.Image(format="jpeg",
                                                layout=widgets.Layout(**image_layout))
        self.validation_preview.add_class("augwidgets-validation-preview")
        # width 0 / min-width 100%: the note wraps to the image's width instead of widening
        # its box to one long line.
        self.validation_note = widgets.HTML(layout=widgets.Layout(width="0", min_width="100%",
                                                                  margin="2px 0"))
        item = dict(flex="0 1 auto", min_width="0", max_width="100%")
        self.validation_box = widgets.VBox(
            [widgets.HTML(html.VALIDATION_TITLE), self.validation_note, self.validation_preview],
            layout=widgets.Layout(**item))
        self.details = widgets.HTML()
        self.details_box = Fold("every value drawn", self.details,
                                tooltip="every value each tile drew")
        # The grid first, at the top of its column; its buttons and options right under it.
        training_box = widgets.VBox([
            widgets.HTML(html.TRAINING_TITLE), self.preview,
            widgets.Box([self.new_images_button, self.new_draw_button, self.mode, self.focus],
                        layout=wrapping_row()),
            widgets.Box([self.show_original, self.show_params, self.show_validation],
                        layout=wrapping_row()),
            self.details_box,
        ], layout=widgets.Layout(**item))
        self.preview_box = widgets.VBox([
            widgets.Box([training_box, self.validation_box],
                        layout=wrapping_row(gap="8px 16px", align_items="flex-start")),
        ], layout=widgets.Layout(flex=f"1 1 {PREVIEW_BASIS_PX}px", min_width="0"))
        self.preview_box.add_class("augwidgets-preview-area")

    def _build_tabs(self) -> None:
        self.findings_html = widgets.HTML()
        self.dialect = widgets.ToggleButtons(options=DIALECT_LABELS, value="python",
                                             style={"button_width": "auto"},
                                             layout=widgets.Layout(width="auto"))
        self.code_area = widgets.Textarea(layout=widgets.Layout(width="100%", height="320px"))
        self.share_text = widgets.Text(description="share", layout=widgets.Layout(width="100%"))
        self.json_area = widgets.Textarea(layout=widgets.Layout(width="100%", height="140px"))
        self.load_text = widgets.Text(placeholder="paste a share string or JSON, then Load",
                                      layout=widgets.Layout(width="auto", flex="1 1 240px",
                                                            min_width="0"))
        self.load_button = widgets.Button(description="Load", icon="upload",
                                          tooltip="load the pasted settings",
                                          layout=button_layout())
        self.load_message = widgets.HTML()
        self.tabs = widgets.Tab(children=[
            self.findings_html,
            widgets.VBox([self.dialect, self.code_area]),
            widgets.VBox([self.share_text, self.json_area,
                          widgets.Box([self.load_text, self.load_button], layout=wrapping_row()),
                          self.load_message]),
        ])
        for index, title in enumerate(TAB_TITLES):
            self.tabs.set_title(index, title)

    def add_control_row(self, group: str, *row: widgets.Widget) -> widgets.Box:
        """Appends a row of widgets to a control group (``GROUPS``), laid out like the
        generator controls: it wraps instead of widening the panel. Returns the row.

        Examples:
            >>> view = ExplorerLayout(focus_options=[("-", 0)])
            >>> slider = widgets.FloatSlider(description="blur", layout=control_layout())
            >>> row = view.add_control_row("geometry", slider)
            >>> slider in row.children
            True
        """
        if group not in self.group_boxes:
            raise ValueError(f"`group` must be one of {tuple(self.group_boxes)}. "
                             f"Received: group={group!r}")
        box = widgets.Box(list(row), layout=wrapping_row())
        self.group_boxes[group].children = (*self.group_boxes[group].children, box)
        return box
