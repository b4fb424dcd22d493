"""One augwidgets iterator through ``model.fit``, read directly, and the ceiling, side by side.

The path users take: ``ImageDataGenerator(<course arguments>).flow_from_directory(...)`` with
default iterator arguments, given to ``model.fit`` on the TensorFlow backend. A near-free
model (``GlobalAveragePooling2D`` + ``Dense``) isolates the input pipeline. Compared, in
interleaved rounds of one epoch each (1000 JPEGs of about 300x260 to 224 px, batch 32):

- ``fit``: the iterator with default arguments through ``model.fit`` (Keras shuffles the
  batch order, as by default);
- ``fit, workers=2`` / ``workers=4`` / ``workers=2, use_multiprocessing=True``: the same
  with Keras' own workers (``workers`` also sets the threads per batch);
- ``direct``: the same iterator read in order, ``it[i]`` for every batch, no model;
- ``ceiling``: ``keras.utils.image_dataset_from_directory`` + rescale + prefetch, **no
  augmentation**, through the same ``model.fit``.

Each row gives img/s and CPU ms per image (every thread, and worker processes once they
exit) as ``median (min-max)`` over rounds, and each ratio is taken round by round.

Usage:
    python benchmarks/bench_fit_paths.py [--rounds 3] [--size 224] [--no-variants]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import EXAMPLE_ARGS, count_images, interleave, make_tree, span  # noqa: E402

BATCH = 32
FIT, DIRECT, CEILING = "fit", "direct (it[i] in order)", "ceiling (no augmentation), fit"


def _model(size: int):
    import keras

    model = keras.Sequential([keras.Input((size, size, 3)),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    return model


def _iterator(root: Path, size: int, **options):
    from augwidgets import ImageDataGenerator

    return ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
        root, target_size=(size, size), batch_size=BATCH, seed=0, **options)


def _ceiling(root: Path, size: int):
    import keras
    import tensorflow as tf

    dataset = keras.utils.image_dataset_from_directory(
        root, image_size=(size, size), batch_size=BATCH, seed=0, label_mode="categorical",
        verbose=False)
    return dataset.map(lambda x, y: (x / 255.0, y)).prefetch(tf.data.AUTOTUNE)


def _fit_run(model, data, images: int):
    def run() -> int:
        model.fit(data, epochs=1, verbose=0)
        return images
    return run


def _direct_run(iterator):
    def run() -> int:
        images = 0
        for index in range(len(iterator)):
            images += len(iterator[index][0])
        iterator.on_epoch_end()
        return images
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-variants", action="store_true",
                        help="leave out the workers / use_multiprocessing rows")
    args = parser.parse_args()
    root = make_tree()
    images = count_images(root)
    variants = {FIT: {}}
    if not args.no_variants:
        variants.update({"fit, workers=2": dict(workers=2), "fit, workers=4": dict(workers=4),
                         "fit, workers=2, use_multiprocessing=True":
                             dict(workers=2, use_multiprocessing=True)})
    runs = {name: _fit_run(_model(args.size), _iterator(root, args.size, **options), images)
            for name, options in variants.items()}
    runs[DIRECT] = _direct_run(_iterator(root, args.size))
    runs[CEILING] = _fit_run(_model(args.size), _ceiling(root, args.size), images)
    results = interleave(runs, args.rounds)

    print(f"{os.cpu_count()} CPUs; model.fit on the TensorFlow backend, GlobalAveragePooling2D + "
          f"Dense; {images} JPEGs ~300x260 -> {args.size}x{args.size}, batch {BATCH}; "
          f"median (min-max) of {args.rounds} interleaved rounds\n")
    print("| pipeline | img/s | CPU ms/img | img/s vs ceiling | img/s vs direct | "
          "CPU ms/img vs ceiling |")
    print("|---|---|---|---|---|---|")
    for name in runs:
        cpu_ratio = [a / b for a, b in zip(results.cpu_ms[name], results.cpu_ms[CEILING])]
        print(f"| {name} | {span(results.rates[name], 0)} | {span(results.cpu_ms[name])} | "
              f"{span(results.ratio(name, CEILING))}x | {span(results.ratio(name, DIRECT))}x | "
              f"{span(cpu_ratio)}x |")
    fit = results.ratio(FIT, CEILING)
    print(f"\nGoals for `{FIT}`: >= 1.0x the ceiling (aim 1.3x): {span(fit)}x; >= 0.9x direct: "
          f"{span(results.ratio(FIT, DIRECT))}x; CPU ms/img <= 1.2x the ceiling's: "
          f"{span([a / b for a, b in zip(results.cpu_ms[FIT], results.cpu_ms[CEILING])])}x")


if __name__ == "__main__":
    main()
