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
from tests.browser import harness, panels

MIN_CAPTION_CSS_PX = 11.0
# Below this output width the explorer's preview must sit under its controls.
WRAP_BELOW_PX = 1040


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
