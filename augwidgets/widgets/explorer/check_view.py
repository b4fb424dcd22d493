"""The explorer's Check view: the dataset doctor's findings for the panel's folder.

A thin view over ``tools.check.check_dataset``: a validation-folder box, a Check button,
and the report as HTML (``report_html``, a pure function of the report). Checking decodes
every file, so it runs only when asked, never on a slider move; its progress bar is shown
in the view while it runs. Outside a live kernel the last report shows as HTML too.

``add_to_panel`` is the explorer's whole hook: a "Check" tab, and the paste box under the
Code tab's exported code.

Examples:
    >>> view = CheckView("data/train")  # doctest: +SKIP
    >>> view.run()  # doctest: +SKIP
    >>> view.report.ok  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets

from augwidgets.tools.check import DatasetReport, check_dataset
from augwidgets.widgets.explorer.migrate_view import MigrateView

_COLOURS = {"error": "#b00020", "warning": "#b35c00", "info": "#1f5f99"}
_SHOWN_FILES = 6


def report_html(report: DatasetReport) -> str:
    """The report as an HTML fragment: a summary line, then one block per finding."""
    tally = {s: sum(f.severity == s for f in report.findings) for s in _COLOURS}
    parts = [f"<div><b>{'No errors' if report.ok else 'Errors found'}</b>: "
             f"{tally['error']} errors, {tally['warning']} warnings, {tally['info']} notes, "
             f"{sum(s.images for s in report.splits)} images checked in "
             f"{report.seconds:.1f} s.</div>"]
    for split in report.splits:
        counts = ", ".join(f"{html.escape(name)}: {count}"
                           for name, count in split.class_counts.items())
        parts.append(f"<div>{split.role}: <code>{html.escape(split.directory)}</code> "
                     f"({counts})</div>")
    for finding in report.findings:
        colour = _COLOURS[finding.severity]
        files = ""
        if finding.files:
            shown = "<br>".join(html.escape(f) for f in finding.files[:_SHOWN_FILES])
            more = len(finding.files) - _SHOWN_FILES
            files = (f"<details><summary>{len(finding.files)} files</summary><code>{shown}"
                     f"{f'<br>... and {more} more' if more > 0 else ''}</code></details>")
        parts.append(f'<div style="border-left:4px solid {colour};padding:2px 8px;'
                     f'margin:4px 0"><b style="color:{colour}">{finding.severity}</b> '
                     f"<i>{html.escape(finding.parameter)}</i>: "
                     f"{html.escape(finding.message)}{files}</div>")
    return "\n".join(parts)


# ipywidgets ships no type information, so mypy sees widgets.VBox as Any.
class CheckView(widgets.VBox):  # type: ignore[misc]
    """Check a folder (and an optional validation folder) from the explorer.

    Args:
        directory: the training folder the explorer shows.
        validation: a validation folder to check against it (can be typed in the view).
        target_size: the size the explorer previews at, checked against the images.
    """

    def __init__(self, directory: str | os.PathLike[str], validation: str | None = None, *,
                 target_size: tuple[int, int] | None = None, **kwargs: Any):
        self.directory = os.fspath(directory)
        self.target_size = target_size
        self.report: DatasetReport | None = None
        self.validation = widgets.Text(value=validation or "", description="validation",
                                       placeholder="optional: the validation folder",
                                       layout=widgets.Layout(width="auto", flex="1 1 300px"))
        self.button = widgets.Button(description="Check", icon="stethoscope",
                                     tooltip="decode every file and look for problems")
        self.progress = widgets.Output()
        self.result = widgets.HTML(
            f"Checks every file of <code>{html.escape(self.directory)}</code>: broken files, "
            "hidden folders, class order and balance, duplicates across training and "
            "validation, sizes and modes. Press Check.")
        self.button.on_click(lambda _button: self.run())
        row = widgets.HBox([self.validation, self.button],
                           layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        super().__init__([row, self.progress, self.result], **kwargs)

    def run(self) -> DatasetReport | None:
        """Check now and show the report; a bad folder shows its message instead."""
        self.progress.clear_output()
        # Catch inside the Output: in a kernel, ipywidgets' Output swallows an exception
        # raised in its context (it shows a traceback instead), which would hide the message.
        failure: ValueError | None = None
        report: DatasetReport | None = None
        with self.progress:
            try:
                report = check_dataset(self.directory, self.validation.value.strip() or None,
                                       target_size=self.target_size)
            except ValueError as error:
                failure = error
        self.report = report
        if report is None:
            self.result.value = f'<b style="color:{_COLOURS["error"]}">{html.escape(str(failure))}</b>'
            return None
        self.progress.clear_output()
        self.result.value = report_html(report)
        return report

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.result.value
        return bundle


def add_to_panel(panel: Any) -> None:
    """Give an explorer panel a Check tab for its folder and the paste box in its Code tab.

    Sets ``panel.check_view`` and ``panel.migrate_view``. Nothing runs until asked: the
    check on its button, the conversion when code is pasted.
    """
    panel.check_view = CheckView(panel.directory, target_size=panel.target_size)
    panel.migrate_view = MigrateView()
    code_tab = panel.tabs.children[1]
    code_tab.children = (*code_tab.children, widgets.HTML(
        "<b>Old code?</b> Paste code that uses <code>ImageDataGenerator</code> (Python) or "
        "<code>image_data_generator</code> (R) to convert it; it is read, never run."),
        panel.migrate_view)
    titles = [panel.tabs.get_title(i) for i in range(len(panel.tabs.children))]
    panel.tabs.children = (*panel.tabs.children, panel.check_view)
    for index, title in enumerate([*titles, "Check"]):
        panel.tabs.set_title(index, title)
