"""Offline datasets for the lessons and tests, and seeded class-balanced subsets of a tree.

``digits`` and ``shapes`` write class-per-folder trees that ``flow_from_directory`` reads;
nothing is downloaded. ``balanced_subset`` picks the same few files per class every time.
"""

from augwidgets.datasets.bundled import MARKER, SHAPE_CLASSES, digits, shapes
from augwidgets.datasets.subset import balanced_subset, subset_tree

__all__ = ["MARKER", "SHAPE_CLASSES", "balanced_subset", "digits", "shapes", "subset_tree"]
