"""The dataset doctor: will this class-per-folder tree train, and train honestly?

``check_dataset`` lists a folder (or a training and a validation folder) exactly as
``flow_from_directory`` does, decodes every file on the iterator's threads (``verify``
with a ``visit`` hook), and returns a ``DatasetReport`` whose ``findings`` use the same
``Finding`` type as ``diagnose()``: severity, the files involved, and what to do. It looks
for:

- files that cannot be decoded, hidden folders (``.ipynb_checkpoints``, which the legacy
  generator counts as a class), empty classes, files the generator silently ignores;
- class names that sort surprisingly ("10" before "2") and classes that differ between
  training and validation (the indices then mean different classes);
- class imbalance, with the ``class_weight`` that compensates;
- exact and near duplicates, above all *across* training and validation
  (``tools.duplicates``: a content digest and a perceptual hash), and the same picture
  under two labels;
- the spread of sizes, aspect ratios and colour modes (``tools.check_images``), with a
  suggested ``target_size`` and ``resize="fast"`` where the images are far larger.

Examples:
    >>> report = check_dataset("data/train", "data/validation")  # doctest: +SKIP
    >>> report.ok, [str(f) for f in report.errors]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from augwidgets.engine.scan import WHITE_LIST_FORMATS
from augwidgets.tools.check_images import (
    DuplicatePair,
    SplitSummary,
    duplicate_findings,
    find_duplicates,
    image_findings,
    size_summary,
)
from augwidgets.tools.duplicates import Fingerprint, fingerprint
from augwidgets.tools.findings import Finding

_ORDER = {"error": 0, "warning": 1, "info": 2}
LISTED = 20  # files named in one finding's message; all of them go in ``Finding.files``


@dataclass
class DatasetReport:
    """What ``check_dataset`` found. ``ok`` is true when there are no errors.

    Attributes:
        findings: errors first, then warnings, then information.
        splits: one ``SplitSummary`` per folder checked.
        duplicates: every duplicate pair found (exact and near), across and within folders.
        suggested_target_size: a ``(height, width)`` that suits most images.
        sizes: the spread of sizes, aspect ratios, modes and formats.
        seconds: how long the check took.
    """

    findings: list[Finding]
    splits: list[SplitSummary]
    duplicates: list[DuplicatePair]
    suggested_target_size: tuple[int, int] | None
    sizes: dict[str, Any]
    seconds: float

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what ``augwidgets check --json`` prints)."""
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "findings": [{"severity": f.severity, "topic": f.parameter, "message": f.message,
                          "files": list(f.files)} for f in self.findings],
            "splits": [split.to_dict() for split in self.splits],
            "duplicates": [pair.to_dict() for pair in self.duplicates],
            "suggested_target_size": (list(self.suggested_target_size)
                                      if self.suggested_target_size else None),
            "sizes": self.sizes,
        }

    def __str__(self) -> str:
        lines = []
        for split in self.splits:
            counts = ", ".join(f"{name}: {count}" for name, count in split.class_counts.items())
            lines.append(f"{split.role}: {split.directory}: {split.images} images in "
                         f"{len(split.class_counts)} classes ({counts})")
        tally = Counter(f.severity for f in self.findings)
        lines.append(f"{tally['error']} errors, {tally['warning']} warnings, "
                     f"{tally['info']} notes ({self.seconds:.1f} s)")
        lines += [str(finding) for finding in self.findings]
        return "\n".join(lines)


def check_dataset(
    directory: str | os.PathLike[str],
    validation: str | os.PathLike[str] | None = None,
    *,
    target_size: tuple[int, int] | None = None,
    progress: bool = True,
    near_distance: int = 6,
    workers: int | None = None,
) -> DatasetReport:
    """Check a class-per-folder tree, or a training and validation pair, before training.

    Args:
        directory: the training folder (one sub-folder per class).
        validation: the validation folder, if separate.
        target_size: the ``(height, width)`` you mean to train at; ``None`` checks the
            images against the suggested size instead.
        progress: show a progress bar while the files are decoded.
        near_distance: how many of the perceptual hash's 64 bits two pictures may differ
            in and still count as near duplicates (0 to 7).
        workers: decoding threads (default: one per CPU).

    Returns:
        A ``DatasetReport``.

    Raises:
        ValueError: if a folder does not exist, or an argument is out of range.
    """
    if not isinstance(near_distance, int) or not 0 <= near_distance <= 7:
        raise ValueError("`near_distance` must be an int from 0 to 7. "
                         f"Received: near_distance={near_distance!r}")
    if target_size is not None:
        if (not isinstance(target_size, (tuple, list)) or len(target_size) != 2
                or not all(isinstance(v, int) and v > 0 for v in target_size)):
            raise ValueError("`target_size` must be None or a (height, width) pair of ints "
                             f"> 0. Received: target_size={target_size!r}")
        target_size = (int(target_size[0]), int(target_size[1]))
    start = time.perf_counter()
    splits = [_read_split(directory, "training", progress, workers)]
    if validation is not None:
        splits.append(_read_split(validation, "validation", progress, workers))
    findings: list[Finding] = []
    for split in splits:
        findings += _structure_findings(split)
    if len(splits) == 2:
        findings += _class_mismatch(*splits)
    duplicates = find_duplicates(splits, near_distance)
    findings += duplicate_findings(splits, duplicates)
    sizes, suggested = size_summary(splits)
    findings += image_findings(splits, sizes, suggested, target_size)
    findings.sort(key=lambda f: _ORDER[f.severity])
    return DatasetReport(findings, splits, duplicates, suggested, sizes,
                         time.perf_counter() - start)


