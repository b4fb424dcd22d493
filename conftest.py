"""Doctest set-up for ``pytest --doctest-modules augwidgets``.

Every example in the package's docstrings runs in one scratch directory shared by the whole
run, so an example that writes the bundled digits (``datasets.digits("data/digits")``) writes
them once and later examples reuse them. Nothing is written into the working tree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def _doctest_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("doctests")


@pytest.fixture(autouse=True)
def _run_doctests_in_scratch_directory(request: pytest.FixtureRequest,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if hasattr(request.node, "dtest"):  # a doctest item, not a test in tests/
        monkeypatch.chdir(request.getfixturevalue("_doctest_directory"))
