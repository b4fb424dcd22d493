"""Browser latency of the explorer: rotation-slider keypress to new preview pixels.

Opens a fresh copy of ``notebooks/02-augmentation-explorer.ipynb`` in JupyterLab (or Voila)
in Debian's Chromium, runs it, focuses the rotation slider and presses the arrow keys
``--moves`` times, waiting for each new preview before the next key. Each latency is the
time from the ``keydown`` event to the first frame after the new image has been decoded,
measured in the page with ``performance.now()``. Goal: a median of at most 150 ms.

Usage:
    python benchmarks/bench_browser_latency.py [--moves 20] [--voila] [--json PATH]

The browser suite calls ``latency_table`` to print the same table.

Example:
    $ python benchmarks/bench_browser_latency.py --moves 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser import harness, panels  # noqa: E402

GOAL_MS = 150.0


def latency_table(latencies: list[float], *, where: str = "JupyterLab") -> str:
    """Formats latencies (ms) as a small Markdown table with the median against the goal.

    Example:
        >>> print(latency_table([40.0, 50.0, 60.0]).splitlines()[2])
        | JupyterLab | 3 | 50 | 40 | 60 | 60 | yes |
    """
    ordered = sorted(latencies)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    rows = [
        "| where | moves | median ms | min ms | p90 ms | max ms | median <= 150 ms |",
        "|---|---|---|---|---|---|---|",
        f"| {where} | {len(ordered)} | {median:.0f} | {ordered[0]:.0f} | {p90:.0f} "
        f"| {ordered[-1]:.0f} | {'yes' if median <= GOAL_MS else 'no'} |",
    ]
    return "\n".join(rows)


def measure(moves: int = 20, *, voila: bool = False) -> list[float]:
    """Starts a server and Chromium, opens the explorer, and returns ``moves`` latencies."""
    from playwright.sync_api import sync_playwright

    with harness.temporary_environment(Path(tempfile.mkdtemp(prefix="augwidgets-bench-"))) as env:
        name = env.copy_notebook(panels.EXPLORER_NOTEBOOK)
        server = harness.start_voila(env, name) if voila else harness.start_lab(env)
        with server, sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1600})
                page.set_default_timeout(harness.WIDGET_TIMEOUT_MS)
                if voila:
                    page.goto(server.url, wait_until="domcontentloaded")
                else:
                    harness.open_notebook(page, server.url, name)
                    harness.run_all_cells(page)
                panel = panels.explorer_panel(page)
                panel.wait_for(state="visible", timeout=harness.RUN_ALL_TIMEOUT_MS)
                # One move first, so the first measured move is not a cold start.
                harness.measure_slider_latency(
                    page, panels.rotation_handle(panel), panels.preview_image(panel), moves=1
                )
                return harness.measure_slider_latency(
                    page, panels.rotation_handle(panel), panels.preview_image(panel), moves=moves
                )
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=20, help="slider moves to time (20)")
    parser.add_argument("--voila", action="store_true", help="measure in Voila, not JupyterLab")
    parser.add_argument("--json", type=Path, help="also write the latencies to this file")
    args = parser.parse_args(argv)
    if args.moves < 1:
        parser.error(f"--moves must be at least 1. Received: moves={args.moves}")
    started = time.perf_counter()
    latencies = measure(args.moves, voila=args.voila)
    print(latency_table(latencies, where="Voila" if args.voila else "JupyterLab"))
    print(f"(slider keypress -> decoded new preview frame; {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"latencies_ms": latencies}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
