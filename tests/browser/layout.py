"""Layout checks shared by the browser tests: at each width, every widget output fits.

``check_fits_at_widths(page, panel, name)`` resizes the viewport to each of
``harness.WIDTHS``, asserts from element boxes that no widget output sticks out of its
output area or cuts a button's or label's text, that the explorer's captions are drawn at
least ``MIN_CAPTION_CSS_PX`` high, and saves an element screenshot per width as
``artifacts/screenshots/<name>-<width>.png``.

Example:
    >>> check_fits_at_widths(page, panels.explorer_panel(page), "explorer-jupyterlab")  # doctest: +SKIP
"""

from __future__ import annotations

from augwidgets.preview.encoding import CAPTION_PX
from augwidgets.widgets.explorer.layout import BESIDE_FROM_PX
from tests.browser import harness, panels

MIN_CAPTION_CSS_PX = 11.0
# Below this output width the explorer's preview must sit under its controls; from a little
# above it (the output area's padding), beside them.
WRAP_BELOW_PX = BESIDE_FROM_PX
BESIDE_ABOVE_PX = BESIDE_FROM_PX + 40
# Laptop screens at which the slider being moved and the preview must be in view together.
SCREENS = ((1280, 800), (1440, 900))


def check_fits_at_widths(page, panel, name: str, *, explorer: bool = False,
                         widths: tuple[int, ...] = harness.WIDTHS) -> dict[int, dict]:
    """Asserts the page's widget outputs fit at each width; returns what was measured."""
    measured: dict[int, dict] = {}
    for width in widths:
        harness.set_width(page, width)
        problems = [f"output {index}: {line}"
                    for index, output in enumerate(panels.widget_outputs(page))
                    for line in panels.overflow_problems(output)]
        assert not problems, f"{name} at {width} px does not fit:\n" + "\n".join(problems[:20])
        area = panels.output_area_width(panel)
        entry: dict = {"output_width": area}
        if explorer:
            image = panels.preview_image(panel)
            image.evaluate("(img) => img.decode()")
            scale = panels.displayed_scale(image)
            entry.update(caption_css_px=CAPTION_PX * scale,
                         beside=panels.controls_beside_preview(panel))
            assert CAPTION_PX * scale >= MIN_CAPTION_CSS_PX, (
                f"{name} at {width} px: captions drawn {CAPTION_PX * scale:.1f} CSS px high "
                f"(image shown at {scale:.2f}x), below {MIN_CAPTION_CSS_PX}")
            if area < WRAP_BELOW_PX:
                assert not entry["beside"], (
                    f"{name} at {width} px: a {area:.0f} px output keeps the preview beside "
                    "the controls instead of under them")
            elif area >= BESIDE_ABOVE_PX:
                assert entry["beside"], (
                    f"{name} at {width} px: a {area:.0f} px output puts the preview under "
                    "the controls instead of beside them")
        harness.screenshot(panel, f"{name}-{width}")
        measured[width] = entry
    return measured


def fit_lines(where: str, measured: dict[int, dict]) -> list[str]:
    """One summary line per width: the output area's width and what was measured there."""
    lines = []
    for width, entry in measured.items():
        text = f"{where} at {width} px: output {entry['output_width']:.0f} px, fits"
        if "caption_css_px" in entry:
            text += (f", captions {entry['caption_css_px']:.1f} CSS px, preview "
                     f"{'beside' if entry['beside'] else 'under'} the controls")
        lines.append(text)
    return lines


# Scrolls the page (or the notebook's scrolling panel) so the top of the rotation slider or
# of the preview, whichever is higher, is at the top of the view; then returns the view and
# both elements' boxes, and how large the preview is drawn.
_IN_VIEW_JS = """
([slider, img]) => new Promise((resolve) => {
  const scrollable = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node).overflowY;
      if ((style === 'auto' || style === 'scroll') && node.scrollHeight > node.clientHeight)
        return node;
    }
    return document.scrollingElement;
  };
  const scroller = scrollable(img);
  const viewOf = () => {
    const r = scroller === document.scrollingElement
      ? {top: 0, bottom: innerHeight} : scroller.getBoundingClientRect();
    return {top: Math.max(r.top, 0), bottom: Math.min(r.bottom, innerHeight)};
  };
  const top = Math.min(slider.getBoundingClientRect().top, img.getBoundingClientRect().top);
  scroller.scrollTop += top - viewOf().top - 4;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const box = (el) => { const r = el.getBoundingClientRect();
                          return {top: r.top, bottom: r.bottom}; };
    const scale = Math.min(img.clientWidth / img.naturalWidth,
                           img.clientHeight / img.naturalHeight);
    resolve({view: viewOf(), slider: box(slider), image: box(img), scale});
  }));
})
"""


def check_slider_and_preview_in_view(page, panel, name: str,
                                     screens: tuple[tuple[int, int], ...] = SCREENS
                                     ) -> dict[tuple[int, int], dict]:
    """Asserts that at each screen size the rotation slider and the whole preview image fit
    in the view together, with the preview's captions still legible; returns the boxes."""
    slider, image = panels.rotation_slider(panel), panels.preview_image(panel)
    measured = {}
    for width, height in screens:
        harness.set_width(page, width, height)
        image.evaluate("(img) => img.decode()")
        entry = page.evaluate(_IN_VIEW_JS, [slider.element_handle(), image.element_handle()])
        view = entry["view"]
        for what in ("slider", "image"):
            box = entry[what]
            assert view["top"] - 1 <= box["top"] and box["bottom"] <= view["bottom"] + 1, (
                f"{name} at {width}x{height}: the {what} spans {box['top']:.0f}..."
                f"{box['bottom']:.0f} px, outside the view {view['top']:.0f}..."
                f"{view['bottom']:.0f} px")
        assert CAPTION_PX * entry["scale"] >= MIN_CAPTION_CSS_PX, (
            f"{name} at {width}x{height}: captions drawn {CAPTION_PX * entry['scale']:.1f} "
            f"CSS px high, below {MIN_CAPTION_CSS_PX}")
        harness.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)  # the view, as a student sees it
        page.screenshot(path=str(harness.SCREENSHOT_DIR / f"{name}-{width}x{height}.png"))
        measured[(width, height)] = entry
    return measured


def in_view_lines(where: str, measured: dict[tuple[int, int], dict]) -> list[str]:
    """One summary line per screen: the view, and the span of the slider and the preview."""
    lines = []
    for (width, height), entry in measured.items():
        top = min(entry["slider"]["top"], entry["image"]["top"])
        bottom = max(entry["slider"]["bottom"], entry["image"]["bottom"])
        lines.append(f"{where} at {width}x{height}: rotation slider and preview span "
                     f"{bottom - top:.0f} px of a {entry['view']['bottom'] - entry['view']['top']:.0f}"
                     f" px view, captions {CAPTION_PX * entry['scale']:.1f} CSS px")
    return lines
