"""Input pipelines through ``model.fit``, the path users take, side by side in one run.

A near-free model (``GlobalAveragePooling2D`` + ``Dense``) isolates the input pipeline. On
the 1000-JPEG tree of ``bench_throughput.py`` (about 300x260, 4 classes, batch 32), each
pipeline gets one warm-up ``fit(steps_per_epoch=2)`` and then one timed epoch per round,
rounds interleaved; the table gives medians:

- augwidgets ``ImageDataGenerator`` with the course's arguments (rescale 1/255, rotation
  20, shifts 0.2, shear 0.2, zoom 0.2, horizontal flip), default ``resize="legacy"`` (exact
  legacy pixels) and the opt-in ``resize="fast"``;
- ``keras.utils.image_dataset_from_directory`` + rescale + prefetch, **no augmentation**
  (the ceiling);
- the same dataset with Keras 3 ``Random*`` layers mapped in ``tf.data`` (the modern way);
- the legacy generator with the same arguments (on 10 batches: it is slow).

CPU ms/img counts every thread of the process (``time.process_time``).

Usage:
    python benchmarks/bench_fit.py [--size 224] [--rounds 3]
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
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import EXAMPLE_ARGS, make_tree  # noqa: E402

BATCH = 32


def _model(size: int):
    import keras

    model = keras.Sequential([keras.Input((size, size, 3)),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    return model


def augwidgets_source(resize: str):
    def build(root: Path, size: int):
        from augwidgets import ImageDataGenerator

        return ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
            root, target_size=(size, size), batch_size=BATCH, seed=0, resize=resize), None
    return build


def ceiling_source(root: Path, size: int):
    import keras
    import tensorflow as tf

    dataset = keras.utils.image_dataset_from_directory(
        root, image_size=(size, size), batch_size=BATCH, seed=0, label_mode="categorical",
        verbose=False)
    return dataset.map(lambda x, y: (x / 255.0, y)).prefetch(tf.data.AUTOTUNE), None


def random_layers_source(root: Path, size: int):
    import keras
    import tensorflow as tf

    layers = keras.Sequential([
        keras.layers.Rescaling(1 / 255),
        keras.layers.RandomRotation(20 / 360, fill_mode="nearest"),
        keras.layers.RandomTranslation(0.2, 0.2, fill_mode="nearest"),
        keras.layers.RandomShear(0.2 / 90, 0.0, fill_mode="nearest"),
        keras.layers.RandomZoom(0.2, 0.2, fill_mode="nearest"),
        keras.layers.RandomFlip("horizontal"),
    ])
    dataset = keras.utils.image_dataset_from_directory(
        root, image_size=(size, size), batch_size=BATCH, seed=0, label_mode="categorical",
        verbose=False)
    dataset = dataset.map(lambda x, y: (layers(x, training=True), y),
                          num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE), None


def legacy_source(root: Path, size: int):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    return Legacy(**EXAMPLE_ARGS).flow_from_directory(
        root, target_size=(size, size), batch_size=BATCH, seed=0), 10


PIPELINES = {
    "augwidgets, course arguments (resize='legacy', exact pixels)": augwidgets_source("legacy"),
    "augwidgets, course arguments (resize='fast', opt-in)": augwidgets_source("fast"),
    "image_dataset_from_directory + rescale, no augmentation (ceiling)": ceiling_source,
    "image_dataset_from_directory + Keras 3 Random* layers": random_layers_source,
    "legacy ImageDataGenerator, course arguments": legacy_source,
}
CEILING = "image_dataset_from_directory + rescale, no augmentation (ceiling)"


def timed_epoch(model, source, steps: int | None, images_per_epoch: int) -> tuple[float, float, int]:
    images = steps * BATCH if steps else images_per_epoch
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(source, epochs=1, steps_per_epoch=steps, verbose=0)
    return time.perf_counter() - wall, time.process_time() - cpu, images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="substrings of pipeline names")
    args = parser.parse_args()
    root = make_tree()
    images_per_epoch = sum(len(files) for _, _, files in os.walk(root)) - 1  # minus marker
    chosen = {name: build for name, build in PIPELINES.items()
              if not args.only or any(part in name for part in args.only) or name == CEILING}
    prepared = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for name, build in chosen.items():  # warm-up: imports, graph tracing, page cache
            source, steps = build(root, args.size)
            model = _model(args.size)
            model.fit(source, epochs=1, steps_per_epoch=2, verbose=0)
            prepared[name] = (model, source, steps)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in chosen}
    for _ in range(args.rounds):
        for name, (model, source, steps) in prepared.items():
            wall, cpu, images = timed_epoch(model, source, steps, images_per_epoch)
            results[name].append((images / wall, cpu / images * 1000))
    ceiling = statistics.median(r[0] for r in results[CEILING])
    print(f"{os.cpu_count()} CPUs; model.fit on the TensorFlow backend, GlobalAveragePooling2D + "
          f"Dense; {images_per_epoch} JPEGs ~300x260 -> {args.size}x{args.size}, batch {BATCH}; "
          f"median of {args.rounds} interleaved rounds\n")
    print("| pipeline through model.fit | img/s | CPU ms/img | vs ceiling |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        rate = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"| {name} | {rate:.0f} | {cpu:.2f} | {rate / ceiling:.2f}x |")


if __name__ == "__main__":
    main()
