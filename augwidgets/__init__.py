"""augwidgets: see, tune and teach Keras image augmentation.

Public names are imported lazily, so ``import augwidgets`` stays fast and does not start
TensorFlow until a name that needs it is used.

Examples:
    >>> import augwidgets
    >>> gen = augwidgets.ImageDataGenerator(rescale=1 / 255, rotation_range=20)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "ImageDataGenerator": "augwidgets.engine.generator",
    "DirectoryIterator": "augwidgets.engine.iterators.directory",
    "NumpyArrayIterator": "augwidgets.engine.iterators.arrays",
    "DataFrameIterator": "augwidgets.engine.iterators.dataframe",
    "GeneratorAugmentation": "augwidgets.layers",
    "diagnose": "augwidgets.tools.diagnose",
    "Finding": "augwidgets.tools.findings",
    "generator_code": "augwidgets.tools.codegen",
    "check_dataset": "augwidgets.tools.check",
    "migrate": "augwidgets.tools.migrate",
    "AugmentationPanel": "augwidgets.widgets.explorer.panel",
    "TrainingPanel": "augwidgets.widgets.training_panel",
    "LivePlot": "augwidgets.training.callback",
    "compare": "augwidgets.training.experiment",
    "sweep": "augwidgets.training.sweep",
    "interpret": "augwidgets.training.interpret",
    "Interpretation": "augwidgets.training.interpretation",
}
_SUBMODULES = {"datasets": "augwidgets.datasets"}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(_SUBMODULES[name])
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'augwidgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
