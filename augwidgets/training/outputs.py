"""Where a live plot goes: an image widget updated in place, a PNG file, or a text table.

Every output shares one method, ``send(history)``, and remembers its last render
(``last_png`` or ``last_text``) so tests can read it instead of scraping a screen. Outputs
whose render is expensive say so with ``throttled = True``; the callback then spaces their
redraws out in time, while cheap outputs (the text table) get every epoch.

The image output never uses ``clear_output`` plus ``plt.show()``, which flickers in
JupyterLab and leaves one figure per redraw under nbval: it displays one
``ipywidgets.Image`` once and replaces its ``value``. The displayed output also carries a
PNG of the curves for frontends without widgets (``augwidgets.widgets.live_picture``);
``finish()`` re-sends it when training ends, so a saved notebook shows the final curves.

Examples:
    >>> from augwidgets.training.history import TrainingHistory
    >>> history = TrainingHistory()
    >>> history.log_epoch(0, {"loss": 0.9, "val_loss": 1.1})
    >>> table = TextTableOutput(stream=None)
    >>> table.send(history)
    >>> print(table.last_text)
    epoch      loss  val_loss
        1    0.9000    1.1000
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from augwidgets.training.history import TrainingHistory
from augwidgets.training.plotting import CurveFigure


def in_notebook_kernel() -> bool:
    """True inside a running IPython kernel (Jupyter, Voila), False in a script or terminal."""
    module = sys.modules.get("IPython")
    if module is None:
        return False
    shell = module.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Output:
    """Base class of live-plot outputs.

    Subclasses implement ``send``; ``close`` releases resources (optional).

    Examples:
        >>> class Count(Output):
        ...     def __init__(self): self.sent = 0
        ...     def send(self, history): self.sent += 1
        >>> out = Count(); out.send(None); out.sent
        1
    """

    #: True when a render is expensive enough that the callback should throttle it.
    throttled: bool = True

    def send(self, history: TrainingHistory) -> None:
        """Renders ``history``."""
        raise NotImplementedError

    def close(self) -> None:
        """Releases resources; the default does nothing."""

    def finish(self) -> None:
        """Training ended and the last state was sent; the default does nothing."""


def curves_summary(history: TrainingHistory | None) -> str:
    """One line of text for a saved output: epochs and the last epoch's values.

    Examples:
        >>> h = TrainingHistory(); h.log_epoch(0, {"loss": 0.5, "val_loss": 0.75})
        >>> curves_summary(h)
        'training curves, 1 epoch(s): loss 0.5000, val_loss 0.7500'
    """
    if history is None or not len(history):
        return "training curves (no epoch yet)"
    logs = history.last_epoch_logs()
    values = ", ".join(f"{key} {_format(value)}" for key, value in logs.items())
    return f"training curves, {len(history)} epoch(s): {values}"


class ImageOutput(Output):
    """Renders the curves to PNG and shows them in an ``ipywidgets.Image``, updated in place.

    Args:
        widget: an existing ``ipywidgets.Image`` to update (a panel passes its own); None
            creates one on first use.
        figure: the ``CurveFigure`` to draw with; None makes a default one.
        title: an optional figure title.
        auto_display: let ``LivePlot`` display the widget when training starts in a
            notebook; a panel that shows the widget itself passes False.

    Examples:
        >>> out = ImageOutput()
        >>> out.send(TrainingHistory())
        >>> out.widget.value == out.last_png
        True
    """

    def __init__(self, widget: Any = None, *, figure: CurveFigure | None = None,
                 title: str | None = None, auto_display: bool = True) -> None:
        self._widget = widget
        self.auto_display = auto_display
        self.figure = figure or CurveFigure()
        self.title = title
        self.last_png: bytes | None = None
        self.last_text = curves_summary(None)
        self._view: Any = None  # a LivePicture once displayed

    @property
    def widget(self) -> Any:
        """The ``ipywidgets.Image`` being updated (created lazily)."""
        if self._widget is None:
            import ipywidgets

            # Shrinks with a narrow output area instead of sticking out of it.
            self._widget = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
                max_width="100%", height="auto", margin="2px 0"))
        return self._widget

    def display(self) -> None:
        """Displays the image widget once in the current notebook cell, with its picture."""
        if self._view is not None:
            return
        from augwidgets.widgets.live_picture import LivePicture

        self._view = LivePicture(self.widget, lambda: self.last_png, lambda: self.last_text)
        self._view.display()

    def send(self, history: TrainingHistory) -> None:
        self.last_png = self.figure.render_history(history, title=self.title)
        self.last_text = curves_summary(history)
        self.widget.value = self.last_png

    def finish(self) -> None:
        """Leaves the final curves as the displayed output's picture."""
        if self._view is not None:
            self._view.refresh()


