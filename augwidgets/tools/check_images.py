"""The dataset doctor's image findings: duplicates, sizes, aspect ratios and colour modes.

``check.check_dataset`` decodes every file into a ``duplicates.Fingerprint``; this module
turns those into duplicate pairs (exact by content digest, near by perceptual hash) and
into findings about them and about the spread of sizes and modes, with a suggested
``target_size``.

The suggested size: the largest of 224, 192, 160, 128, 96, 64 and 32 pixels that at least
90% of the images reach on their short side (the short side itself when it is under 32),
square when the median aspect ratio is within 0.8..1.25, otherwise stretched to it in
steps of 16 pixels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augwidgets.tools.duplicates import Fingerprint, near_pairs
from augwidgets.tools.findings import Finding, fast_resize_finding

_SIDES = (224, 192, 160, 128, 96, 64, 32)
_SHOWN_PAIRS = 8


@dataclass
class SplitSummary:
    """One folder as the generator sees it.

    Attributes:
        role: ``"training"`` or ``"validation"``.
        directory: the folder, as given.
        class_counts: images per class, in class-index order.
        filepaths: every image file (directory joined), in the legacy order.
        fingerprints: what decoding each file gave (``None`` where it failed).
        broken: ``(path, reason)`` for files that cannot be decoded.
        ignored: ``(relative path, reason)`` for hidden entries the scan skipped.
        other_files: relative paths of files the generator does not read (not an image
            extension, or not inside a class folder).
    """

    role: str
    directory: str
    class_counts: dict[str, int]
    filepaths: list[str]
    classes: np.ndarray
    fingerprints: list[Fingerprint | None]
    broken: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)

    @property
    def images(self) -> int:
        return len(self.filepaths)

    def class_of(self, index: int) -> str:
        return list(self.class_counts)[int(self.classes[index])]

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "directory": self.directory, "images": self.images,
                "classes": dict(self.class_counts),
                "broken": [{"file": path, "reason": reason} for path, reason in self.broken],
                "ignored": [{"path": path, "reason": reason} for path, reason in self.ignored],
                "other_files": len(self.other_files)}


@dataclass(frozen=True)
class DuplicatePair:
    """Two files showing the same picture: ``"exact"`` (same bytes) or ``"near"``."""

    kind: str
    distance: int
    a: str
    b: str
    a_role: str
    b_role: str
    a_class: str
    b_class: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "distance": self.distance,
                "a": {"file": self.a, "role": self.a_role, "class": self.a_class},
                "b": {"file": self.b, "role": self.b_role, "class": self.b_class}}


def find_duplicates(splits: list[SplitSummary], near_distance: int) -> list[DuplicatePair]:
    """Exact pairs (each copy against the first of its group) and near pairs, across and
    within folders. Blank images are left out of the near search: their hash is noise."""
    items = [(s, i, print_) for s, split in enumerate(splits)
             for i, print_ in enumerate(split.fingerprints) if print_ is not None]

    def digest(s: int, i: int) -> bytes | None:
        print_ = splits[s].fingerprints[i]
        return print_.digest if print_ is not None else None

    def pair(kind: str, distance: int, left: tuple[int, int], right: tuple[int, int]
             ) -> DuplicatePair:
        (s1, i1), (s2, i2) = left, right
        one, two = splits[s1], splits[s2]
        return DuplicatePair(kind, distance, one.filepaths[i1], two.filepaths[i2], one.role,
                             two.role, one.class_of(i1), two.class_of(i2))

    pairs: list[DuplicatePair] = []
    groups: dict[bytes, list[tuple[int, int]]] = defaultdict(list)
    for s, i, print_ in items:
        groups[print_.digest].append((s, i))
    for members in groups.values():
        pairs += [pair("exact", 0, members[0], other) for other in members[1:]]

    hashed = [[(i, p.phash) for i, p in enumerate(split.fingerprints)
               if p is not None and not p.blank] for split in splits]
    arrays = [(np.asarray([i for i, _ in h], dtype=np.int64),
               np.asarray([v for _, v in h], dtype=np.uint64)) for h in hashed]
    jobs = [(s, s) for s in range(len(splits))] + ([(0, 1)] if len(splits) == 2 else [])
    for s1, s2 in jobs:
        index_1, hash_1 = arrays[s1]
        index_2, hash_2 = arrays[s2]
        found = near_pairs(hash_1, None if s1 == s2 else hash_2, max_distance=near_distance)
        for left, right, distance in found.tolist():
            a, b = (s1, int(index_1[left])), (s2, int(index_2[right]))
            if digest(*a) == digest(*b):
                continue  # already an exact pair
            pairs.append(pair("near", int(distance), a, b))
    return pairs


def _pairs_text(pairs: list[DuplicatePair]) -> str:
    shown = "; ".join(f"{p.a} = {p.b}" + (f" (distance {p.distance})" if p.kind == "near" else "")
                      for p in pairs[:_SHOWN_PAIRS])
    return shown + (f"; and {len(pairs) - _SHOWN_PAIRS} more" if len(pairs) > _SHOWN_PAIRS else "")


def _files(pairs: list[DuplicatePair]) -> tuple[str, ...]:
    return tuple(path for p in pairs for path in (p.a, p.b))


def duplicate_findings(splits: list[SplitSummary],
                       pairs: list[DuplicatePair]) -> list[Finding]:
    findings: list[Finding] = []
    add = findings.append
    across = [p for p in pairs if p.a_role != p.b_role]
    for kind, severity in (("exact", "error"), ("near", "warning")):
        chosen = [p for p in across if p.kind == kind]
        if not chosen:
            continue
        copies = len({p.b if p.b_role == "validation" else p.a for p in chosen})
        what = ("byte-identical copies" if kind == "exact" else
                "near copies (re-encoded, resized or lightly edited, by perceptual hash)")
        add(Finding("duplicates", severity,
                    f"{copies} of {splits[1].images} validation images are {what} of "
                    "training images. The model has seen them, so validation accuracy "
                    "overstates how it does on new pictures. Fix: remove them from "
                    "validation (all pairs are in report.duplicates, or `augwidgets check "
                    "--json`), and split by source (photo session, patient, video) rather "
                    f"than by file: {_pairs_text(chosen)}.", _files(chosen)))
    conflict = [p for p in pairs if p.a_class != p.b_class]
    for kind, severity in (("exact", "error"), ("near", "warning")):
        chosen = [p for p in conflict if p.kind == kind]
        if chosen:
            add(Finding("duplicates", severity,
                        f"{len(chosen)} {'identical' if kind == 'exact' else 'near-identical'} "
                        "pictures carry two different labels (they sit in two class folders). "
                        "The model is taught both answers for one image. Fix: keep each "
                        f"picture in its one right class: {_pairs_text(chosen)}.",
                        _files(chosen)))
    within = [p for p in pairs if p.a_role == p.b_role and p.a_class == p.b_class]
    if within:
        exact = sum(p.kind == "exact" for p in within)
        add(Finding("duplicates", "info",
                    f"{len(within)} duplicate pairs within a class ({exact} exact, "
                    f"{len(within) - exact} near): such pictures count several times per "
                    "epoch, and a random validation_split may put one copy on each side. "
                    f"Fix: delete the extra copies if they are accidental: "
                    f"{_pairs_text(within)}.", _files(within)))
    return findings


def _spread(values: np.ndarray) -> dict[str, float]:
    if len(values) == 0:
        return {}
    p5, median, p95 = np.percentile(values, [5, 50, 95])
    return {"min": float(values.min()), "p5": float(p5), "median": float(median),
            "p95": float(p95), "max": float(values.max())}


def size_summary(splits: list[SplitSummary]) -> tuple[dict[str, Any], tuple[int, int] | None]:
    """The spread of sizes, aspect ratios, modes and formats, and a suggested target_size."""
    prints = [p for split in splits for p in split.fingerprints if p is not None]
    heights = np.asarray([p.height for p in prints], dtype=np.float64)
    widths = np.asarray([p.width for p in prints], dtype=np.float64)
    aspect = widths / np.maximum(heights, 1)
    sizes = {"images": len(prints), "height": _spread(heights), "width": _spread(widths),
             "aspect": {k: round(v, 3) for k, v in _spread(aspect).items()},
             "modes": dict(Counter(p.mode for p in prints).most_common()),
             "formats": dict(Counter(str(p.format) for p in prints).most_common()),
             "blank": sum(p.blank for p in prints)}
    if not prints:
        return sizes, None
    short = float(np.percentile(np.minimum(heights, widths), 10))
    side = next((s for s in _SIDES if s <= short), max(int(short), 1))
    ratio = float(np.median(aspect))
    if 0.8 <= ratio <= 1.25:
        return sizes, (side, side)
    if ratio > 1:
        return sizes, (side, max(16, int(round(side * ratio / 16)) * 16))
    return sizes, (max(16, int(round(side / ratio / 16)) * 16), side)


def image_findings(splits: list[SplitSummary], sizes: dict[str, Any],
                   suggested: tuple[int, int] | None,
                   target_size: tuple[int, int] | None) -> list[Finding]:
    findings: list[Finding] = []
    add = findings.append
    prints = [(split, i, p) for split in splits for i, p in enumerate(split.fingerprints)
              if p is not None]
    if not prints or suggested is None:
        return findings
    h, w, a = sizes["height"], sizes["width"], sizes["aspect"]
    modes = ", ".join(f"{mode} {count}" for mode, count in sizes["modes"].items())
    add(Finding("target_size", "info",
                f"{len(prints)} images: widths {w['min']:.0f}-{w['max']:.0f} px (median "
                f"{w['median']:.0f}), heights {h['min']:.0f}-{h['max']:.0f} (median "
                f"{h['median']:.0f}), aspect ratios (width/height) {a['p5']:.2f}-{a['p95']:.2f}"
                f" for 90% of them; modes: {modes}. A target_size that suits them: "
                f"{suggested} (height, width)."))
    target = target_size or suggested
    heights = np.asarray([p.height for _, _, p in prints])
    widths = np.asarray([p.width for _, _, p in prints])
    if target_size is not None:
        small = (heights < target[0] / 2) | (widths < target[1] / 2)
        if small.mean() > 0.25:
            add(Finding("target_size", "warning",
                        f"{small.mean():.0%} of the images are less than half of target_size "
                        f"{target} on a side, so they are blown up: blurry inputs and compute "
                        f"spent on invented pixels. Fix: target_size={suggested}, or collect "
                        "larger images."))
        wanted = target[1] / target[0]
        if max(wanted / a["median"], a["median"] / wanted) > 1.3:
            add(Finding("target_size", "info",
                        f"Most images are {a['median']:.2f}:1 (width:height) but target_size "
                        f"{target} is {wanted:.2f}:1, so every image is squashed. Fix: a "
                        f"target_size of the images' shape such as {suggested}, or "
                        "keep_aspect_ratio=True (crops the middle instead)."))
    jpegs = [(p.height, p.width) for _, _, p in prints if p.format == "JPEG"]
    if jpegs:
        rows, cols = np.median(np.asarray(jpegs), axis=0)
        fast = fast_resize_finding(int(rows), int(cols), target, jpegs=len(jpegs))
        if fast is not None:
            add(fast)
    add_modes(prints, add)
    blank = [split.filepaths[i] for split, i, p in prints if p.blank]
    if blank:
        add(Finding("files", "warning",
                    f"{len(blank)} images are a single flat colour (blank, black or white): "
                    "often failed exports or placeholder files, and they teach nothing. Fix: "
                    f"look at them and delete those that are not real pictures: "
                    f"{', '.join(blank[:10])}{' ...' if len(blank) > 10 else ''}.",
                    tuple(blank)))
    return findings


def add_modes(prints: list[tuple[SplitSummary, int, Any]], add: Any) -> None:
    by_mode: dict[str, list[str]] = defaultdict(list)
    for split, i, p in prints:
        by_mode[p.mode].append(split.filepaths[i])
    grey = [f for mode in ("L", "1", "LA", "I", "I;16", "I;16B", "F") for f in by_mode.get(mode, [])]
    colour = [f for mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr") for f in by_mode.get(mode, [])]
    if grey and colour:
        minority = grey if len(grey) < len(colour) else colour
        add(Finding("color_mode", "info",
                    f"{len(grey)} greyscale and {len(colour)} colour images are mixed. With "
                    "color_mode='rgb' greyscale images get three equal channels, so the "
                    "model can learn 'grey or not' as a clue if one class has more of them. "
                    "Fix: check that greyscale images are spread over the classes, or train "
                    f"with color_mode='grayscale': {', '.join(minority[:5])}.",
                    tuple(minority)))
    alpha = [f for mode in ("RGBA", "LA", "PA") for f in by_mode.get(mode, [])]
    if alpha:
        add(Finding("color_mode", "info",
                    f"{len(alpha)} images have an alpha channel. color_mode='rgb' drops it, and "
                    "transparent areas show whatever colour is stored under them (often black)."
                    " Fix: flatten them onto the background you want, or use "
                    f"color_mode='rgba': {', '.join(alpha[:5])}.", tuple(alpha)))
    deep = [f for mode in ("I", "I;16", "I;16B", "F") for f in by_mode.get(mode, [])]
    if deep:
        add(Finding("color_mode", "warning",
                    f"{len(deep)} images are 16-bit or floating point. The legacy loader clips "
                    "them to 8 bits, so they come out nearly white (augwidgets scales them). "
                    "Fix: convert them to 8 bits with your own scaling first: "
                    f"{', '.join(deep[:5])}.", tuple(deep)))
    cmyk = by_mode.get("CMYK", [])
    if cmyk:
        add(Finding("color_mode", "info",
                    f"{len(cmyk)} images are CMYK (print) JPEGs; they are converted to RGB and "
                    "their colours may shift.", tuple(cmyk)))

