"""The explorer's paste box: old ``ImageDataGenerator`` code in, ``migrate()``'s output out.

A thin view over ``tools.migrate.migrate``: a text area to paste Python or R into, the
target (Keras 3 or augwidgets), and the converted code with its notes and findings as HTML
(``migration_html``, a pure function of the result). The pasted code is parsed, never run.

Examples:
    >>> view = MigrateView()
    >>> view.source.value = "g = ImageDataGenerator(rotation_range=20, shear_range=0.2)"
    >>> "RandomRotation" in view.output.value
    True
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from augwidgets.tools.migrate import migrate
from augwidgets.tools.migration import Migration

_COLOURS = {"error": "#b00020", "warning": "#b35c00", "info": "#1f5f99"}
_TARGETS = [("Keras 3", "keras3"), ("augwidgets", "augwidgets")]


def migration_html(result: Migration) -> str:
    """Converted code in a ``<pre>``, then the notes by line, then the findings."""
    parts = [f"<div>{result.language.capitalize()} converted to <b>{result.to}</b>:</div>",
             f'<pre style="white-space:pre-wrap">{html.escape(result.code)}</pre>']
    if result.notes:
        notes = "".join(f"<li>line {n.line}: {html.escape(n.text)}</li>" for n in result.notes)
        parts.append(f"<div><b>Not exact</b> (lines of the pasted code):<ul>{notes}</ul></div>")
    if result.findings:
        items = "".join(f'<li><b style="color:{_COLOURS[f.severity]}">{f.severity}</b> '
                        f"<i>{html.escape(f.parameter)}</i>: {html.escape(f.message)}</li>"
                        for f in result.findings)
        parts.append(f"<div><b>Findings</b> about the pasted settings:<ul>{items}</ul></div>")
    return "\n".join(parts)


# ipywidgets ships no type information, so mypy sees widgets.VBox as Any.
class MigrateView(widgets.VBox):  # type: ignore[misc]
    """Paste old generator code and read it converted, with notes and findings."""

    def __init__(self, to: str = "keras3", **kwargs: Any):
        self.source = widgets.Textarea(
            placeholder="Paste code that uses ImageDataGenerator(...) or R's "
                        "image_data_generator(...): it is converted, never run.",
            continuous_update=False, layout=widgets.Layout(width="100%", height="160px"))
        self.target = widgets.ToggleButtons(options=_TARGETS, value=to,
                                            style={"button_width": "auto"})
        self.output = widgets.HTML()
        self.result: Migration | None = None
        self.source.observe(lambda _change: self.update(), names="value")
        self.target.observe(lambda _change: self.update(), names="value")
        super().__init__([self.source, self.target, self.output], **kwargs)

    def update(self) -> None:
        """Convert what is in the box now (called on every change)."""
        text = self.source.value
        if not text.strip():
            self.result, self.output.value = None, ""
            return
        try:
            self.result = migrate(text, to=self.target.value)
        except (ValueError, SyntaxError) as error:
            self.result = None
            self.output.value = f'<b style="color:{_COLOURS["error"]}">{html.escape(str(error))}</b>'
            return
        self.output.value = migration_html(self.result)
