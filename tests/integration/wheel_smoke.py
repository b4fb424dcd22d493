"""Smoke test of an installed augwidgets (the built wheel, not this checkout).

``scripts/test_wheel`` and ``scripts/test_ipywidgets7`` run it with a clean virtual
environment's Python, from a folder outside the checkout, so that only the installed package
can be imported. It touches each layer once: the bundled digits, the generator, the
explorer panel, the training panel and a ``LivePlot`` fit. Not collected by pytest (the
name does not start with ``test_``).

Example:
    cd /tmp && /path/to/venv/bin/python /path/to/tests/integration/wheel_smoke.py
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> int:
    import augwidgets

    location = Path(augwidgets.__file__).resolve().parent
    assert "site-packages" in location.parts, f"not the installed package: {location}"
    assert augwidgets.__version__ == importlib.metadata.version("augwidgets")
    assert (location / "py.typed").is_file()
    import ipywidgets
    import keras

    print(f"augwidgets {augwidgets.__version__} from {location}; ipywidgets "
          f"{ipywidgets.__version__}, keras {keras.__version__}")

    with tempfile.TemporaryDirectory() as scratch:
        root = augwidgets.datasets.digits(Path(scratch) / "digits", image_size=16)
        generator = augwidgets.ImageDataGenerator(rescale=1 / 255, rotation_range=10)
        train = generator.flow_from_directory(root / "train", target_size=(16, 16),
                                              color_mode="grayscale", batch_size=64, seed=0)
        validation = augwidgets.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
            root / "validation", target_size=(16, 16), color_mode="grayscale",
            batch_size=128, shuffle=False)
        x, y = train[0]
        assert x.shape == (64, 16, 16, 1) and y.shape == (64, 10), (x.shape, y.shape)
        assert validation.verify(progress=False) == []

        panel = augwidgets.AugmentationPanel(root / "train", target_size=(16, 16), seed=0,
                                             rescale=1 / 255, rotation_range=10)
        assert repr(panel).startswith("AugmentationPanel(")

        training = augwidgets.TrainingPanel(train, validation=validation, epochs=1)
        training.start()
        training.wait()
        assert len(training.history["val_accuracy"]) == 1, training.history
        assert training._repr_mimebundle_()["image/png"], "the panel carries its picture"

        model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
        png = Path(scratch) / "curves.png"
        live = augwidgets.LivePlot(png_path=png)
        model.fit(train, validation_data=validation, epochs=2, verbose=0, callbacks=[live])
        assert len(live.history["val_loss"]) == 2 and png.read_bytes()[:4] == b"\x89PNG"
    print("wheel smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
