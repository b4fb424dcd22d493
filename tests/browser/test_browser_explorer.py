"""The augmentation explorer (notebook 02) in JupyterLab, Notebook 7 and Voila, in Chromium.

Run with ``scripts/test_browser`` (or ``pytest tests/browser --browser``).
"""

from __future__ import annotations

import json
import statistics

import pytest

from benchmarks.bench_browser_latency import FrameLog, kernel_busy_ms, latency_table
from tests.browser import harness, layout, panels

pytestmark = pytest.mark.browser

MOVES_FOR_LATENCY = 20


def check_rendered(page, panel) -> None:
    """The panel is really there (pitfall 6) and no widget failed or is still loading."""
    panel.wait_for(state="visible", timeout=harness.WIDGET_TIMEOUT_MS)
    assert panel.locator(".widget-slider").count() > 0
    harness.check_widgets_rendered(page)


def type_into_readout(panel, key: str) -> None:
    """Moves the rotation slider one degree by typing into its readout (keyboard only).

    For Notebook 7, whose shortcuts listen in the capture phase: ArrowRight/ArrowLeft on a
    focused slider handle run ``notebook:move-cursor-heading-*`` instead of moving the slider.
    The readout is editable text, which those shortcuts leave alone.
    """
    readout = panels.rotation_readout(panel)
    value = float(readout.inner_text().strip()) + (1 if key == "ArrowRight" else -1)
    readout.click()
    panel.page.keyboard.press("Control+a")
    panel.page.keyboard.type(f"{value:g}")
    panel.page.keyboard.press("Enter")


def check_slider_reaches_final_state(page, panel, *, lab: bool = True, move=None) -> None:
    """Keyboard moves end with the preview of the final slider value, not an earlier one.

    ``move(key)`` performs one ArrowRight/ArrowLeft move; by default the key is pressed on
    the focused slider handle.

    Two single steps right record the reference pictures for values ``v1`` and ``v2``. A
    burst ``v3, v4, v3, v2, v1`` follows, so ``v1``'s picture can only come back with the
    last move: the preview must reach exactly those bytes (pitfall 4) and keep them once the
    kernel is idle (``lab``: the JupyterLab status bar tells when; Voila has none).
    """
    handle = panels.rotation_handle(panel)
    readout = panels.rotation_readout(panel)
    image = panels.preview_image(panel)
    harness.watch_image(image)
    handle.focus()
    move = move or page.keyboard.press

    def step(key: str) -> tuple[str, str]:
        value = readout.inner_text().strip()
        seen = len(harness.image_sources(image))
        move(key)
        harness.wait_for_new_src(image, seen=seen)
        if lab:
            harness.wait_kernel_idle(page)
        new_value = readout.inner_text().strip()
        assert new_value != value, f"{key} did not move the rotation slider from {value}"
        return new_value, panels.image_digest(image)

    start_digest = panels.image_digest(image)
    value_1, digest_1 = step("ArrowRight")
    value_2, digest_2 = step("ArrowRight")
    assert len({start_digest, digest_1, digest_2}) == 3, "rotation did not change the preview"

    for key in ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowLeft"]:
        move(key)
    assert readout.inner_text().strip() == value_1
    panels.wait_for_image_digest(image, digest_1, timeout_ms=harness.WIDGET_TIMEOUT_MS)
    if lab:
        harness.wait_kernel_idle(page)
    assert readout.inner_text().strip() == value_1
    assert panels.image_digest(image) == digest_1, "a stale preview replaced the final one"


def check_new_draw(panel) -> None:
    image = panels.preview_image(panel)
    before = panels.image_digest(image)
    seen = len(harness.image_sources(image))
    panels.button(panel, "new draw").click()
    harness.wait_for_new_src(image, seen=seen)
    harness.wait_kernel_idle(panel.page)
    assert panels.image_digest(image) != before, '"new draw" did not change the preview'


def test_explorer_in_jupyterlab(page, lab_notebook, summary):
    frames = FrameLog(page)  # the kernel's own stamps give its busy time per move
    page = lab_notebook(panels.EXPLORER_NOTEBOOK)
    harness.open_file_browser(page)  # as a student sees it: the left sidebar open
    harness.run_all_cells(page)
    panel = panels.explorer_panel(page)
    check_rendered(page, panel)
    fits = layout.check_fits_at_widths(page, panel, "explorer-jupyterlab", explorer=True)
    summary.extend(layout.fit_lines("explorer in JupyterLab, file browser open", fits))
    in_view = layout.check_slider_and_preview_in_view(page, panel, "explorer-jupyterlab")
    summary.extend(layout.in_view_lines("explorer in JupyterLab, file browser open", in_view))
    harness.set_width(page, harness.WIDTHS[-1])

    check_slider_reaches_final_state(page, panel)
    check_new_draw(panel)
    harness.screenshot(panel, "explorer-jupyterlab-new-draw")

    frames.frames.clear()
    latencies = harness.measure_slider_latency(
        page,
        panels.rotation_handle(panel),
        panels.preview_image(panel),
        moves=MOVES_FOR_LATENCY,
    )
    harness.SCREENSHOT_DIR.parent.mkdir(parents=True, exist_ok=True)
    (harness.SCREENSHOT_DIR.parent / "browser-latency.json").write_text(
        json.dumps({"median_ms": statistics.median(latencies), "latencies_ms": latencies})
    )
    kernel_ms = kernel_busy_ms(frames.frames)[-MOVES_FOR_LATENCY:]
    summary.append("explorer in JupyterLab: rotation-slider keypress -> new preview pixels")
    summary.extend(latency_table(latencies, kernel_ms=kernel_ms).splitlines())

    widget_errors = page.console.widget_errors()
    assert not widget_errors, f"widget errors in the browser console: {widget_errors}"


def test_explorer_in_notebook7(notebook7_notebook):
    page = notebook7_notebook(panels.EXPLORER_NOTEBOOK)
    assert "/notebooks/" in page.url and "/lab/" not in page.url
    harness.run_all_cells(page)
    panel = panels.explorer_panel(page)
    check_rendered(page, panel)
    harness.screenshot(panel, "explorer-notebook7")

    check_slider_reaches_final_state(page, panel, move=lambda key: type_into_readout(panel, key))
    harness.screenshot(panel, "explorer-notebook7-rotated")

    widget_errors = page.console.widget_errors()
    assert not widget_errors, f"widget errors in the browser console: {widget_errors}"


def test_explorer_in_voila(page, jupyter_env, summary):
    name = jupyter_env.copy_notebook(panels.EXPLORER_NOTEBOOK, stem="voila-explorer")
    with harness.start_voila(jupyter_env, name) as voila:
        page.goto(voila.url, wait_until="domcontentloaded")
        panel = panels.explorer_panel(page)
        panel.wait_for(state="visible", timeout=harness.RUN_ALL_TIMEOUT_MS)
        assert panel.locator(".widget-slider").count() > 0
        harness.check_widgets_rendered(page)
        fits = layout.check_fits_at_widths(page, panel, "explorer-voila", explorer=True)
        summary.extend(layout.fit_lines("explorer in Voila", fits))
        in_view = layout.check_slider_and_preview_in_view(page, panel, "explorer-voila")
        summary.extend(layout.in_view_lines("explorer in Voila", in_view))

        check_slider_reaches_final_state(page, panel, lab=False)

        widget_errors = page.console.widget_errors()
        assert not widget_errors, f"widget errors in the browser console: {widget_errors}"
