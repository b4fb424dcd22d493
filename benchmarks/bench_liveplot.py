"""Live-plot overhead: the same small ``fit`` with and without ``LivePlot``, side by side.

Trains the default small CNN on sklearn's digits (upscaled to 32 px, held in memory so that
only the callback differs) for a few epochs, in interleaved rounds:

- ``bare``: no callback;
- ``table``: ``LivePlot`` with the text table (what a script gets), printing to nowhere;
- ``image``: ``LivePlot`` with the image output (what a notebook gets), rendering the
  figure to PNG and setting an ``ipywidgets.Image`` value.

Reports the median wall time and process CPU time of each and their ratio to ``bare``, and
the time LivePlot spent rendering (the final redraw included) as a share of the bare fit.
The goal is at most 3 %. On a shared, loaded machine the run-to-run spread of a fit is larger
than that, so the render share is the solid figure, and the CPU-time ratio the stabler of
the two ratios. ``full/blit`` counts the image renders that drew the whole figure and those
that only drew the curves over the kept background.

Run:
    TF_CPP_MIN_LOG_LEVEL=3 python benchmarks/bench_liveplot.py --rounds 5 --epochs 4
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _digits(size: int) -> tuple[np.ndarray, np.ndarray]:
    import cv2
    from sklearn.datasets import load_digits

    data = load_digits()
    images = np.stack([cv2.resize((img * (255 / 16)).astype(np.uint8), (size, size),
                                  interpolation=cv2.INTER_LINEAR) for img in data.images])
    x = (images[..., None] / 255).astype("float32")
    y = np.eye(10, dtype="float32")[data.target]
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import ipywidgets

    from augwidgets.training.callback import LivePlot
    from augwidgets.training.model import build_default_model
    from augwidgets.training.outputs import ImageOutput, TextTableOutput

    x, y = _digits(args.size)

    renders: dict[str, list[str]] = {"bare": [], "table": [], "image": []}

    def run(variant: str) -> tuple[float, float, int, float]:
        model = build_default_model(x.shape[1:], 10, seed=0)
        callbacks = []
        plot = None
        if variant == "table":
            plot = LivePlot(outputs=[TextTableOutput(stream=None)])
        elif variant == "image":
            plot = LivePlot(outputs=[ImageOutput(ipywidgets.Image(format="png"))])
        if plot is not None:
            callbacks.append(plot)
        started, cpu_started = time.perf_counter(), time.process_time()
        model.fit(x, y, validation_split=0.2, epochs=args.epochs, batch_size=args.batch_size,
                  shuffle=False, verbose=0, callbacks=callbacks)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if variant == "image":
            figure = plot.outputs[0].figure
            renders[variant].append(f"{figure.full_renders}/{figure.blits}")
        return elapsed, cpu, (plot.redraws if plot else 0), (plot.render_seconds if plot else 0.0)

    variants = ["bare", "table", "image"]
    for variant in variants:  # warm-up: tracing, matplotlib's font cache
        run(variant)
    times: dict[str, list[float]] = {v: [] for v in variants}
    cpu_times: dict[str, list[float]] = {v: [] for v in variants}
    redraws: dict[str, list[int]] = {v: [] for v in variants}
    render: dict[str, list[float]] = {v: [] for v in variants}
    for round_index in range(args.rounds):
        order = variants if round_index % 2 == 0 else variants[::-1]
        for variant in order:
            elapsed, cpu, count, seconds = run(variant)
            times[variant].append(elapsed)
            cpu_times[variant].append(cpu)
            redraws[variant].append(count)
            render[variant].append(seconds)

    bare = statistics.median(times["bare"])
    bare_cpu = statistics.median(cpu_times["bare"])
    steps = int(np.ceil(len(x) * 0.8 / args.batch_size)) * args.epochs
    print(f"fit: {args.epochs} epochs x {steps // args.epochs} batches of {args.batch_size} "
          f"at {args.size} px, {args.rounds} interleaved rounds (median)")
    print(f"{'variant':<8} {'wall s':>7} {'ratio':>6} {'CPU s':>6} {'ratio':>6} {'redraws':>8} "
          f"{'render s':>9} {'of fit':>7} {'full/blit':>10}")
    for variant in variants:
        median = statistics.median(times[variant])
        cpu = statistics.median(cpu_times[variant])
        seconds = statistics.median(render[variant])
        counts = renders[variant][len(renders[variant]) // 2] if renders[variant] else "-"
        print(f"{variant:<8} {median:>7.2f} {median / bare:>6.3f} {cpu:>6.2f} {cpu / bare_cpu:>6.3f} "
              f"{statistics.median(redraws[variant]):>8.0f} "
              f"{seconds:>9.3f} {seconds / bare:>7.1%} {counts:>10}")
    for variant in variants:
        print(f"  {variant}: " + " ".join(f"{t:.2f}" for t in times[variant]))


if __name__ == "__main__":
    main()
