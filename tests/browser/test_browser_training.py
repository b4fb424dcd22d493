"""The training panel (notebook 03) in JupyterLab, in Chromium: start, live plot, stop.

Run with ``scripts/test_browser`` (or ``pytest tests/browser --browser``).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import harness, panels

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT_MS = 120_000
STOPPED = re.compile(r"stop", re.I)


def test_training_panel_in_jupyterlab(lab_notebook):
    page = lab_notebook(panels.TRAINING_NOTEBOOK)
    harness.run_all_cells(page)
    panel = panels.training_panel(page)
    panel.wait_for(state="visible", timeout=harness.WIDGET_TIMEOUT_MS)
    harness.check_widgets_rendered(page)
    start = panels.button(panel, "start")
    stop = panels.button(panel, "stop")
    assert start.is_visible() and stop.is_visible()
    harness.screenshot(panel, "training-jupyterlab-ready")

    plot = panels.plot_image(panel)
    harness.watch_image(plot)
    start.click()
    # The live plot is redrawn at least twice while training runs.
    harness.wait_for_new_src(plot, seen=1, timeout_ms=TRAINING_TIMEOUT_MS)
    harness.wait_for_new_src(plot, seen=2, timeout_ms=TRAINING_TIMEOUT_MS)
    harness.screenshot(panel, "training-jupyterlab-running")

    stop.click()
    status = panel.locator(".widget-html").filter(has_text=STOPPED).first
    status.wait_for(state="visible", timeout=TRAINING_TIMEOUT_MS)
    harness.wait_kernel_idle(page)

    # It keeps its curves: the plot still shows the last picture drawn during training.
    curves = harness.image_sources(plot)[-1]
    assert plot.get_attribute("src") == curves
    assert plot.evaluate("(img) => img.complete && img.naturalWidth > 0")
    harness.screenshot(panel, "training-jupyterlab-stopped")

    widget_errors = page.console.widget_errors()
    assert not widget_errors, f"widget errors in the browser console: {widget_errors}"
