"""Run the legacy generator's own test suites against augwidgets (nothing is downloaded).

The suites are the public tests of the legacy ``ImageDataGenerator``: keras-preprocessing's
``tests/image/*.py`` and tf-keras' ``preprocessing/image_test.py``. Get them yourself (a clone
of each repository) and pass their paths; this script copies them into a scratch folder
outside the repository, puts small stand-in packages (``keras_preprocessing``, ``tf_keras``)
in front of them whose generator and iterators are augwidgets' (``--against legacy``: Keras'
own legacy generator, for the baseline), runs pytest there and prints a table.

Only the generator and its iterators are swapped. The suites' tests of Keras' image utilities
(``apply_affine_transform``, ``load_img``, ``list_pictures``, the module's public names) and
of its ``Iterator`` base class are not about augwidgets and are not run (``NOT_APPLICABLE``).
``flow_from_dataframe`` tests are counted apart.

Usage:
    python scripts/conformance.py --kp PATH/keras-preprocessing/tests/image \
        --tfk PATH/tf-keras/tf_keras/preprocessing/image_test.py [--against legacy]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_LEGACY = "keras.src.legacy.preprocessing.image"
_SWAPPED = ("ImageDataGenerator", "NumpyArrayIterator", "DirectoryIterator",
            "DataFrameIterator")


# What the suites assume of their environment and today's libraries no longer give; the same
# for both sides of the comparison.
_CONFTEST = """
import tempfile

from absl import flags
from absl.testing import absltest  # noqa: F401  (defines --test_tmpdir)
from PIL import Image, PngImagePlugin

# tf-keras' tests read absl's --test_tmpdir, which only absl's own runner parses.
flags.FLAGS.mark_as_parsed()
flags.FLAGS.test_tmpdir = tempfile.mkdtemp()

# Pillow < 11 wrote 32-bit "I" images to PNG as 16-bit; newer Pillow refuses for some values.
_save = PngImagePlugin._save


def _save_i_as_16bit(im, fp, filename, chunk=PngImagePlugin.putchunk, save_all=False):
    if im.mode == "I":
        converted = im.convert("I;16")
        converted.encoderinfo, converted.encoderconfig = im.encoderinfo, im.encoderconfig
        im = converted
    return _save(im, fp, filename, chunk, save_all)


Image.register_save("PNG", _save_i_as_16bit)
"""


_LOAD_IMG = """
from keras.src.utils import image_utils as _image_utils


def load_img(path, grayscale=False, color_mode="rgb", **kwargs):
    # tf-keras' load_img still took the old ``grayscale=True`` spelling.
    return _image_utils.load_img(path, color_mode="grayscale" if grayscale else color_mode,
                                 **kwargs)
"""


def _image_module(against: str) -> str:
    """Source of the stand-in ``image`` module: Keras' legacy names, generator swapped."""
    lines = [f"from {_LEGACY} import *  # noqa", f"from {_LEGACY} import Iterator  # noqa",
             "from keras.src.utils.image_utils import (array_to_img, img_to_array,  # noqa",
             "    save_img)",
             _LOAD_IMG,
             # Keras 3's legacy iterator dropped the ``next()`` spelling the suites call.
             "Iterator.next = Iterator.__next__"]
    if against == "augwidgets":
        lines.append(f"from augwidgets import {', '.join(_SWAPPED)}  # noqa")
    return "\n".join(lines) + "\n"


