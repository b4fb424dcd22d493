"""Drawing training curves with matplotlib's object-oriented API (never pyplot state).

A ``CurveFigure`` owns one ``matplotlib.figure.Figure`` with an Agg canvas and redraws it
in place, so a live plot that renders hundreds of times keeps its memory flat. Two
drawings exist: one history (per-batch training values as a faint line, per-epoch
training and validation values as markers, one panel per metric), and several histories
overlaid (validation curves of an experiment).

A live history is drawn by blitting. Text (titles, tick labels, the legend) is most of a
matplotlib render, and it only changes when the axes do, so a full render happens only
when the panels, the legend or the axis limits change. It draws everything but the curves,
keeps that background, and draws the curves over it. Every other render restores the
background and draws only the curves, then encodes the canvas buffer to PNG directly
(``print_png`` would draw the whole figure again). The epoch axis is sized to the fit under
way (``TrainingHistory.planned_epochs``). The value axis starts at 0 for values that are
never negative, with headroom above, so the limits rarely move while a model trains.

Examples:
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
from typing import Any

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
        dpi: resolution; at 80 a full render takes 40-100 ms on a slow CPU, a blit about 5.
        columns: panels per row.

    Examples:
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
        #: Renders of a history that drew everything, and those that only drew the curves.
        self.full_renders = 0
        self.blits = 0

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
        if not names:
            return self._render_waiting(title)
        series = {name: (_finite(*history.batch_series(name)),
                         _finite(*history.epoch_series(name)),
                         _finite(*history.epoch_series(VALIDATION_PREFIX + name)))
                  for name in names}
        shown = tuple(tuple(bool(xs) for xs, _ in parts) for parts in series.values())
        key = (tuple(names), title, shown)
        live = self._live
        if live is None or live["key"] != key[:2] or not self._within(series, history):
            self._full_render(names, series, history, title, key)
        elif live["shown"] != shown:
            self._make_curves(names, series, shown)
            self.blits += 1
        else:
            self._blit(series)
        return self._png_from_buffer()

    # -------------------------------------------------------------------- live drawing
    _live: dict[str, Any] | None = None

    def _render_waiting(self, title: str | None) -> bytes:
        self._live = None
        axes = self._panels("waiting", ())
        for artist in [*axes[0].lines, *axes[0].texts]:
            artist.remove()
        axes[0].text(0.5, 0.5, "waiting for the first batch", ha="center", va="center",
                     transform=axes[0].transAxes, color="grey")
        axes[0].set_xticks([])
        axes[0].set_yticks([])
        if title:
            self.figure.suptitle(title)
        self._layout()
        return self._png()

    @staticmethod
    def _x_limit(history: TrainingHistory, series: Mapping[str, Any]) -> float:
        furthest = max((xs[-1] for parts in series.values() for xs, _ in parts if xs),
                       default=1.0)
        return float(max(1, math.ceil(furthest), history.planned_epochs or 0))

    @staticmethod
    def _y_limits(parts: Sequence[tuple[list[float], list[float]]]) -> tuple[float, float]:
        values = [v for _, ys in parts for v in ys]
        low, high = min(values), max(values)
        if low >= 0 and high <= 1:  # accuracy and the like: the whole range
            return 0.0, 1.02
        if low >= 0:  # losses: from 0, with room to rise a little
            return 0.0, high * 1.15 if high > 0 else 1.0
        span = (high - low) or abs(high) or 1.0
        return low - 0.25 * span, high + 0.25 * span

    def _within(self, series: Mapping[str, Any], history: TrainingHistory) -> bool:
        """True when every point lies inside the limits the background was drawn with."""
        live = self._live
        if self._x_limit(history, series) != live["xmax"]:
            return False
        for name, parts in series.items():
            low, high = live["ylim"][name]
            for _, ys in parts:
                if ys and (min(ys) < low or max(ys) > high):
                    return False
        return True

    def _full_render(self, names: Sequence[str], series: Mapping[str, Any],
                     history: TrainingHistory, title: str | None, key: tuple) -> None:
        """Draws the background (axes, ticks, titles), keeps it, then the curves over it."""
        axes = self._panels("history", names)
        xmax = self._x_limit(history, series)
        limits: dict[str, tuple[float, float]] = {}
        from matplotlib.ticker import MaxNLocator

        for ax, name in zip(axes, names, strict=False):
            limits[name] = self._y_limits([(xs, ys) for xs, ys in series[name] if xs])
            # Text is most of a full render: a few round ticks per axis are enough.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
            ax.set_xlim(0, xmax)
            ax.set_ylim(*limits[name])
            ax.set_title(name)
            ax.set_xlabel("epoch")
            ax.grid(True, alpha=0.3)
        if title:
            self.figure.suptitle(title)
        self._layout()
        self.canvas.draw()  # the curves and the legend are animated: not part of this
        self._live = {"key": key[:2], "xmax": xmax, "ylim": limits, "axes": axes,
                      "background": self.canvas.copy_from_bbox(self.figure.bbox)}
        self.full_renders += 1
        self._make_curves(names, series, key[2])

    def _make_curves(self, names: Sequence[str], series: Mapping[str, Any],
                     shown: tuple) -> None:
        """(Re)creates the curves and the legend over the kept background.

        A curve that gets its first point (validation, after the first epoch) changes the
        legend but not the axes, so this redraws the legend only.
        """
        live = self._live
        axes = live["axes"]
        for ax in axes:
            for line in list(ax.lines):
                line.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
        lines: list = []
        for ax, name in zip(axes, names, strict=False):
            (bx, by), (ex, ey), (vx, vy) = series[name]
            styles = [((bx, by), dict(color=_TRAIN_COLOUR, alpha=0.35, linewidth=1),
                       "training (per batch)"),
                      ((ex, ey), dict(marker="o", linestyle="-", color=_TRAIN_COLOUR,
                                      markersize=4), "training"),
                      ((vx, vy), dict(marker="s", linestyle="--", color=_VALIDATION_COLOUR,
                                      markersize=4), "validation")]
            for (xs, ys), style, label in styles:
                if xs:  # only curves with data get a line, so the legend lists what is drawn
                    (line,) = ax.plot(xs, ys, label=label, animated=True, **style)
                    lines.append((ax, line, name, len(lines)))
        self.canvas.restore_region(live["background"])
        legend_pixels = None
        if lines:
            legend = axes[0].legend(fontsize="small", loc="best")
            legend.set_animated(True)
            # The legend's pixels, kept: pasted over the curves on every render (drawing a
            # legend costs as much as the rest of a blit).
            axes[0].draw_artist(legend)
            legend_pixels = self.canvas.copy_from_bbox(
                legend.get_window_extent(self.canvas.get_renderer()).padded(2))
            self.canvas.restore_region(live["background"])
        live.update(lines=lines, legend=legend_pixels, shown=shown)
        self._draw_curves()

    def _blit(self, series: Mapping[str, Any]) -> None:
        live = self._live
        self.canvas.restore_region(live["background"])
        by_name: dict[str, list] = {}
        for _, line, name, _ in live["lines"]:
            by_name.setdefault(name, []).append(line)
        for name, lines in by_name.items():
            for line, (xs, ys) in zip(lines, [p for p in series[name] if p[0]], strict=True):
                line.set_data(xs, ys)
        self.blits += 1
        self._draw_curves()

    def _draw_curves(self) -> None:
        live = self._live
        for ax, line, _, _ in live["lines"]:
            ax.draw_artist(line)
        if live["legend"] is not None:
            self.canvas.restore_region(live["legend"])

    def _png_from_buffer(self) -> bytes:
        from PIL import Image

        rgba = self.canvas.buffer_rgba()
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()

    def render_comparison(self, histories: Mapping[str, TrainingHistory],
                          keys: Sequence[str] = ("val_accuracy", "val_loss"),
                          *, title: str | None = None) -> bytes:
        """Overlays one epoch-log key per panel for several named histories."""
        self._live = None
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
