"""What ``augwidgets.interpret`` costs on the bundled digits, and the picture in the docs.

Trains the default small CNN on the digits (32 px, grayscale, light augmentation, seed 0),
then times, in interleaved rounds:

- ``interpret(model, validation)`` over the 359 validation images, and over the 1,438
  training images read as an un-shuffled iterator;
- the static picture (``Interpretation.figure()``);
- building the view, and one click on a matrix cell (the gallery of that cell re-encoded).

``--write`` saves the text to ``benchmarks/results/interpret_digits.txt`` and the static
picture to ``docs/images/interpret.png`` (what ``docs/interpret.md`` shows).

Run:
    TF_CPP_MIN_LOG_LEVEL=3 python benchmarks/bench_interpret.py --write
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true",
                        help="save the text and the picture in the repository")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import keras

    import augwidgets
    from augwidgets.training.model import build_default_model
    from augwidgets.widgets.interpretation import InterpretationView

    keras.utils.set_random_seed(0)
    scratch = tempfile.TemporaryDirectory(prefix="bench-interpret-")
    data = augwidgets.datasets.digits(Path(scratch.name) / "digits")
    options = {"target_size": (32, 32), "color_mode": "grayscale", "batch_size": 32}
    light = {"rotation_range": 10, "width_shift_range": 0.1, "height_shift_range": 0.1,
             "zoom_range": 0.1}
    train = augwidgets.ImageDataGenerator(rescale=1 / 255, **light).flow_from_directory(
        data / "train", shuffle=True, seed=0, **options)
    plain = augwidgets.ImageDataGenerator(rescale=1 / 255)
    validation = plain.flow_from_directory(data / "validation", shuffle=False, **options)
    train_in_order = plain.flow_from_directory(data / "train", shuffle=False, **options)
    model = build_default_model(train.image_shape, train.num_classes, seed=0)
    started = time.perf_counter()
    model.fit(train, epochs=args.epochs, verbose=0)
    fit_seconds = time.perf_counter() - started

    result = augwidgets.interpret(model, validation)
    cell = result.most_confused(1)[0][:2] if result.mistakes else ("0", "0")
    timings: dict[str, list[float]] = {
        "interpret, 359 validation images": [],
        "interpret, 1,438 training images": [],
        "static picture (matrix + 9 top losses)": [],
        "view built (100 buttons, first gallery)": [],
        "click on a cell (gallery re-drawn)": [],
    }
    view = InterpretationView(result)
    for _ in range(args.rounds):  # interleaved, so a busy moment hits every measurement
        timings["interpret, 359 validation images"] += _timed(
            lambda: augwidgets.interpret(model, validation), 1)
        timings["interpret, 1,438 training images"] += _timed(
            lambda: augwidgets.interpret(model, train_in_order), 1)
        timings["static picture (matrix + 9 top losses)"] += _timed(result.figure, 1)
        timings["view built (100 buttons, first gallery)"] += _timed(
            lambda: InterpretationView(result), 1)
        timings["click on a cell (gallery re-drawn)"] += _timed(
            lambda: view.cell_button(*cell).click(), 1)

    lines = [
        f"# augwidgets.interpret on the bundled digits (32 px grayscale, default CNN, "
        f"light augmentation, {args.epochs} epochs, seed 0; fit took {fit_seconds:.0f} s)",
        f"# {platform.machine()}, {os.cpu_count()} CPU cores, shared while measured; "
        f"median and range of {args.rounds} interleaved rounds",
        f"# {result.summary()}",
        f"# most confused (true, predicted, images): {result.most_confused(3)}",
        "",
    ]
    for name, values in timings.items():
        lines.append(f"{name:<42} {statistics.median(values) * 1000:8.0f} ms  "
                     f"({min(values) * 1000:.0f}-{max(values) * 1000:.0f})")
    text = "\n".join(lines)
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "results" / "interpret_digits.txt").write_text(text + "\n")
        (ROOT / "docs" / "images" / "interpret.png").write_bytes(result.figure())
    return 0


if __name__ == "__main__":
    sys.exit(main())
