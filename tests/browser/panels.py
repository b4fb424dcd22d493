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


# Everything a panel shows must fit its output area: nothing sticks out past the area's
# right edge, nothing scrolls sideways, and no button or label text is cut (ellipsis or
# clipping shows as scrollWidth > clientWidth). Hidden elements (closed tabs) are skipped.
_OVERFLOW_JS = """
(root) => {
  const problems = [];
  const area = root.closest('.jp-OutputArea-output') || root.parentElement;
  const edge = area.getBoundingClientRect().right + 1;
  const name = (el) => {
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\\s+/)
        .filter(c => c.startsWith('widget-') || c.startsWith('augwidgets-')
                     || c.startsWith('jupyter-') || c.startsWith('lm-')).slice(0, 2) : [];
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${cls.map(c => '.' + c).join('')} "${text}"`;
  };
  const shown = (el) => el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== 'hidden';
  if (root.scrollWidth > root.clientWidth + 1)
    problems.push(`panel scrolls sideways: scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}`);
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > edge)
      problems.push(`${name(el)} ends at ${box.right.toFixed(0)} px, past the output area (${(edge - 1).toFixed(0)} px)`);
  }
  const texts = root.querySelectorAll(
      'button, .widget-label, .widget-label-basic, .widget-readout, .lm-TabBar-tabLabel');
  for (const el of texts) {
    if (!shown(el) || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      problems.push(`${name(el)} text is cut: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
  }
  return problems;
}
"""


def overflow_problems(panel) -> list[str]:
    """What sticks out of the panel's output area or is cut, one line each (empty: fits)."""
    return panel.evaluate(_OVERFLOW_JS)


def displayed_scale(img_locator) -> float:
    """How large the image is drawn, in CSS pixels per image pixel."""
    return img_locator.evaluate("(img) => img.clientWidth / img.naturalWidth")


def controls_beside_preview(panel) -> bool:
    """True when the explorer's preview sits to the right of its controls (not under them)."""
    return panel.evaluate(
        """(root) => {
            const c = root.querySelector('.augwidgets-controls').getBoundingClientRect();
            const p = root.querySelector('.augwidgets-preview-area').getBoundingClientRect();
            return p.left >= c.right - 1 && p.top < c.bottom;
        }"""
    )


def widget_outputs(page):
    """Every output area that holds a widget view."""
    return page.locator(".jp-OutputArea-output").filter(has=page.locator(".jupyter-widgets")).all()


def output_area_width(panel) -> float:
    return panel.evaluate(
        "(root) => (root.closest('.jp-OutputArea-output') || root.parentElement)"
        ".getBoundingClientRect().width"
    )
