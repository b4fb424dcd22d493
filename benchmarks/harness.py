"""What the input-pipeline benchmarks share: the test tree, the course's arguments, timing.

- ``make_tree()`` writes (once) 1000 JPEGs of about 300x260 in 4 class folders under
  ``/tmp/augwidgets-bench`` (or ``$AUGWIDGETS_BENCH_DATA``), never inside the repository.
- ``measure(fn)`` times one call: wall seconds and CPU seconds of every thread of the
  process, plus worker processes that have exited (Keras' ``use_multiprocessing`` pools).
- ``interleave(runs, rounds)`` runs every pipeline once per round, rounds interleaved, so
  a machine whose speed drifts affects them all alike; ``Results`` prints medians, ranges
  and ratios within the run (the only figures that compare on a shared machine).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

EXAMPLE_ARGS = dict(rescale=1 / 255, rotation_range=20, width_shift_range=0.2,
                    height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                    horizontal_flip=True)
DATA = Path(os.environ.get("AUGWIDGETS_BENCH_DATA", "/tmp/augwidgets-bench")) / "jpeg1000"


def make_tree(root: Path = DATA, count: int = 1000, classes: int = 4, seed: int = 0) -> Path:
    """Write ``count`` photo-like JPEGs of about 300x260 into ``classes`` folders (once)."""
    marker = root / ".complete"
    if marker.exists():
        return root
    rng = np.random.RandomState(seed)
    for index in range(count):
        folder = root / f"class_{index % classes}"
        folder.mkdir(parents=True, exist_ok=True)
        width, height = 280 + rng.randint(41), 240 + rng.randint(41)
        base = rng.randint(0, 255, size=(height // 8, width // 8, 3)).astype(np.uint8)
        image = Image.fromarray(base).resize((width, height), Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x0, y0 = rng.randint(0, width - 40), rng.randint(0, height - 40)
            size = rng.randint(20, 120)
            draw.ellipse([x0, y0, x0 + size, y0 + size],
                         fill=tuple(int(v) for v in rng.randint(0, 255, 3)))
        image.filter(ImageFilter.GaussianBlur(1)).save(folder / f"img_{index:04d}.jpg",
                                                       quality=90)
    marker.write_text("ok")
    return root


def count_images(root: Path) -> int:
    return sum(name.endswith(".jpg") for _, _, names in os.walk(root) for name in names)


def _cpu_seconds() -> float:
    # Worker processes count once they have exited and been joined: wait for them, so
    # their CPU is charged to the run that started them, not to the next one.
    deadline = time.monotonic() + 30
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(fn: Callable[[], int]) -> tuple[float, float, int]:
    """``(wall s, CPU s, images)`` of one ``fn()`` call, which returns the images it read."""
    cpu = _cpu_seconds()
    wall = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        images = fn()
    wall = time.perf_counter() - wall
    return wall, _cpu_seconds() - cpu, images


@dataclass
class Results:
    """img/s and CPU ms per image of each pipeline, one entry per round."""

    rates: dict[str, list[float]] = field(default_factory=dict)
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, wall: float, cpu: float, images: int) -> None:
        self.rates.setdefault(name, []).append(images / wall)
        self.cpu_ms.setdefault(name, []).append(cpu / images * 1000)

    def rate(self, name: str) -> float:
        return statistics.median(self.rates[name])

    def cpu(self, name: str) -> float:
        return statistics.median(self.cpu_ms[name])

    def ratio(self, name: str, reference: str) -> list[float]:
        """Round-by-round img/s of ``name`` over ``reference`` (same round: same drift)."""
        return [a / b for a, b in zip(self.rates[name], self.rates[reference])]


def span(values: list[float], digits: int = 2) -> str:
    """``median (min-max)`` as text."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def interleave(runs: dict[str, Callable[[], int]], rounds: int,
               warm_up: bool = True) -> Results:
    """Run each of ``runs`` once per round, in the same order every round."""
    if warm_up:  # imports, graph tracing, page cache
        for fn in runs.values():
            measure(fn)
    results = Results()
    for _ in range(rounds):
        for name, fn in runs.items():
            results.add(name, *measure(fn))
    return results
