"""Drawing training curves with matplotlib's object-oriented API (never pyplot state).

A ``CurveFigure`` owns one ``matplotlib.figure.Figure`` with an Agg canvas and redraws it
in place, so a live plot that renders hundreds of times keeps its memory flat. Two
drawings exist: one history (per-batch training values as a faint line, per-epoch
training and validation values as markers, one panel per metric), and several histories
overlaid (validation curves of an experiment).

Example:
    >>> from augwidgets.training.history import TrainingHistory
    >>> history = TrainingHistory()
    >>> history.log_epoch(0, {"loss": 1.0, "val_loss": 1.2})
    >>> png = CurveFigure().render_history(history)
    >>> png[:4] == b"\\x89PNG"
    True
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

from augwidgets.training.history import VALIDATION_PREFIX, TrainingHistory

_TRAIN_COLOUR = "tab:blue"
_VALIDATION_COLOUR = "tab:orange"


def _finite(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    points = [(x, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
    return [p for p, _ in points], [v for _, v in points]


class CurveFigure:
    """One reusable figure that renders training curves to PNG bytes.

    Args:
        width: figure width in inches (height follows the number of panel rows).
        panel_height: height of one row of panels in inches.
        dpi: resolution; 80 keeps a render near 100 ms on a slow CPU.
        columns: panels per row.

    Example:
        >>> figure = CurveFigure(width=6)
        >>> figure.render_history(TrainingHistory())[:4] == b"\\x89PNG"
        True
    """

    def __init__(self, *, width: float = 9.0, panel_height: float = 3.0, dpi: int = 80,
                 columns: int = 3) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.width = width
        self.panel_height = panel_height
        self.columns = columns
        self.figure = Figure(figsize=(width, panel_height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self._panel_key: tuple | None = None
        self._axes: list = []

    def _panels(self, kind: str, names: Sequence[str]) -> list:
        """Axes for one panel per name; reused (data only cleared) while the panels stay the
        same, since rebuilding axes is a quarter of a render."""
        key = (kind, *names)
        if key == self._panel_key:
            for ax in self._axes:
                for artist in [*ax.lines, *ax.texts]:
                    artist.remove()
                if ax.get_legend() is not None:
                    ax.get_legend().remove()
                ax.relim()
                ax.set_autoscale_on(True)
            return self._axes
        self.figure.clear()
        count = max(len(names), 1)
        columns = min(count, self.columns)
        rows = math.ceil(count / columns)
        self.figure.set_size_inches(self.width, self.panel_height * rows)
        self._axes = [self.figure.add_subplot(rows, columns, i + 1) for i in range(count)]
        self._panel_key = key
        return self._axes

    def _layout(self) -> None:
        # Fixed margins: tight_layout measures every text by drawing, doubling the cost.
        rows = max(1, round(self.figure.get_figheight() / self.panel_height))
        top = 1 - 0.45 / self.figure.get_figheight() * (1.6 if self.figure._suptitle else 1)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.55 / self.figure.get_figheight(),
                                    top=top, wspace=0.25, hspace=0.55 if rows > 1 else 0.2)

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        # compress_level=1: PNG encoding, not drawing, dominates at the default level.
        self.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def render_history(self, history: TrainingHistory, *, title: str | None = None) -> bytes:
        """Draws one history, one panel per metric, and returns PNG bytes."""
        names = history.metric_names
        axes = self._panels("history", names)
        if not names:
            axes[0].text(0.5, 0.5, "waiting for the first batch", ha="center", va="center",
                         transform=axes[0].transAxes, color="grey")
            axes[0].set_xticks([])
            axes[0].set_yticks([])
        for ax, name in zip(axes, names, strict=False):
            xs, ys = _finite(*history.batch_series(name))
            if xs:
                ax.plot(xs, ys, color=_TRAIN_COLOUR, alpha=0.35, linewidth=1,
                        label="training (per batch)")
            xs, ys = _finite(*history.epoch_series(name))
            if xs:
                ax.plot(xs, ys, "o-", color=_TRAIN_COLOUR, markersize=4, label="training")
            xs, ys = _finite(*history.epoch_series(VALIDATION_PREFIX + name))
            if xs:
                ax.plot(xs, ys, "s--", color=_VALIDATION_COLOUR, markersize=4,
                        label="validation")
            ax.set_title(name)
            ax.set_xlabel("epoch")
            ax.set_xlim(left=0)
            ax.grid(True, alpha=0.3)
        if names and axes[0].lines:
            axes[0].legend(fontsize="small", loc="best")
        if title:
            self.figure.suptitle(title)
        self._layout()
        return self._png()

    def render_comparison(self, histories: Mapping[str, TrainingHistory],
                          keys: Sequence[str] = ("val_accuracy", "val_loss"),
                          *, title: str | None = None) -> bytes:
        """Overlays one epoch-log key per panel for several named histories."""
        axes = self._panels("comparison", keys)
        for ax, key in zip(axes, keys, strict=True):
            for index, (name, history) in enumerate(histories.items()):
                xs, ys = _finite(*history.epoch_series(key))
                if xs:
                    ax.plot(xs, ys, "o-", color=f"C{index}", markersize=4, label=name)
                train_key = key[len(VALIDATION_PREFIX):] if key.startswith(VALIDATION_PREFIX) else None
                if train_key:
                    xs, ys = _finite(*history.epoch_series(train_key))
                    if xs:
                        ax.plot(xs, ys, ":", color=f"C{index}", alpha=0.7, linewidth=1)
            ax.set_title(f"{key} (dotted: training)" if key.startswith(VALIDATION_PREFIX) else key)
            ax.set_xlabel("epoch")
            ax.set_xlim(left=0)
            ax.grid(True, alpha=0.3)
        if axes[0].lines:
            axes[0].legend(fontsize="small", loc="best")
        if title:
            self.figure.suptitle(title)
        self._layout()
        return self._png()