def _write_shims(base: Path, against: str) -> None:
    image = _image_module(against)
    files = {
        # keras-preprocessing layout
        "keras_preprocessing/__init__.py": "",
        "keras_preprocessing/image/__init__.py": image,
        **{f"keras_preprocessing/image/{name}.py": "from keras_preprocessing.image import *  "
           "# noqa\nfrom keras_preprocessing.image import Iterator  # noqa\n"
           for name in ("image_data_generator", "numpy_array_iterator", "directory_iterator",
                        "dataframe_iterator", "iterator", "utils", "affine_transformations")},
        # tf-keras layout
        "tf_keras/__init__.py": "",
        "tf_keras/layers.py": "from keras.layers import *  # noqa\n",
        "tf_keras/engine/__init__.py": "",
        "tf_keras/engine/sequential.py": "from keras import Sequential  # noqa\n",
        "tf_keras/preprocessing/__init__.py": "",
        "tf_keras/preprocessing/image.py": image,
        "tf_keras/utils/__init__.py": "",
        "tf_keras/utils/image_utils.py": "from keras.src.utils.image_utils import *  # noqa\n"
                                         + _LOAD_IMG,
        "tf_keras/testing_infra/__init__.py": "",
        "tf_keras/testing_infra/test_combinations.py": (
            "import tensorflow as tf\nfrom absl.testing import parameterized\n"
            "class TestCase(tf.test.TestCase, parameterized.TestCase):\n    pass\n"
            "def run_all_keras_modes(f=None, **kwargs):\n"
            "    return f if f is not None else (lambda g: g)\n"),
        "tf_keras/testing_infra/test_utils.py": "def run_v2_only(f):\n    return f\n",
        "conftest.py": _CONFTEST,
    }
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


#: Suite files and tests that exercise Keras' utilities or its ``Iterator`` base class.
NOT_APPLICABLE_FILES = ("affine_transformations_test.py", "utils_test.py", "test_image_api.py",
                        "iterator_test.py")
NOT_APPLICABLE = "not (TestAffineTransformations or test_img_transforms or " \
                 "test_iterator_empty_directory)"


def _kind(module: str, name: str) -> str:
    return "dataframe" if "dataframe" in f"{module}.{name}".lower() else "generator"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kp", type=Path, help="keras-preprocessing's tests/image folder")
    parser.add_argument("--tfk", type=Path, help="tf-keras' preprocessing/image_test.py")
    parser.add_argument("--against", choices=("augwidgets", "legacy"), default="augwidgets")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("-k", default=None, help="pytest -k expression")
    args = parser.parse_args(argv)
    if not args.kp and not args.tfk:
        parser.error("give --kp and/or --tfk")
    scratch = Path(tempfile.mkdtemp(prefix="augwidgets-conformance-"))
    _write_shims(scratch, args.against)
    tests = scratch / "suites"
    tests.mkdir()
    if args.kp:
        for source in sorted(args.kp.glob("*.py")):
            if source.name != "__init__.py" and source.name not in NOT_APPLICABLE_FILES:
                shutil.copy(source, tests / f"kp_{source.name}")
    if args.tfk:
        shutil.copy(args.tfk, tests / "tfk_image_test.py")
    report = scratch / "report.xml"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(scratch), str(ROOT)]),
           "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--rootdir", str(scratch), "-o", "python_files=kp_*.py tfk_*.py",
               f"--junitxml={report}", str(tests)]
    command += ["-k", NOT_APPLICABLE + (f" and ({args.k})" if args.k else "")]
    subprocess.run(command, cwd=scratch, env=env, stdout=subprocess.DEVNULL)
    counts: dict[str, list[int]] = {}
    failures = []
    for case in ET.parse(report).iter("testcase"):
        kind = _kind(case.get("classname", ""), case.get("name", ""))
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        passed_total = counts.setdefault(kind, [0, 0])
        if skipped:
            continue
        passed_total[1] += 1
        if failed:
            detail = (case.find("failure") if case.find("failure") is not None
                      else case.find("error"))
            message = (detail.get("message") or "").splitlines()[0][:150] if detail is not None \
                else ""
            failures.append(f"{kind:9} {case.get('classname')}::{case.get('name')}: {message}")
        else:
            passed_total[0] += 1
    print(f"against {args.against}")
    for kind in ("generator", "dataframe"):
        if kind in counts:
            passed, total = counts[kind]
            print(f"  {kind:9} {passed}/{total} passed")
    for line in failures:
        print("  FAILED", line)
    if args.keep:
        print(f"scratch folder: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
