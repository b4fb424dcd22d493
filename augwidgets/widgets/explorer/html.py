"""The explorer's text as HTML strings: pure functions of plain values, no widgets.

Every string the explorer writes into an ``ipywidgets.HTML`` is made here, escaped here, and
can be tested without a panel.

Examples:
    >>> header("data/train", ["cat", "dog"], 12)
    '<b>Augmentation explorer</b>: <code>data/train</code>, 12 images in 2 classes (cat, dog)'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import PurePath

from augwidgets.tools.findings import Finding

TITLE = "<b>Augmentation explorer</b>"
SEVERITY_COLOURS = {"error": "#b00020", "warning": "#b35c00", "info": "#1f5f99"}
_VALIDATION_NOTE = (
    "<b>Validation images are never augmented.</b> The validation generator only applies "
    "the same scaling ({call}). Validation measures how the model does on images as they "
    "really are: random rotations or flips there would make the score change from epoch to "
    "epoch for no reason, and would not be comparable between models."
)
STRENGTH_NOTE = ("<div style='line-height:1.25'><small>moves all geometry sliders (as in "
                 "<code>sweep</code>)</small></div>")
TRAINING_TITLE = "<b>training generator</b> (augmented)"
VALIDATION_TITLE = "<b>validation generator</b> (scaling only)"
LOADED = "Loaded."


def header(directory: str, classes: Sequence[str], images: int,
           skipped: Sequence[tuple[str, str]] = ()) -> str:
    """One line: the folder, how many images and classes, and any broken files skipped."""
    names = escape(", ".join(classes[:8])) + (", …" if len(classes) > 8 else "")
    text = (f"{TITLE}: <code>{escape(directory)}</code>, {images} images in {len(classes)} "
            f"classes ({names})")
    if skipped:
        listed = "; ".join(f"{name} ({reason})" for name, reason in skipped[:5])
        text += (f"<div style='color:#b35c00'>Skipped {len(skipped)} broken file(s): "
                 f"{escape(listed)}</div>")
    return text


def error_header(message: str) -> str:
    """The title and a boxed message, when the directory cannot be shown.

    Examples:
        >>> "No such directory" in error_header("No such directory: x")
        True
    """
    return (f"{TITLE}<div style='color:#b00020;border:1px solid #b00020;padding:6px'>"
            f"{escape(message)}</div>")


_SMALL = "<div style='line-height:1.25'><small>{}</small></div>"  # wrapped lines stay close


def unit(text: str) -> str:
    """A control's unit, shown small beside it.

    Examples:
        >>> unit("degrees")
        "<div style='line-height:1.25'><small>degrees</small></div>"
    """
    return _SMALL.format(escape(text))


def group_title(group: str) -> str:
    return f"<b>{escape(group)}</b>"


def validation_note(call: str) -> str:
    """Why the validation view is not augmented, with the validation generator's call."""
    return _VALIDATION_NOTE.format(call=f"<code>{escape(call)}</code>")


def findings(items: Sequence[Finding]) -> str:
    """The ``diagnose`` findings as a list, each with its severity in colour."""
    if not items:
        return "<span style='color:#2e7d32'>No findings: looks sane.</span>"
    rows = "".join(
        f"<li><b style='color:{SEVERITY_COLOURS[f.severity]}'>{f.severity}</b> "
        f"<code>{escape(f.parameter)}</code>: {escape(f.message)}</li>"
        for f in items)
    return f"<ul style='margin:0'>{rows}</ul>"


def details(lines: Iterable[str]) -> str:
    """Every value each tile drew, one numbered line per tile.

    Examples:
        >>> details([]) == NOTHING_DRAWN
        True
    """
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    if not items:
        return NOTHING_DRAWN
    return (f"<ol style='margin:0;padding-left:2em;font-size:12px;font-family:monospace'>"
            f"{items}</ol>")


NOTHING_DRAWN = "<i>nothing drawn (no augmentation, or transforms hidden)</i>"


def load_error(message: str) -> str:
    return f"<span style='color:#b00020'>Could not load: {escape(message)}</span>"


def short_directory(directory: str) -> str:
    """An absolute path cut to its last two parts (for the one-line summary).

    Examples:
        >>> short_directory("/home/ann/data/train")
        '…/data/train'
    """
    parts = PurePath(directory).parts
    if PurePath(directory).is_absolute() and len(parts) > 2:
        return "…/" + "/".join(parts[-2:])
    return directory
