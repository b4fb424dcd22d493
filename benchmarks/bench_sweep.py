"""The augmentation-strength curve on the bundled digits, for several seeds, with its run time.

Runs ``augwidgets.sweep`` with its defaults (strengths, epochs, image size, model) on a
class-balanced subset of ``--per-class`` training images per digit, once per seed, and
prints each seed's table and a summary. The summary checks the lesson's claim: the best
strength is interior (neither the smallest nor the largest), and its best validation
accuracy beats strength 0 by at least ``--min-gain-vs-none`` and the largest strength by at
least ``--min-gain-vs-largest``. The exit status is 1 when a seed misses it.

``--write`` also saves the text to ``benchmarks/results/sweep_digits.txt`` and the first
seed's figure to ``docs/images/sweep.png`` (what the README shows).

Run:
    TF_CPP_MIN_LOG_LEVEL=3 python benchmarks/bench_sweep.py --seeds 0 1 2 --write
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="default: sweep's default")
    parser.add_argument("--min-gain-vs-none", type=float, default=0.02)
    parser.add_argument("--min-gain-vs-largest", type=float, default=0.10)
    parser.add_argument("--data", type=Path, default=None,
                        help="where to write the digits (default: a temporary folder)")
    parser.add_argument("--write", action="store_true",
                        help="save the text and the first seed's figure in the repository")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import augwidgets
    from augwidgets.training import sweep as sweep_module

    scratch = tempfile.TemporaryDirectory(prefix="bench-sweep-")
    data = augwidgets.datasets.digits(args.data or Path(scratch.name) / "digits")
    epochs = args.epochs or sweep_module.DEFAULT_EPOCHS
    lines = [
        f"# augwidgets.sweep(root/'train', root/'validation', per_class={args.per_class}, "
        f"seed=s)  (defaults: strengths {list(sweep_module.DEFAULT_STRENGTHS)}, "
        f"epochs {epochs}, target_size {sweep_module.DEFAULT_TARGET_SIZE}, the default "
        "small CNN, batch 32, Adam 1e-3)",
        "# root = augwidgets.datasets.digits(dir)  (1,438 training / 359 validation images)",
        f"# {platform.machine()}, {os.cpu_count()} CPU cores, shared and loaded while measured: "
        "times are pessimistic",
    ]
    summary = [f"{'seed':>4} {'best s':>6} {'best val':>8} {'val at 0':>8} {'val at max':>10} "
               f"{'vs 0':>6} {'vs max':>6} {'gap at 0':>8} {'gap at best':>11} "
               f"{'seconds':>7}  ok"]
    failures = 0
    first_png = None
    started = time.perf_counter()
    for seed in args.seeds:
        with contextlib.redirect_stdout(io.StringIO()):  # "Found N images" lines
            result = augwidgets.sweep(data / "train", data / "validation",
                                      per_class=args.per_class, epochs=epochs, seed=seed,
                                      verbose=False)
        first_png = first_png or result.png
        rows = result.rows
        best = result.row(result.best_strength)
        none, largest = rows[0], rows[-1]
        vs_none = best.best_val_accuracy - none.best_val_accuracy
        vs_largest = best.best_val_accuracy - largest.best_val_accuracy
        ok = (best is not none and best is not largest and vs_none >= args.min_gain_vs_none
              and vs_largest >= args.min_gain_vs_largest)
        failures += not ok
        lines += ["", f"seed {seed} ({result.seconds:.0f} s)", result.table()]
        summary.append(f"{seed:>4} {best.strength:>6g} {best.best_val_accuracy:>8.3f} "
                       f"{none.best_val_accuracy:>8.3f} {largest.best_val_accuracy:>10.3f} "
                       f"{vs_none:>+6.3f} {vs_largest:>+6.3f} {none.gap:>+8.3f} "
                       f"{best.gap:>+11.3f} {result.seconds:>7.0f}  {'yes' if ok else 'NO'}")
        print("\n".join(lines[-3:]), flush=True)
    total = time.perf_counter() - started
    lines += ["", "summary (vs 0 / vs max: best validation accuracy minus that of strength 0 / "
              "of the largest strength)", *summary,
              f"total {total:.0f} s for {len(args.seeds)} seed(s)"]
    print("\n".join(lines[-(len(summary) + 2):]))
    if args.write:
        out = ROOT / "benchmarks" / "results" / f"sweep_digits_per_class{args.per_class}.txt"
        out.write_text("\n".join(lines) + "\n")
        if first_png:
            (ROOT / "docs" / "images" / "sweep.png").write_bytes(first_png)
        print(f"wrote {out.relative_to(ROOT)} and docs/images/sweep.png")
    scratch.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
