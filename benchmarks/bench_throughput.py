"""Throughput of augwidgets' iterator against its anchors, side by side in one run.

Builds (once) a 1000-JPEG, 4-class tree of ~300x260 photos-like images under
``benchmarks/data/jpeg1000`` and iterates one epoch, as ``model.fit`` does, with:

- augwidgets ``ImageDataGenerator(...).flow_from_directory`` with the course's arguments,
  iterated directly (``it[i]`` for every batch, as Keras does with the JAX/PyTorch backends)
  and through the ``tf.data`` wrapper that ``fit`` builds on the TensorFlow backend;
- ``keras.utils.image_dataset_from_directory`` + rescale + prefetch, *no augmentation*
  (the ceiling);
- the legacy ``keras.preprocessing.image.ImageDataGenerator`` with the same arguments
  (on a 320-image slice: it is slow).

Reports images per second, CPU milliseconds per image (all threads), and ratios.

Usage:
    python benchmarks/bench_throughput.py [--sizes 224 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EXAMPLE_ARGS = dict(rescale=1 / 255, rotation_range=20, width_shift_range=0.2,
                    height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                    horizontal_flip=True)
DATA = Path(__file__).resolve().parent / "data" / "jpeg1000"


def make_tree(root: Path = DATA, count: int = 1000, classes: int = 4, seed: int = 0) -> Path:
    """Write ``count`` JPEGs of about 300x260 into ``classes`` folders (once)."""
    marker = root / ".complete"
    if marker.exists():
        return root
    rng = np.random.RandomState(seed)
    for index in range(count):
        label = index % classes
        folder = root / f"class_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        width, height = 280 + rng.randint(41), 240 + rng.randint(41)
        base = rng.randint(0, 255, size=(height // 8, width // 8, 3)).astype(np.uint8)
        image = Image.fromarray(base).resize((width, height), Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x0, y0 = rng.randint(0, width - 40), rng.randint(0, height - 40)
            size = rng.randint(20, 120)
            color = tuple(int(v) for v in rng.randint(0, 255, 3))
            draw.ellipse([x0, y0, x0 + size, y0 + size], fill=color)
        image = image.filter(ImageFilter.GaussianBlur(1))
        image.save(folder / f"img_{index:04d}.jpg", quality=90)
    marker.write_text("ok")
    return root


def _timed(fn) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    images = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, images


def run_augwidgets(root: Path, size: int, resize: str = "legacy") -> int:
    from augwidgets import ImageDataGenerator

    iterator = ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
        root, target_size=(size, size), batch_size=32, seed=0, resize=resize)
    images = 0
    for index in range(len(iterator)):  # what keras' PyDataset adapter does per epoch
        x, _ = iterator[index]
        images += len(x)
    iterator.on_epoch_end()
    iterator.close()
    return images


def run_augwidgets_fast(root: Path, size: int) -> int:
    """The opt-in ``resize="fast"``: DCT-scaled JPEG decoding, resize folded into the warp."""
    return run_augwidgets(root, size, resize="fast")


def run_augwidgets_keras_adapter(root: Path, size: int) -> int:
    """The same iterator through the tf.data wrapper that ``model.fit`` builds for a
    ``PyDataset`` on the TensorFlow backend (one extra copy per batch into a tensor)."""
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    from augwidgets import ImageDataGenerator

    iterator = ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
        root, target_size=(size, size), batch_size=32, seed=0)
    dataset = PyDatasetAdapter(iterator, shuffle=False).get_tf_dataset()
    return sum(int(x.shape[0]) for x, _ in dataset)


def run_keras_ceiling(root: Path, size: int) -> int:
    import keras
    import tensorflow as tf

    dataset = keras.utils.image_dataset_from_directory(
        root, image_size=(size, size), batch_size=32, seed=0, verbose=False)
    dataset = dataset.map(lambda x, y: (x / 255.0, y)).prefetch(tf.data.AUTOTUNE)
    return sum(int(x.shape[0]) for x, _ in dataset)


def run_legacy(root: Path, size: int, batches: int = 10) -> int:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    iterator = Legacy(**EXAMPLE_ARGS).flow_from_directory(
        root, target_size=(size, size), batch_size=32, seed=0)
    return sum(len(iterator[index][0]) for index in range(batches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 64])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import contextlib
    import io

    root = make_tree()
    ceiling_name = "keras image_dataset_from_directory (no aug, ceiling)"
    legacy_name = "legacy ImageDataGenerator (augmented)"
    pipelines = {"augwidgets (augmented), iterated directly": run_augwidgets,
                 "augwidgets (augmented, resize='fast'), iterated directly": run_augwidgets_fast,
                 "augwidgets (augmented), through fit's tf.data adapter":
                     run_augwidgets_keras_adapter,
                 ceiling_name: run_keras_ceiling,
                 legacy_name: run_legacy}
    print(f"{os.cpu_count()} CPUs; 1000 JPEGs ~300x260, 4 classes, batch 32; "
          f"median of {args.rounds} interleaved rounds\n")
    for size in args.sizes:
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in pipelines}
        with contextlib.redirect_stdout(io.StringIO()):  # silence "Found N images"
            for name, fn in pipelines.items():  # warm-up: imports, file cache, graph tracing
                fn(root, size) if "legacy" not in name else run_legacy(root, size, batches=1)
        for _ in range(args.rounds):
            for name, fn in pipelines.items():
                with contextlib.redirect_stdout(io.StringIO()):
                    wall, cpu, images = _timed(lambda fn=fn, size=size: fn(root, size))
                results[name].append((images / wall, cpu / images * 1000))
        ceiling = statistics.median(r[0] for r in results[ceiling_name])
        legacy = statistics.median(r[0] for r in results[legacy_name])
        print(f"## {size}x{size}\n")
        print("| pipeline | img/s | CPU ms/img | vs ceiling | vs legacy |")
        print("|---|---|---|---|---|")
        for name, rows in results.items():
            rate = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            print(f"| {name} | {rate:.0f} | {cpu:.2f} | {rate / ceiling:.2f}x | "
                  f"{rate / legacy:.1f}x |")
        print()


if __name__ == "__main__":
    main()
