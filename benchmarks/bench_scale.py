"""Time to a ready iterator (and to its first batch) on folders of 1k, 10k and 100k images.

Writes (once) trees of small JPEGs, 10 classes, under ``benchmarks/data/scale_<n>`` (the
100,000-file tree takes about a minute and 400 MB), warms the page cache, then times in
interleaved rounds:

- augwidgets ``flow_from_directory`` (lists files, opens none), and its first batch;
- the legacy ``flow_from_directory``;
- ``keras.utils.image_dataset_from_directory`` (lists files and builds the dataset).

Usage:
    python benchmarks/bench_scale.py [--counts 1000 10000 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def make_tree(count: int, classes: int = 10) -> Path:
    """``count`` 64x48 JPEGs (16 distinct images, written as many files), once."""
    root = DATA / f"scale_{count}"
    marker = root / ".complete"
    if marker.exists():
        return root
    rng = np.random.RandomState(0)
    payloads = []
    for _ in range(16):
        buffer = io.BytesIO()
        Image.fromarray(rng.randint(0, 255, (48, 64, 3), dtype=np.uint8)).save(
            buffer, format="JPEG", quality=85)
        payloads.append(buffer.getvalue())
    for label in range(classes):
        (root / f"class_{label}").mkdir(parents=True, exist_ok=True)
    for index in range(count):
        path = root / f"class_{index % classes}" / f"img_{index:06d}.jpg"
        path.write_bytes(payloads[index % len(payloads)])
    marker.write_text("ok")
    return root


def warm(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                handle.read()


def time_augwidgets(root: Path) -> tuple[float, float]:
    from augwidgets import ImageDataGenerator

    start = time.perf_counter()
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        root, target_size=(64, 64), batch_size=32)
    built = time.perf_counter() - start
    iterator[0]
    first = time.perf_counter() - start - built
    iterator.close()
    return built, first


def time_legacy(root: Path) -> tuple[float, float]:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    start = time.perf_counter()
    Legacy(rescale=1 / 255).flow_from_directory(str(root), target_size=(64, 64), batch_size=32)
    return time.perf_counter() - start, float("nan")


def time_dataset(root: Path) -> tuple[float, float]:
    import keras

    start = time.perf_counter()
    keras.utils.image_dataset_from_directory(root, image_size=(64, 64), batch_size=32,
                                             verbose=False)
    return time.perf_counter() - start, float("nan")


PIPELINES = {"augwidgets flow_from_directory": time_augwidgets,
             "legacy flow_from_directory": time_legacy,
             "keras image_dataset_from_directory": time_dataset}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import keras  # noqa: F401  (imports outside the timings)
    from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: F401

    import augwidgets.engine.generator  # noqa: F401

    print(f"{os.cpu_count()} CPUs; construction time (s), median of {args.rounds} interleaved "
          "rounds, warm page cache\n")
    print("| files | augwidgets | first batch after | legacy | image_dataset_from_directory "
          "| augwidgets / legacy |")
    print("|---|---|---|---|---|---|")
    for count in args.counts:
        root = make_tree(count)
        warm(root)
        results = {name: [] for name in PIPELINES}
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(args.rounds):
                for name, run in PIPELINES.items():
                    results[name].append(run(root))
        ours = statistics.median(r[0] for r in results["augwidgets flow_from_directory"])
        first = statistics.median(r[1] for r in results["augwidgets flow_from_directory"])
        legacy = statistics.median(r[0] for r in results["legacy flow_from_directory"])
        dataset = statistics.median(r[0] for r in results["keras image_dataset_from_directory"])
        print(f"| {count:,} | {ours:.3f} | {first:.3f} | {legacy:.3f} | {dataset:.3f} | "
              f"{ours / legacy:.2f}x |")


if __name__ == "__main__":
    main()
