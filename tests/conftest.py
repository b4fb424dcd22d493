"""Shared fixtures: small class-per-folder trees built with PIL, and the legacy generator."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402


def smooth_image(rng: np.random.RandomState, height: int, width: int,
                 channels: int = 3) -> np.ndarray:
    """A smooth random uint8 image (bilinear-upsampled noise plus a bright block)."""
    small = rng.randint(0, 256, size=(max(2, height // 6), max(2, width // 6), channels))
    image = Image.fromarray(small.astype(np.uint8).squeeze() if channels == 1
                            else small.astype(np.uint8))
    array = np.asarray(image.resize((width, height), Image.Resampling.BILINEAR))
    array = array.reshape(height, width, channels).copy()
    array[height // 4: height // 2, width // 5: width // 2] = 255
    return array


def write_tree(root: Path, layout: dict[str, list[str]], size=(48, 64), seed: int = 0) -> Path:
    """Write images named in ``layout`` ({class: [relative file names]}); the extension
    picks the format."""
    rng = np.random.RandomState(seed)
    for class_name, names in layout.items():
        for name in names:
            path = root / class_name / name
            path.parent.mkdir(parents=True, exist_ok=True)
            array = smooth_image(rng, size[0], size[1])
            image = Image.fromarray(array)
            suffix = path.suffix.lower()
            if suffix in (".jpg", ".jpeg"):
                image.save(path, format="JPEG", quality=95)
            elif suffix in (".tif", ".tiff"):
                image.save(path, format="TIFF")
            elif suffix == ".bmp":
                image.save(path, format="BMP")
            elif suffix == ".ppm":
                image.save(path, format="PPM")
            else:
                image.save(path, format="PNG")
    return root


def pytest_report_header(config):
    """Which augwidgets and ipywidgets run (scripts/test_ipywidgets7 tests the installed one)."""
    import ipywidgets

    import augwidgets

    where = Path(augwidgets.__file__).resolve().parent
    if os.environ.get("AUGWIDGETS_EXPECT_INSTALLED") and "site-packages" not in where.parts:
        raise pytest.UsageError(f"expected the installed augwidgets, imported {where}")
    return f"augwidgets {augwidgets.__version__} from {where}; ipywidgets {ipywidgets.__version__}"


def pytest_addoption(parser):
    parser.addoption("--browser", action="store_true", default=False,
                     help="run the real-browser tests (tests/browser)")


@pytest.fixture
def mixed_tree(tmp_path: Path) -> Path:
    """A nested, mixed-format tree: 3 classes, sub-folders, upper-case extensions."""
    layout = {
        "cat": ["a.png", "b.JPG", "c.bmp", "sub/d.png", "sub/deeper/e.tiff", "f.ppm",
                "notes.txt"],
        "dog": ["1.png", "2.png", "3.jpeg", "4.PNG", "z/5.tif"],
        "bird": ["x.png", "y.png", "w.jpg", "v.png"],
    }
    root = write_tree(tmp_path / "tree", {k: [n for n in v if not n.endswith(".txt")]
                                          for k, v in layout.items()})
    (root / "cat" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture
def square_tree(tmp_path: Path) -> Path:
    """Images already at the target size (32x32), so legacy and fused paths match exactly."""
    layout = {name: [f"{name}_{i}.png" for i in range(6)] for name in ("a", "b")}
    return write_tree(tmp_path / "square", layout, size=(32, 32), seed=1)


@pytest.fixture(scope="session")
def legacy():
    """The real legacy generator class shipped with Keras/TensorFlow."""
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    return ImageDataGenerator
