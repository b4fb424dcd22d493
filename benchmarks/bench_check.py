"""Write a large class-per-folder tree for timing ``augwidgets check`` (the dataset doctor).

Writes 80,000 training and 20,000 validation JPEGs of 64x48 pixels in 10 classes (smooth
random pictures, each different), then plants 50 byte-identical copies and 50 resized,
re-encoded copies of training images in validation, so the check's duplicate search has
known answers: 100,100 files in all.

Usage (see docs/check.md for the figures):
    python benchmarks/bench_check.py /tmp/check100k
    find /tmp/check100k -type f -exec cat {} + >/dev/null   # warm the page cache
    /usr/bin/time -v python -m augwidgets check /tmp/check100k/train \\
        --validation /tmp/check100k/validation --json > report.json
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
from PIL import Image


def picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(noise).resize((64, 48), Image.Resampling.BICUBIC)


def main(root: str, train: int = 80_000, validation: int = 20_000, classes: int = 10) -> None:
    number = 0
    for split, count in (("train", train), ("validation", validation)):
        for c in range(classes):
            os.makedirs(f"{root}/{split}/class_{c}", exist_ok=True)
        for i in range(count):
            picture(number).save(f"{root}/{split}/class_{i % classes}/{i}.jpg", quality=85)
            number += 1
    for k in range(50):
        c = k % classes
        shutil.copy(f"{root}/train/class_{c}/{k * classes + c}.jpg",
                    f"{root}/validation/class_{c}/copy_{k}.jpg")
        source = Image.open(f"{root}/train/class_{c}/{1000 + k * classes + c}.jpg")
        source.resize((40, 30)).save(f"{root}/validation/class_{c}/resized_{k}.jpg", quality=70)


if __name__ == "__main__":
    main(sys.argv[1])
