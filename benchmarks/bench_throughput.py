"""Throughput of augwidgets' iterator against its anchors, side by side in one run.

Builds (once) a 1000-JPEG, 4-class tree of ~300x260 photos-like images under
``/tmp/augwidgets-bench/jpeg1000`` (``benchmarks/harness.py``) and iterates one epoch, as ``model.fit`` does, with:

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


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import EXAMPLE_ARGS, make_tree  # noqa: E402


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
