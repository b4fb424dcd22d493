"""Where the legacy generator raises, we raise too, with its opening words first.

Code and test suites in the wild match on legacy's messages ("All of the arrays in ...",
"`x` (images tensor) and `y` (labels) should have the same length", ...). Each case here
runs the same mistake through the real legacy generator and ours: same exception type, our
message starts with legacy's (up to where legacy prints its own values), then says
``Received: ...``. The dataframe cases are in ``test_dataframe_differential.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from augwidgets import ImageDataGenerator
from tests.conftest import write_tree

X = np.zeros((10, 4, 4, 3))


def _opening(message: str) -> str:
    """Legacy's words before it prints values (``Found ...``, ``Received: ...``, ...)."""
    return re.split(r" ?(?:Found:? |Received: | You passed |Got array)", message)[0].strip()


CONSTRUCTOR = [
    dict(data_format="NHWC"),
    dict(validation_split=1.0),
    dict(validation_split=-0.2),
    dict(zoom_range="strong"),
    dict(zoom_range=[0.5, 1.0, 1.5]),
    dict(brightness_range=0.5),
    dict(brightness_range=[0.5, 1.0, 1.5]),
]


@pytest.mark.parametrize("kwargs", CONSTRUCTOR, ids=repr)
def test_constructor_errors_open_with_legacy_words(legacy, kwargs):
    with pytest.raises(ValueError) as theirs:
        legacy(**kwargs)
    with pytest.raises(ValueError) as ours:
        ImageDataGenerator(**kwargs)
    opening = _opening(str(theirs.value))
    assert str(ours.value).startswith(opening), (str(ours.value), opening)
    name, value = next(iter(kwargs.items()))
    assert str(ours.value).endswith(f"Received: {name}={value!r}")


FLOW = {
    "x_arrays": lambda g: g.flow((X, [np.zeros(10), np.zeros(5)])),
    "x_array": lambda g: g.flow((X, np.zeros(5))),
    "y": lambda g: g.flow(X, np.zeros(5)),
    "sample_weight": lambda g: g.flow(X, np.zeros(10), sample_weight=np.zeros(3)),
    "class_split": lambda g: g.flow(X, np.arange(10) // 5, subset="training"),
    "subset": lambda g: g.flow(X, np.zeros(10), subset="test"),
    "rank": lambda g: g.flow(np.zeros((10, 4, 4))),
    "fit_rank": lambda g: g.fit(np.zeros((3, 4, 4))),
}


@pytest.mark.parametrize("case", list(FLOW))
def test_array_errors_open_with_legacy_words(legacy, case):
    with pytest.raises(ValueError) as theirs:
        FLOW[case](legacy(validation_split=0.3))
    with pytest.raises(ValueError) as ours:
        FLOW[case](ImageDataGenerator(validation_split=0.3))
    opening = _opening(str(theirs.value))
    assert str(ours.value).startswith(opening.rstrip(".")), (str(ours.value), opening)
    assert "Received: " in str(ours.value)


def test_the_class_split_error_says_which_classes_went_where():
    with pytest.raises(ValueError, match=r"Received: classes \[0\] in the validation subset "
                                         r"\(the first 3 samples\), \[0, 1\] in the training"):
        ImageDataGenerator(validation_split=0.3).flow(X, np.arange(10) // 5, subset="training")


@pytest.mark.parametrize("kwargs", [dict(color_mode="bgr"), dict(class_mode="onehot"),
                                    dict(subset="test")], ids=repr)
def test_directory_errors_open_with_legacy_words(legacy, tmp_path, kwargs):
    root = write_tree(tmp_path / "d", {"a": ["1.png"]})
    with pytest.raises(ValueError) as theirs:
        legacy().flow_from_directory(str(root), **kwargs)
    with pytest.raises(ValueError) as ours:
        ImageDataGenerator().flow_from_directory(root, **kwargs)
    opening = _opening(str(theirs.value))
    if "expected one of" in opening:  # legacy prints a set, in hash order
        opening = opening.split("expected one of")[0]
    assert str(ours.value).startswith(opening), (str(ours.value), opening)
    name, value = next(iter(kwargs.items()))
    assert str(ours.value).endswith(f"Received: {name}={value!r}")
