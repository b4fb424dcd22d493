"""Locators and page-side checks for augwidgets' panels as rendered in a browser.

Selectors rely only on what ipywidgets renders (``.widget-vbox``, ``.widget-slider``,
``.noUi-handle``, ``.widget-readout``, buttons by their label, ``img``), so the panels need
no test-only hooks. Shared by the tests and ``benchmarks/bench_browser_latency.py``.

Example:
    >>> panel = explorer_panel(page)                                     # doctest: +SKIP
    >>> handle = rotation_handle(panel)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.harness import REPO_ROOT

NOTEBOOK_DIR = Path(os.environ.get("AUGWIDGETS_BROWSER_NOTEBOOKS", REPO_ROOT / "notebooks"))
EXPLORER_NOTEBOOK = NOTEBOOK_DIR / "02-augmentation-explorer.ipynb"
TRAINING_NOTEBOOK = NOTEBOOK_DIR / "03-train-and-validate.ipynb"

# A rendered panel is a VBox inside an output (JupyterLab and Voila alike).
PANEL = ".jp-OutputArea-output .widget-vbox"


def _outermost_vbox_with_button(page, label: str):
    return page.locator(PANEL).filter(has=_button_locator(page, label)).first


def _button_locator(scope, label: str):
    # By text content: an icon's CSS glyph would be part of the accessible name.
    return scope.locator("button", has_text=re.compile(rf"^\s*{label}\s*$", re.I))


def explorer_panel(page):
    """The AugmentationPanel: the outermost VBox holding a "new draw" button."""
    return _outermost_vbox_with_button(page, "new draw")


def training_panel(page):
    """The TrainingPanel: the outermost VBox holding a "Stop" button."""
    return _outermost_vbox_with_button(page, "stop")


def rotation_slider(panel):
    """The slider whose description mentions rotation."""
    return (
        panel.locator(".widget-slider")
        .filter(has=panel.page.locator(".widget-label", has_text=re.compile("rotation", re.I)))
        .first
    )


def rotation_handle(panel):
    """The rotation slider's noUiSlider handle (focus it, then press arrow keys)."""
    return rotation_slider(panel).locator(".noUi-handle").first


def rotation_readout(panel):
    return rotation_slider(panel).locator(".widget-readout").first


def preview_image(panel):
    """The explorer's augmented preview: ``img.augwidgets-preview`` if the panel tags it,
    else the panel's first image (the training preview precedes the validation one)."""
    return _tagged_or_first_image(panel, "augwidgets-preview")


def plot_image(panel):
    """The training panel's live plot: ``img.augwidgets-live-plot``, else its first image."""
    return _tagged_or_first_image(panel, "augwidgets-live-plot")


def _tagged_or_first_image(panel, css_class: str):
    tagged = panel.locator(f"img.{css_class}")
    return tagged.first if tagged.count() else panel.locator("img.widget-image").first


def labelled_input(panel, label: str):
    """The ``input`` of a text-like widget whose description is ``label``."""
    row = panel.locator(".widget-inline-hbox").filter(
        has=panel.page.locator(".widget-label", has_text=re.compile(rf"^\s*{label}\s*$", re.I))
    )
    return row.locator("input").first


def status_state(panel) -> str:
    """The training panel's state word: the first bold text of its status HTML."""
    return panel.locator(".widget-html b").first.inner_text().strip()


def button(panel, label: str):
    """The panel's button labelled ``label`` (case-insensitive, icon or not)."""
    return _button_locator(panel, label).first


_DIGEST_JS = """
async (img) => {
  const data = await (await fetch(img.getAttribute('src'))).arrayBuffer();
  const hash = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join('');
}
"""


def image_digest(img_locator) -> str:
    """SHA-256 of the bytes behind the image's current ``src`` (blob URLs change with every
    update, so equal pictures are compared by content)."""
    return img_locator.evaluate(_DIGEST_JS)


def wait_for_image_digest(img_locator, digest: str, timeout_ms: int) -> None:
    """Waits until the image's current bytes hash to ``digest`` (checked on every frame)."""
    img_locator.evaluate(
        f"""(img, [digest, timeout]) => new Promise((resolve, reject) => {{
            const digestOf = {_DIGEST_JS};
            const start = performance.now();
            const check = async () => {{
              let current = null;
              try {{ current = await digestOf(img); }} catch (e) {{}}  // blob just revoked
              if (current === digest) return resolve();
              if (performance.now() - start > timeout) return reject(new Error(
                  `image never showed the expected picture within ${{timeout}} ms`));
              requestAnimationFrame(check);
            }};
            check();
        }})""",
        [digest, timeout_ms],
    )