def _read_split(directory: str | os.PathLike[str], role: str, progress: bool,
                workers: int | None) -> SplitSummary:
    from augwidgets.engine.generator import ImageDataGenerator
    from augwidgets.engine.iterators.directory import DirectoryIterator

    directory = os.fspath(directory)
    with contextlib.redirect_stdout(io.StringIO()):  # "Found N images..." is ours to say
        iterator = DirectoryIterator(directory, ImageDataGenerator(), target_size=(8, 8),
                                     class_mode=None, shuffle=False, workers=workers)
    paths = iterator.filepaths
    prints: list[Fingerprint | None] = [None] * len(paths)

    def visit(index: int, path: str) -> None:
        prints[index] = fingerprint(path)

    try:
        skipped = iterator.verify(progress=progress, visit=visit)
    finally:
        iterator.executor.close()
    counts = np.bincount(iterator.classes, minlength=iterator.num_classes)
    class_counts = {name: int(counts[i]) for name, i in iterator.class_indices.items()}
    broken = [(os.path.join(directory, name), reason) for name, reason in skipped]
    return SplitSummary(role, directory, class_counts, list(paths),
                        np.asarray(iterator.classes), prints, broken, list(iterator.ignored),
                        _other_files(directory, iterator.class_indices))


def _other_files(directory: str, classes: dict[str, int]) -> list[str]:
    """Files the generator never reads: loose at the top, or with another extension."""
    others = [entry.name for entry in os.scandir(directory)
              if entry.is_file() and not entry.name.startswith(".")]
    for name in classes:
        top = os.path.join(directory, name)
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            others += [os.path.relpath(os.path.join(root, f), directory) for f in files
                       if not f.startswith(".") and not f.lower().endswith(WHITE_LIST_FORMATS)]
    return sorted(others)


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:LISTED])
    return shown + (f" and {len(paths) - LISTED} more" if len(paths) > LISTED else "")


