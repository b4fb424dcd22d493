"""Phone-sized photos to 224 px: the default exact resize against the opt-in ``resize="fast"``.

Writes (once) forty 4000x3000 JPEGs, 2 classes, under ``benchmarks/data/photos40`` and
iterates one epoch (batch 8) with the course's arguments, in interleaved rounds:

- augwidgets, ``resize="legacy"`` (default: full decode, PIL resize, exact legacy pixels);
- augwidgets, ``resize="fast"`` (JPEG decoded at 1/8 scale in the DCT, resize in the warp);
- ``keras.utils.image_dataset_from_directory`` + rescale, no augmentation;
- the legacy generator (on 2 batches).

Usage:
    python benchmarks/bench_photos.py [--rounds 3]
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
from PIL import Image, ImageFilter  # noqa: E402

from benchmarks.harness import EXAMPLE_ARGS  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "photos40"
SIZE, BATCH = 224, 8


def make_photos(root: Path = DATA, count: int = 40) -> Path:
    marker = root / ".complete"
    if marker.exists():
        return root
    rng = np.random.RandomState(0)
    for index in range(count):
        folder = root / f"class_{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        base = rng.randint(0, 255, size=(60, 80, 3)).astype(np.uint8)
        photo = Image.fromarray(base).resize((4000, 3000), Image.Resampling.BICUBIC)
        photo = photo.filter(ImageFilter.GaussianBlur(3))
        photo.save(folder / f"photo_{index:02d}.jpg", quality=90)
    marker.write_text("ok")
    return root


def run_augwidgets(resize: str):
    def run(root: Path) -> int:
        from augwidgets import ImageDataGenerator

        iterator = ImageDataGenerator(**EXAMPLE_ARGS).flow_from_directory(
            root, target_size=(SIZE, SIZE), batch_size=BATCH, seed=0, resize=resize)
        images = sum(len(iterator[i][0]) for i in range(len(iterator)))
        iterator.close()
        return images
    return run


def run_dataset(root: Path) -> int:
    import keras

    dataset = keras.utils.image_dataset_from_directory(
        root, image_size=(SIZE, SIZE), batch_size=BATCH, seed=0, verbose=False)
    return sum(int(x.shape[0]) for x, _ in dataset.map(lambda x, y: (x / 255.0, y)))


def run_legacy(root: Path) -> int:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as Legacy

    iterator = Legacy(**EXAMPLE_ARGS).flow_from_directory(
        str(root), target_size=(SIZE, SIZE), batch_size=BATCH, seed=0)
    return sum(len(iterator[i][0]) for i in range(2))


PIPELINES = {
    "augwidgets, resize='legacy' (default, exact)": run_augwidgets("legacy"),
    "augwidgets, resize='fast' (opt-in)": run_augwidgets("fast"),
    "image_dataset_from_directory + rescale, no augmentation": run_dataset,
    "legacy ImageDataGenerator": run_legacy,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = make_photos()
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in PIPELINES}
    with contextlib.redirect_stdout(io.StringIO()):
        run_dataset(root)  # warm-up: imports, page cache
        for _ in range(args.rounds):
            for name, run in PIPELINES.items():
                wall, cpu = time.perf_counter(), time.process_time()
                images = run(root)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                results[name].append((images / wall, cpu / images * 1000))
    fast = statistics.median(r[0] for r in results["augwidgets, resize='fast' (opt-in)"])
    print(f"{os.cpu_count()} CPUs; 40 JPEGs 4000x3000 -> {SIZE}x{SIZE}, batch {BATCH}, the "
          f"course's arguments; median of {args.rounds} interleaved rounds\n")
    print("| pipeline | img/s | CPU ms/img | resize='fast' is |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        rate = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"| {name} | {rate:.1f} | {cpu:.1f} | {fast / rate:.1f}x faster |")


if __name__ == "__main__":
    main()