class PNGFileOutput(Output):
    """Writes the curves to a PNG file, replacing it atomically on each redraw.

    Args:
        path: the file to write.
        figure: the ``CurveFigure`` to draw with; None makes a default one.

    Examples:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "curves.png")
        >>> PNGFileOutput(path).send(TrainingHistory()); os.path.exists(path)
        True
    """

    def __init__(self, path: str | os.PathLike[str], *, figure: CurveFigure | None = None) -> None:
        self.path = Path(path)
        self.figure = figure or CurveFigure()
        self.last_png: bytes | None = None

    def send(self, history: TrainingHistory) -> None:
        self.last_png = self.figure.render_history(history)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_bytes(self.last_png)
        os.replace(temporary, self.path)


def _format(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.3g}"


class TextTableOutput(Output):
    """Prints one compact row per finished epoch (a header first).

    Args:
        stream: where to print; None prints nothing (the table is still kept in
            ``last_text``). Defaults to ``sys.stdout``, looked up at each print.

    Examples:
        >>> out = TextTableOutput(stream=None)
        >>> h = TrainingHistory(); h.log_epoch(0, {"loss": 0.5}); out.send(h)
        >>> out.last_text.splitlines()[1].split()
        ['1', '0.5000']
    """

    throttled = False

    def __init__(self, stream: TextIO | None | str = "stdout") -> None:
        if isinstance(stream, str) and stream != "stdout":
            raise ValueError("stream must be a text stream, None or 'stdout'. "
                             f"Received: stream={stream!r}")
        self._stream = stream
        self.last_text = ""
        self._rows_printed = 0
        self._columns: list[str] | None = None

    def _columns_for(self, history: TrainingHistory) -> list[str]:
        keys = list(history.epoch_metrics())
        ordered: list[str] = []
        for name in history.metric_names:
            for key in (name, "val_" + name):
                if key in keys:
                    ordered.append(key)
        return ordered + [k for k in keys if k not in ordered]

    def send(self, history: TrainingHistory) -> None:
        if len(history) < self._rows_printed:  # the history was cleared: start over
            self._rows_printed, self._columns, self.last_text = 0, None, ""
        if len(history) == self._rows_printed:
            return
        columns = self._columns_for(history)
        widths = [max(len(c), 8) for c in columns]
        lines: list[str] = []
        if self._columns != columns:
            self._columns = columns
            lines.append("epoch  " + "  ".join(c.rjust(w) for c, w in zip(columns, widths,
                                                                          strict=True)))
        for ordinal in range(self._rows_printed, len(history)):
            logs = history.epochs[ordinal].logs
            cells = [_format(logs[c]) if c in logs else "-" for c in columns]
            lines.append(f"{ordinal + 1:5d}  " + "  ".join(
                cell.rjust(w) for cell, w in zip(cells, widths, strict=True)))
        self._rows_printed = len(history)
        text = "\n".join(lines)
        self.last_text = f"{self.last_text}\n{text}" if self.last_text else text
        # "stdout" is looked up on every send, so a redirected sys.stdout is honoured.
        stream = sys.stdout if isinstance(self._stream, str) else self._stream
        if stream is not None:
            print(text, file=stream, flush=True)
