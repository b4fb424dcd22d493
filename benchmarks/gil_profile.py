"""Time per image during which the batch-building threads hold the GIL (run under py-spy).

    py-spy record --gil -r 200 --format raw -o gil.txt -- python benchmarks/gil_profile.py
    python benchmarks/gil_profile.py --report gil.txt

The first command iterates the 1000-JPEG tree of ``bench_throughput.py`` for three epochs
at 224 px with the course's arguments (after a warm-up epoch), sampling only threads that
hold the GIL. The second sums the samples whose stack passes through augwidgets' batch
code and divides by the images built: the serial part of each image, which bounds how far
more cores can help (Amdahl's law).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EPOCHS, SIZE, RATE = 3, 224, 200


def iterate() -> None:
    from augwidgets import ImageDataGenerator
    from benchmarks.harness import EXAMPLE_ARGS, make_tree

    iterator = ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
        make_tree(), target_size=(SIZE, SIZE), batch_size=32, seed=0)
    for index in range(len(iterator)):  # warm-up epoch, outside the marker
        iterator[index]
    print("MEASURE-START", time.time(), flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(EPOCHS):
        for index in range(len(iterator)):
            iterator[index]
        iterator.on_epoch_end()
    images = EPOCHS * iterator.samples
    print(f"{images} images: {(time.perf_counter() - wall) / images * 1000:.2f} ms wall, "
          f"{(time.process_time() - cpu) / images * 1000:.2f} ms CPU per image")


def report(path: str, images: int, rate: int) -> None:
    held, total = 0, 0
    markers = ("process_image", "_load_and_process", "_get_batches_of_transformed_samples",
               "map_into", "_build_batch", "load_image", "decode_image")
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(" ")
        total += int(count)
        if any(m in stack for m in markers):
            held += int(count)
    per_image = held / rate / images * 1000
    print(f"GIL held in the batch code: {held} samples at {rate} Hz over {images} images = "
          f"{per_image:.3f} ms per image ({total} GIL samples in all)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", help="a py-spy raw output to summarise")
    parser.add_argument("--images", type=int, default=EPOCHS * 1000 + 1000)
    args = parser.parse_args()
    if args.report:
        report(args.report, args.images, RATE)
    else:
        iterate()
