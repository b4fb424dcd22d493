"""The training panel (notebook 03) in JupyterLab, in Chromium: start, live plot, stop.

Run with ``scripts/test_browser`` (or ``pytest tests/browser --browser``).
"""

from __future__ import annotations

import pytest

from tests.browser import harness, layout, panels

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT_MS = 120_000
# Enough epochs that training is still running when Stop is clicked; Stop ends it early.
EPOCHS = 50


def wait_for_state(panel, state: str, timeout_ms: int = TRAINING_TIMEOUT_MS) -> None:
    """Waits until the status HTML's bold state word reads ``state``."""
    panel.page.wait_for_function(
        "([el, state]) => (el.querySelector('.widget-html b')?.textContent || '').trim() === state",
        arg=[panel.element_handle(), state],
        timeout=timeout_ms,
    )


def test_training_panel_in_jupyterlab(lab_notebook, summary):
    page = lab_notebook(panels.TRAINING_NOTEBOOK)
    harness.open_file_browser(page)
    harness.run_all_cells(page)
    panel = panels.training_panel(page)
    panel.wait_for(state="visible", timeout=harness.WIDGET_TIMEOUT_MS)
    harness.check_widgets_rendered(page)
    start = panels.button(panel, "start")
    stop = panels.button(panel, "stop")
    assert start.is_enabled() and stop.is_disabled()
    plot = panels.plot_image(panel)
    plot.wait_for(state="visible")
    harness.screenshot(panel, "training-jupyterlab-ready")

    epochs = panels.labelled_input(panel, "epochs")
    epochs.fill(str(EPOCHS))
    epochs.press("Enter")
    harness.watch_image(plot)
    before_start = panels.image_digest(plot)
    start.click()
    wait_for_state(panel, "running")
    # The live plot is redrawn at least twice while training runs.
    harness.wait_for_new_src(plot, seen=1, timeout_ms=TRAINING_TIMEOUT_MS)
    harness.wait_for_new_src(plot, seen=2, timeout_ms=TRAINING_TIMEOUT_MS)
    assert panels.status_state(panel) == "running"
    harness.screenshot(panel, "training-jupyterlab-running")

    stop.click()
    wait_for_state(panel, "stopped")
    harness.wait_kernel_idle(page)
    assert start.is_enabled() and stop.is_disabled()
    # It keeps its curves: the plot shows the last picture drawn, not the one from before Start.
    # When a run ends the panel re-sends its output with the final static picture (for saved
    # notebooks), which may render the view afresh: the new <img> is then unwatched and shows
    # the model's final value.
    if plot.evaluate("(img) => img.__augwidgetsWatch !== undefined"):
        assert plot.get_attribute("src") == harness.image_sources(plot)[-1]
    assert panels.image_digest(plot) != before_start
    assert plot.evaluate("(img) => img.complete && img.naturalWidth > 0")
    harness.screenshot(panel, "training-jupyterlab")
    # The stopped panel with its curves, and every other widget output of the notebook.
    fits = layout.check_fits_at_widths(page, panel, "training-jupyterlab")
    summary.extend(layout.fit_lines("training notebook in JupyterLab, file browser open", fits))

    widget_errors = page.console.widget_errors()
    assert not widget_errors, f"widget errors in the browser console: {widget_errors}"
