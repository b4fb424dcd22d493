"""Explorer preview latency and memory, measured inside the Python process (the kernel).

Builds (once) a 3-class tree of 36 photo crops (~300x260 JPEGs cut from scikit-learn's
bundled sample photos, no download) under ``benchmarks/data/photos36``, then measures:

1. ``render_preview`` alone: a 3x3 grid at 224 px, the course's arguments, a new draw
   each time (warp + scale + captions + JPEG encode; source images already decoded);
2. a full slider move on ``AugmentationPanel``: ``controls["rotation_range"].value = v``
   until ``panel.preview.value`` holds the new image (also re-runs ``diagnose``, the code
   export and the share string);
3. the same grid through matplotlib (``imshow`` subplots + ``savefig``), the anchor;
4. memory over 1000 slider moves: Python heap growth (tracemalloc) and process RSS.

Each step is timed twice: wall-clock time, and the CPU time the process spent on it
(``time.process_time``, all threads). On a shared machine the wall time grows with the
load (waiting for a core); the CPU time stays close to what the step costs.

Usage:
    python benchmarks/bench_preview.py [--repeats 200] [--moves 1000] [--no-matplotlib]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from augwidgets.preview.encoding import encode_image  # noqa: E402
from augwidgets.preview.image_source import ImageSource  # noqa: E402
from augwidgets.preview.render import render_preview  # noqa: E402

ARGS = dict(rescale=1 / 255, rotation_range=20, width_shift_range=0.2,
            height_shift_range=0.2, shear_range=10, zoom_range=0.2, horizontal_flip=True)
DATA = Path(__file__).resolve().parent / "data" / "photos36"


def make_tree(root: Path = DATA, per_class: int = 12, seed: int = 0) -> Path:
    """Photo crops in three classes (china, flower, both), made once."""
    if root.exists() and sum(1 for _ in root.rglob("*.jpg")) == 3 * per_class:
        return root
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    rng = np.random.RandomState(seed)
    for name in ("china", "flower", "both"):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            photo = photos[0] if name == "china" else photos[1] if name == "flower" else photos[i % 2]
            top = rng.randint(0, photo.shape[0] - 300)
            left = rng.randint(0, photo.shape[1] - 260)
            Image.fromarray(photo[top:top + 300, left:left + 260]).save(
                root / name / f"{i:03d}.jpg", quality=90)
    return root


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.9 * (len(ordered) - 1))] * 1000


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_render(images: list, repeats: int) -> dict[str, float]:
    for draw in range(10):
        render_preview(images, ARGS, draw=draw)
    times, cpu = [], []
    for draw in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        preview = render_preview(images, ARGS, draw=draw)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median, p90 = _stats(times)
    cpu_median, cpu_p90 = _stats(cpu)
    png = render_preview(images, ARGS, format="png")
    grid = np.asarray(Image.open(io.BytesIO(png.value)).convert("RGB"))
    start = time.perf_counter()
    encode_image(grid, "png")
    png_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    encode_image(grid, "jpeg")
    jpeg_ms = (time.perf_counter() - start) * 1000
    return dict(median=median, p90=p90, cpu_median=cpu_median, cpu_p90=cpu_p90,
                jpeg_kb=len(preview.value) / 1024,
                png_kb=len(png.value) / 1024, jpeg_encode_ms=jpeg_ms, png_encode_ms=png_ms,
                shape=preview.shape)


def bench_panel(directory: Path, repeats: int, moves: int) -> dict[str, float]:
    from augwidgets import AugmentationPanel

    panel = AugmentationPanel(directory, **ARGS)
    slider = panel.controls["rotation_range"]
    for i in range(10):
        slider.value = float(i)
    times, cpu = [], []
    for i in range(repeats):
        before = panel.render_count
        start, start_cpu = time.perf_counter(), time.process_time()
        slider.value = float(10 + i % 80)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert panel.render_count == before + 1
    median, p90 = _stats(times)
    cpu_median, cpu_p90 = _stats(cpu)

    rss_before = _rss_mb()
    tracemalloc.start()
    heap_before = tracemalloc.get_traced_memory()[0]
    for i in range(moves):
        slider.value = float(i % 90)
    heap_growth = (tracemalloc.get_traced_memory()[0] - heap_before) / 2**20
    tracemalloc.stop()
    return dict(median=median, p90=p90, cpu_median=cpu_median, cpu_p90=cpu_p90,
                heap_growth_mb=heap_growth,
                rss_before_mb=rss_before, rss_after_mb=_rss_mb(), moves=moves)


def bench_matplotlib(images: list, repeats: int) -> dict[str, float]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from augwidgets.engine.arguments import TransformConfig
    from augwidgets.engine.sampling import sample_transform
    from augwidgets.image.pipeline import ImageSettings, process_image

    config = TransformConfig.from_kwargs(ARGS)
    times = []
    for draw in range(repeats):
        start = time.perf_counter()
        figure, axes = plt.subplots(3, 3, figsize=(6.72, 6.72), dpi=100)
        for tile, axis in enumerate(axes.ravel()):
            params = sample_transform(config, (224, 224, 3),
                                      np.random.RandomState(draw * 1000 + tile))
            pixels = process_image(images[tile].pixels, params, ImageSettings((224, 224)))
            axis.imshow(np.clip(pixels, 0, 255).astype(np.uint8))
            axis.set_title(images[tile].label, fontsize=8)
            axis.axis("off")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        times.append(time.perf_counter() - start)
    median, p90 = _stats(times)
    return dict(median=median, p90=p90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--no-matplotlib", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    directory = make_tree()
    images = ImageSource(directory, (224, 224)).sample(9)
    render = bench_render(images, args.repeats)
    panel = bench_panel(directory, args.repeats, args.moves)
    print(f"3x3 grid at 224 px ({render['shape'][1]}x{render['shape'][0]} with captions), "
          f"{os.cpu_count()} cores, {args.repeats} repeats\n")
    print(f"load average at the start: {load:.1f}, at the end: {os.getloadavg()[0]:.1f}\n")
    print("| step | median ms | p90 ms | CPU median ms | CPU p90 ms |")
    print("|---|---|---|---|---|")
    for name, row in (("render_preview (warp + captions + JPEG)", render),
                      ("panel slider move (preview, validation, findings; code/share tabs "
                       "closed)", panel)):
        print(f"| {name} | {row['median']:.1f} | {row['p90']:.1f} | {row['cpu_median']:.1f} "
              f"| {row['cpu_p90']:.1f} |")
    if not args.no_matplotlib:
        mpl = bench_matplotlib(images, max(10, args.repeats // 10))
        print(f"| matplotlib 3x3 imshow + savefig (anchor) | {mpl['median']:.1f} | "
              f"{mpl['p90']:.1f} | - | - |")
    print(f"\nencoded grid: JPEG q88 {render['jpeg_kb']:.0f} KiB "
          f"({render['jpeg_encode_ms']:.1f} ms), PNG level 1 {render['png_kb']:.0f} KiB "
          f"({render['png_encode_ms']:.1f} ms)")
    print(f"memory over {panel['moves']} slider moves: Python heap "
          f"{panel['heap_growth_mb']:+.2f} MiB (tracemalloc), RSS {panel['rss_before_mb']:.0f}"
          f" -> {panel['rss_after_mb']:.0f} MiB")


if __name__ == "__main__":
    main()
