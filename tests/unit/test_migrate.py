"""migrate() on course code written in the style of real tutorials, with their common
mistakes: shear in degrees, zoom above 1, steps counted from folders, augmented validation.
The converted Python compiles (one conversion also runs under Keras 3 on a tiny tree), the
converted R parses where Rscript is installed, and nothing pasted is ever run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augwidgets import migrate

CATS_AND_DOGS = textwrap.dedent('''\
    import os
    import tensorflow as tf
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    base_dir = 'cats_and_dogs_filtered'
    train_dir = os.path.join(base_dir, 'train')
    validation_dir = os.path.join(base_dir, 'validation')
    BATCH_SIZE = 20

    # Add our data-augmentation parameters to ImageDataGenerator
    train_datagen = ImageDataGenerator(rescale = 1./255.,
                                       rotation_range = 40,
                                       width_shift_range = 0.2,
                                       height_shift_range = 0.2,
                                       shear_range = 0.2,
                                       zoom_range = 0.2,
                                       horizontal_flip = True)

    # Note that the validation data should not be augmented!
    test_datagen = ImageDataGenerator( rescale = 1.0/255. )

    train_generator = train_datagen.flow_from_directory(train_dir,
                                                        batch_size = BATCH_SIZE,
                                                        class_mode = 'binary',
                                                        target_size = (150, 150))
    validation_generator = test_datagen.flow_from_directory( validation_dir,
                                                              batch_size  = BATCH_SIZE,
                                                              class_mode  = 'binary',
                                                              target_size = (150, 150))
    model = tf.keras.models.Sequential([tf.keras.layers.Flatten(),
                                        tf.keras.layers.Dense(1, activation='sigmoid')])
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['acc'])
    history = model.fit_generator(
                train_generator,
                validation_data = validation_generator,
                steps_per_epoch = len(os.listdir(train_dir)) // BATCH_SIZE,
                epochs = 15,
                validation_steps = 50,
                verbose = 2)
''')

ONE_GENERATOR_SPLIT = textwrap.dedent('''\
    from keras.preprocessing.image import ImageDataGenerator
    from keras.applications.mobilenet_v2 import preprocess_input

    datagen = ImageDataGenerator(preprocessing_function=preprocess_input,
                                 rescale=1/255, zoom_range=[1, 1.5],
                                 validation_split=0.2, horizontal_flip=True)
    train_gen = datagen.flow_from_directory("data", target_size=(224, 224),
                                            subset="training", seed=42)
    val_gen = datagen.flow_from_directory("data", target_size=(224, 224),
                                          subset="validation", seed=42)
    model.fit(train_gen, validation_data=val_gen, epochs=5, workers=4,
              use_multiprocessing=True)
''')

ARRAYS_INLINE = textwrap.dedent('''\
    import keras
    from keras.datasets import cifar10
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    datagen = keras.preprocessing.image.ImageDataGenerator(
        featurewise_center=True, width_shift_range=4, horizontal_flip=True)
    datagen.fit(x_train)
    model.fit(datagen.flow(x_train, y_train, batch_size=64),
              steps_per_epoch=len(x_train) / 64, epochs=10,
              validation_data=(x_test, y_test))
''')


def test_tutorial_to_keras3_compiles_and_finds_the_mistakes():
    result = migrate(CATS_AND_DOGS, to="keras3")
    compile(result.code, "converted", "exec")
    code = result.code
    assert "ImageDataGenerator(" not in code and "fit_generator" not in code
    assert "steps_per_epoch" not in code and "validation_steps" not in code
    assert "keras.layers.RandomRotation(factor=40/360" in code
    assert "train_datagen(x, training=True)" in code
    assert "test_datagen(x, training=False)" in code
    assert "image_size=(150, 150)" in code and "batch_size=BATCH_SIZE" in code
    assert "import keras\n" in code
    kinds = {(f.parameter, f.severity) for f in result.findings}
    assert ("steps_per_epoch", "error") in kinds
    assert ("shear_range", "warning") in kinds
    assert not any(f.parameter == "role" or "used for validation" in f.message
                   for f in result.findings)  # the rescale-only validation generator is fine
    noted = {note.line for note in result.notes}
    lines = CATS_AND_DOGS.splitlines()
    assert any("shear_range" in lines[n - 1] or "ImageDataGenerator" in lines[n - 1]
               for n in noted)
    assert any("fit_generator" in lines[n - 1] for n in noted)
    assert any("steps_per_epoch" in lines[n - 1] for n in noted)
    shear_note = [n for n in result.notes if "RandomShear" in n.text]
    assert shear_note and "ImageDataGenerator" in lines[shear_note[0].line - 1]


def test_one_generator_for_both_subsets_is_augmented_validation():
    result = migrate(ONE_GENERATOR_SPLIT, to="keras3")
    compile(result.code, "converted", "exec")
    errors = [f for f in result.findings if f.severity == "error"]
    assert any("validation" in f.message and "augments" in f.message for f in errors)
    assert any(f.parameter == "preprocessing_function" for f in result.findings)
    zoom = [f for f in result.findings if f.parameter == "zoom_range"]
    assert any("only zooms OUT" in f.message for f in zoom)
    assert 'subset="training"' in result.code.replace("'", '"')
    assert "validation_split=0.2" in result.code and "seed=42" in result.code
    assert "workers" not in result.code and "use_multiprocessing" not in result.code
    assert "datagen(x, training=False)" in result.code
    assert any("shuffles the files" in n.text for n in result.notes)


def test_arrays_and_inline_flow():
    result = migrate(ARRAYS_INLINE)
    compile(result.code, "converted", "exec")
    assert "tf.data.Dataset.from_tensor_slices((x_train, y_train))" in result.code
    assert "import tensorflow as tf" in result.code
    assert ".map(lambda x, y: (datagen(x, training=True), y))" in result.code
    assert any("Normalization" in n.text for n in result.notes)  # featurewise: not exact
    assert "keras.layers.Pipeline" in result.code


def test_to_augwidgets_keeps_the_code_and_swaps_the_import():
    result = migrate(CATS_AND_DOGS, to="augwidgets")
    compile(result.code, "converted", "exec")
    assert "from augwidgets import ImageDataGenerator" in result.code
    assert "tensorflow.keras.preprocessing.image" not in result.code
    assert "train_datagen.flow_from_directory(train_dir," in result.code
    assert "fit_generator" not in result.code
    assert "len(os.listdir" not in result.code  # the folder-count mistake goes
    assert "validation_steps = 50" in result.code  # an honest number stays
    attribute = migrate(ARRAYS_INLINE, to="augwidgets")
    assert "augwidgets.ImageDataGenerator(" in attribute.code
    compile(attribute.code, "converted", "exec")


def test_notebook_magics_are_kept_and_skipped():
    source = "!pip install -q tensorflow\n%matplotlib inline\n" + CATS_AND_DOGS
    result = migrate(source)
    assert result.language == "python"
    assert result.code.startswith("!pip install -q tensorflow\n%matplotlib inline\n")
    assert "keras.layers.Pipeline" in result.code
    assert {1, 2} <= {note.line for note in result.notes if "magic" in note.text}
    shifted = {f.message.split(":")[0] for f in result.findings}
    assert "line 38" in shifted  # the steps_per_epoch line (36), two lines further down


def test_pasted_code_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    source = (f"open({str(marker)!r}, 'w').write('x')\n"
              "from keras.preprocessing.image import ImageDataGenerator\n"
              "g = ImageDataGenerator(rotation_range=10)\n")
    migrate(source)
    migrate(source, to="augwidgets")
    assert not marker.exists()


def test_bad_arguments():
    with pytest.raises(ValueError, match="`to`"):
        migrate("x = 1", to="keras2")
    with pytest.raises(ValueError, match="r-keras3"):
        migrate("x = 1", to="r-keras3")
    with pytest.raises(ValueError, match="source"):
        migrate("def (:\n  ]]", language="python")


@pytest.mark.slow
def test_converted_code_trains_under_keras3(tmp_path):
    """The converted tutorial (with a tiny tree and a tiny model) really runs in Keras 3."""
    for split in ("train", "validation"):
        for k, c in enumerate(("cats", "dogs")):
            (tmp_path / "cats_and_dogs_filtered" / split / c).mkdir(parents=True)
            for i in range(4):
                rng = np.random.default_rng(10 * k + i)
                Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(
                    tmp_path / "cats_and_dogs_filtered" / split / c / f"{i}.jpg")
    code = migrate(CATS_AND_DOGS.replace("epochs = 15", "epochs = 1")).code
    script = tmp_path / "converted.py"
    script.write_text(code + "\nprint('trained', len(history.history['loss']))\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "trained 1" in run.stdout


# ------------------------------------------------------------------------------- R
R_COURSE = textwrap.dedent('''\
    library(keras)

    base_dir <- "~/Downloads/cats_and_dogs_small"
    train_dir <- file.path(base_dir, "train")
    validation_dir <- file.path(base_dir, "validation")

    datagen <- image_data_generator(
      rescale = 1/255,
      rotation_range = 40,
      width_shift_range = 0.2,
      height_shift_range = 0.2,
      shear_range = 0.2,
      zoom_range = 0.2,
      horizontal_flip = TRUE,
      fill_mode = "nearest"
    )

    train_generator <- flow_images_from_directory(
      train_dir,                  # Target directory
      datagen,                    # Data generator
      target_size = c(150, 150),  # Resizes all images to 150 x 150
      batch_size = 32,
      class_mode = "binary"       # binary_crossentropy loss for binary labels
    )

    validation_generator <- flow_images_from_directory(
      validation_dir,
      datagen,
      target_size = c(150, 150),
      batch_size = 32,
      class_mode = "binary"
    )

    model <- keras_model_sequential() %>%
      layer_flatten(input_shape = c(150, 150, 3)) %>%
      layer_dense(units = 1, activation = "sigmoid")

    history <- model %>% fit_generator(
      train_generator,
      steps_per_epoch = length(list.files(train_dir)) / 32,
      epochs = 100,
      validation_data = validation_generator,
      validation_steps = 50
    )
''')

R_PIPES = textwrap.dedent('''\
    library(keras)
    img_size <- 224L
    aug <- image_data_generator(rescale = 1/255, zoom_range = c(1, 1.3), vertical_flip = TRUE)
    plain = image_data_generator(rescale = 1/255)
    train_data <- "data/train" %>%
      flow_images_from_directory(generator = aug, target_size = c(img_size, img_size),
                                 class_mode = "categorical", seed = 1)
    flow_images_from_directory("data/valid", plain, target_size = c(img_size, img_size)) -> valid_data
    model %>% fit(train_data, epochs = 3, validation_data = valid_data,
                  steps_per_epoch = 100)
''')


def _r_parses(code: str, tmp_path: Path) -> None:
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed")
    path = tmp_path / "converted.R"
    path.write_text(code)
    run = subprocess.run(["Rscript", "-e", f"invisible(parse(file = {json.dumps(str(path))}))"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_r_course_to_keras3(tmp_path):
    result = migrate(R_COURSE)
    assert result.language == "r" and result.to == "r-keras3"
    _r_parses(result.code, tmp_path)
    code = result.code
    assert code.startswith("library(keras3)")
    assert "image_data_generator(" not in code and "flow_images_from_directory(" not in code
    assert "layer_random_rotation(factor = 40/360" in code
    assert "datagen(x, training = TRUE)" in code and "datagen(x, training = FALSE)" in code
    assert "fit_generator" not in code and "steps_per_epoch" not in code
    assert "# Target directory" not in code  # the call was rewritten, comments and all
    errors = {f.parameter for f in result.findings if f.severity == "error"}
    assert {"steps_per_epoch"} <= errors
    assert any("augments" in f.message for f in result.findings if f.severity == "error")
    assert any(f.parameter == "shear_range" for f in result.findings)


def test_r_pipes_right_assignment_and_constants(tmp_path):
    result = migrate(R_PIPES, to="r-keras3")
    _r_parses(result.code, tmp_path)
    code = result.code
    assert '"data/train"' in code and "image_size = c(img_size, img_size)" in code
    assert "aug(x, training = TRUE)" in code
    assert "valid_data" in code and "plain(x, training = FALSE)" in code
    assert "seed = 1" in code
    zoom = [f for f in result.findings if f.parameter == "zoom_range"]
    assert any("only zooms OUT" in f.message for f in zoom)
    assert any(f.parameter == "vertical_flip" for f in result.findings)
    assert not any(f.parameter == "steps_per_epoch" for f in result.findings)  # a number
    assert "steps_per_epoch" not in code


def test_r_to_augwidgets_keeps_the_course_code(tmp_path):
    result = migrate(R_COURSE, to="augwidgets")
    _r_parses(result.code, tmp_path)
    code = result.code
    assert code.startswith("library(augwidgets)")
    assert "datagen <- image_data_generator(" in code and "flow_images_from_directory(" in code
    assert "fit_generator" not in code and "model %>% fit(" in code
    assert "list.files" not in code  # the folder-count steps go
    assert "validation_steps = 50" in code  # an honest number stays
    assert any(f.parameter == "steps_per_epoch" for f in result.findings)
    assert any("augments" in f.message for f in result.findings if f.severity == "error")


def test_cli_migrate_from_stdin_and_file(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    run = subprocess.run([sys.executable, "-m", "augwidgets", "migrate", "-", "--json"],
                         input=CATS_AND_DOGS, capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    compile(data["code"], "converted", "exec")
    assert any(f["topic"] == "steps_per_epoch" for f in data["findings"])
    r_file = tmp_path / "course.R"
    r_file.write_text(R_COURSE)
    run = subprocess.run([sys.executable, "-m", "augwidgets", "migrate", str(r_file)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0 and "library(keras3)" in run.stdout
    assert "Findings about the pasted configuration" in run.stdout