def _natural_key(name: str) -> list[Any]:
    """Numbers by value, letters regardless of case: the order people expect."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _structure_findings(split: SplitSummary) -> list[Finding]:
    findings: list[Finding] = []
    add = findings.append
    where = f"{split.role} folder {split.directory!r}"
    if split.broken:
        paths = [path for path, _ in split.broken]
        reasons = "; ".join(f"{os.path.basename(p)}: {r}" for p, r in split.broken[:5])
        add(Finding("files", "error",
                    f"{len(paths)} of {split.images} files in the {where} cannot be decoded "
                    f"({reasons}). The legacy generator raises in the middle of an epoch at a file "
                    "it cannot open, and silently fills the missing part of a truncated one "
                    "with grey; augwidgets skips both with a warning. Fix: delete or replace "
                    f"them: {_listed(paths)}.", tuple(paths)))
    hidden = [path for path, reason in split.ignored
              if reason == "hidden folder" and os.sep not in path]
    if hidden:
        full = [os.path.join(split.directory, name) for name in hidden]
        add(Finding("classes", "warning",
                    f"Hidden folder(s) {', '.join(hidden)} in the {where}: the legacy "
                    "flow_from_directory counts every sub-folder as a class, so "
                    f"{hidden[0]!r} becomes an extra class (an extra output unit, with "
                    "the indices of the real classes shifted). Jupyter makes "
                    ".ipynb_checkpoints whenever a notebook is saved nearby. augwidgets skips "
                    f"hidden folders. Fix: delete them (rm -r {full[0]}) or pass "
                    "classes=[...] explicitly.", tuple(full)))
    nested = [path for path, _ in split.ignored if path not in hidden]
    if nested:
        add(Finding("files", "info",
                    f"{len(nested)} hidden files or folders inside the classes of the {where} "
                    f"are skipped (e.g. {_listed(nested[:3])}).",
                    tuple(os.path.join(split.directory, p) for p in nested)))
    empty = [name for name, count in split.class_counts.items() if count == 0]
    if not split.class_counts:
        add(Finding("classes", "error",
                    f"The {where} has no class sub-folders, so flow_from_directory finds 0 "
                    "images. Fix: put the images in one sub-folder per class "
                    f"({split.directory}/cat/1.jpg, {split.directory}/dog/2.jpg).",
                    (split.directory,)))
    elif empty:
        add(Finding("classes", "error",
                    f"Class folder(s) {', '.join(map(repr, empty))} in the {where} hold no "
                    f"images ({', '.join(WHITE_LIST_FORMATS)}). They still get a class index "
                    "and an output unit the model can never learn. Fix: add images, or remove "
                    "the folders.", tuple(os.path.join(split.directory, n) for n in empty)))
    if split.other_files:
        extensions = Counter(os.path.splitext(p)[1].lower() or "(none)"
                             for p in split.other_files)
        kinds = ", ".join(f"{count} {ext}" for ext, count in extensions.most_common(5))
        add(Finding("files", "warning",
                    f"{len(split.other_files)} files in the {where} are never read ({kinds}): "
                    "flow_from_directory only reads files inside a class folder with the "
                    f"extensions {', '.join(WHITE_LIST_FORMATS)}. Fix: convert images you want "
                    f"(e.g. .webp, .gif) to PNG or JPEG; move stray files away: "
                    f"{_listed(split.other_files)}.",
                    tuple(os.path.join(split.directory, p) for p in split.other_files)))
    findings += _class_order(split)
    findings += _balance(split)
    return findings


def _class_order(split: SplitSummary) -> list[Finding]:
    names = list(split.class_counts)
    natural = sorted(names, key=_natural_key)
    if names == natural:
        return []
    moved = [f"{name!r}: {index}" for index, name in enumerate(names)][:12]
    digits = natural != sorted(names, key=str.lower)
    why = ("numbers sort as text ('10' before '2')" if digits
           else "capital letters sort before small ones ('Zebra' before 'apple')")
    if all(name.isdigit() for name in names):
        fix = "classes=sorted(os.listdir(directory), key=int)"
    elif len(names) <= 12:
        fix = f"classes={natural!r}"
    else:
        fix = "classes=sorted(os.listdir(directory), key=<a natural sort key>)"
    wrong = next(name for name in names if names.index(name) != natural.index(name))
    return [Finding("classes", "warning",
                    f"Class folders are indexed in character order, where {why}, in the "
                    f"{split.role} folder: class_indices is {{{', '.join(moved)}"
                    f"{', ...' if len(names) > 12 else ''}}}, so class {wrong!r} has index "
                    f"{names.index(wrong)}, not {natural.index(wrong)}. Labels read from the "
                    "order you expect come out wrong. Fix: read labels through "
                    "train_generator.class_indices, or pass the order you want: "
                    f"flow_from_directory(..., {fix}).", (split.directory,))]


def _balance(split: SplitSummary) -> list[Finding]:
    counts = {name: count for name, count in split.class_counts.items() if count}
    if len(counts) < 2:
        return []
    largest, smallest = max(counts, key=counts.__getitem__), min(counts, key=counts.__getitem__)
    ratio = counts[largest] / counts[smallest]
    if ratio < 1.5:
        return []
    total, k = sum(counts.values()), len(split.class_counts)
    weights = {split_index: round(total / (k * count), 2) for split_index, count in
               enumerate(split.class_counts.values()) if count}
    weight_text = (repr(weights) if len(weights) <= 10 else "sklearn's compute_class_weight("
                   "'balanced', classes=np.unique(train.classes), y=train.classes)")
    severity = "warning" if ratio >= 3 and split.role == "training" else "info"
    return [Finding("class_balance", severity,
                    f"Classes are imbalanced in the {split.role} folder: {largest!r} has "
                    f"{counts[largest]} images, {smallest!r} only {counts[smallest]} "
                    f"({ratio:.1f}x). A model can score {counts[largest] / total:.0%} accuracy "
                    "by always answering the largest class. Fix: pass class_weight to fit "
                    f"(class_weight={weight_text}), collect more of the small classes, and "
                    "judge the model by per-class recall, not accuracy alone.",
                    (split.directory,))]


def _class_mismatch(train: SplitSummary, validation: SplitSummary) -> list[Finding]:
    names_t, names_v = list(train.class_counts), list(validation.class_counts)
    if names_t == names_v:
        return []
    missing = [n for n in names_t if n not in names_v]
    extra = [n for n in names_v if n not in names_t]
    detail = []
    if missing:
        detail.append(f"missing from validation: {missing}")
    if extra:
        detail.append(f"only in validation: {extra}")
    shifted = [n for n in names_v if n in names_t and names_t.index(n) != names_v.index(n)]
    if shifted:
        detail.append(f"index differs for {shifted[:5]}")
    return [Finding("classes", "error",
                    "Training and validation have different class folders ("
                    f"{'; '.join(detail)}). Each folder is indexed on its own, so the same "
                    "index names different classes and validation accuracy is meaningless. "
                    f"Fix: give both the same class folders, or pass classes={names_t!r} to "
                    "both flow_from_directory calls.",
                    (train.directory, validation.directory))]
