"""Structure of the teaching notebooks, their nbgrader markup and the Binder environment.

These checks are fast and need no kernel. Running the notebooks themselves is
``scripts/test_notebooks`` (nbval); building the Binder environment is ``scripts/binder_check``.

Example:
    pytest -q tests/notebooks/test_notebooks.py
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "01-folder-to-batches.ipynb",
    "02-augmentation-explorer.ipynb",
    "03-train-and-validate.ipynb",
    "04-too-much-too-little.ipynb",
    "05-exercises.ipynb",
    "06-from-r.ipynb",
]
# on the R kernel (IRkernel), reaching augwidgets through reticulate; not on Binder (no R)
R_NAMES = {"06-from-r.ipynb"}
CHECK, IGNORE = "# NBVAL_CHECK_OUTPUT", "# NBVAL_IGNORE_OUTPUT"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_the_notebooks_are_the_numbered_lessons() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_saved_clean_executed_top_to_bottom(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == ("ir" if name in R_NAMES else "python3")
    cells = _code_cells(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        assert "execution" not in cell.metadata, "strip timing metadata before committing"
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            if output.output_type == "stream" and output.name == "stderr":
                assert "Traceback" not in output.text, cell.source


@pytest.mark.parametrize("name", NAMES)
def test_checked_and_ignored_cells_are_marked(name: str) -> None:
    nb = _read(name)
    checked = 0
    for cell in _code_cells(nb):
        first_line = cell.source.splitlines()[0] if cell.source else ""
        kinds = {kind for output in cell.outputs for kind in output.get("data", {})}
        if WIDGET in kinds or "image/png" in kinds:
            assert first_line == IGNORE, f"widget/plot output in a compared cell:\n{cell.source}"
        if first_line == CHECK:
            checked += 1
            assert cell.outputs, f"a checked cell with nothing to check:\n{cell.source}"
    assert checked >= 3, "each lesson checks its meaningful text outputs"


@pytest.mark.parametrize("name", NAMES)
def test_offline_data_next_to_the_notebook_and_one_line_to_swap(name: str) -> None:
    source = "\n".join(cell.source for cell in _code_cells(_read(name)))
    if name in R_NAMES:
        assert re.search(r'aw\$datasets\$(digits|shapes)\("data/', source)
        assert "# DATA <- " in source, "show the one line that swaps in your own folder"
        assert "set_random_seed(0L)" in source
        assert "verbose = 1" not in source
    else:
        assert re.search(r'augwidgets\.datasets\.(digits|shapes)\("data/', source)
        assert "# DATA = Path(" in source, "show the one line that swaps in your own folder"
        # Lessons that train seed Keras; those that train nothing seed NumPy and never
        # import Keras, so TensorFlow never starts in them (see tests/unit/test_keras_base.py).
        assert "keras.utils.set_random_seed(0)" in source or "np.random.seed(0)" in source
        assert "verbose=1" not in source
    assert (NOTEBOOKS / ".gitignore").read_text().split() == ["data/"]


def test_exercises_are_nbgrader_source_cells() -> None:
    nb = _read("05-exercises.ipynb")
    grade_ids, kinds = [], []
    for cell in _code_cells(nb):
        meta = cell.metadata.get("nbgrader")
        has_markers = "### BEGIN SOLUTION" in cell.source
        assert has_markers == ("### END SOLUTION" in cell.source)
        if meta is None:
            assert not has_markers
            continue
        assert meta["schema_version"] == 3
        grade_ids.append(meta["grade_id"])
        if meta["solution"]:
            assert has_markers and not meta["grade"] and not meta["locked"]
            kinds.append("solution")
        elif meta["grade"]:
            assert meta["locked"] and meta["points"] > 0 and cell.source.startswith(CHECK)
            assert "assert " in cell.source and "Correct" in cell.source
            kinds.append("test")
        else:
            assert meta["locked"]
    assert len(grade_ids) == len(set(grade_ids)), "grade_id must be unique"
    # every answer is followed by the cell that checks it
    assert kinds.count("solution") >= 3
    assert "".join("s" if k == "solution" else "t" for k in kinds) == "st" * kinds.count("solution")


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt must pin every package: {line}"
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_binder_pins_everything_the_package_needs_with_cpu_tensorflow() -> None:
    pins = _requirements()
    assert "tensorflow-cpu" in pins and "tensorflow" not in pins
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~; \[]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name.lower()) in pins, f"binder/ misses {name}"
    for name in ("jupyterlab", "ipykernel", "voila", "ipywidgets"):
        assert name in pins
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_lessons_page_links_every_notebook_on_binder() -> None:
    text = (ROOT / "docs" / "lessons" / "index.md").read_text()
    base = "https://mybinder.org/v2/gh/augwidgets/augwidgets/HEAD?urlpath=lab/tree/notebooks/"
    assert "https://mybinder.org/badge_logo.svg" in text
    for name in NAMES:
        assert name in text
        if name not in R_NAMES:
            assert base + name in text


def _exercise_cells() -> dict[str, str]:
    """grade_id -> source for every nbgrader cell of the exercises notebook."""
    nb = _read("05-exercises.ipynb")
    return {cell.metadata.nbgrader.grade_id: cell.source
            for cell in _code_cells(nb) if "nbgrader" in cell.metadata}


@pytest.fixture(scope="module")
def exercise_namespace(tmp_path_factory: pytest.TempPathFactory):
    """The exercise notebook's given cells run in-process, in a temporary folder."""
    import os

    cells = _exercise_cells()
    namespace: dict = {}
    old = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("exercises"))
    try:
        for grade_id in ("setup", "data", "ex1-given", "ex4-given", "ex5-given"):
            exec(cells[grade_id], namespace)
        yield namespace
    finally:
        os.chdir(old)


WRONG_ANSWERS = [
    ("ex1", "steps_per_epoch = len(os.listdir(TRAIN_DIR))", "class folders"),
    ("ex1", "steps_per_epoch = train.samples", "number of images"),
    ("ex1", "steps_per_epoch = train.samples // train.batch_size", "Round up"),
    ("ex1", "steps_per_epoch = 7", "steps_per_epoch=7"),
    ("ex2", "shear_degrees = 0.2; zoom_in_only = (0.8, 1.0)", "radians to degrees"),
    ("ex2", "shear_degrees = np.degrees(0.2); zoom_in_only = 0.2", "zooms OUT"),
    ("ex2", "shear_degrees = np.degrees(0.2); zoom_in_only = (0.9, 1.0)", "0.8"),
    ("ex3", "my_augmentation = dict(rescale=1 / 255)", "change no pixel"),
    ("ex3", "my_augmentation = dict(rotation_range=10)", "rescale=1/255"),
    ("ex3", "my_augmentation = dict(rescale=1 / 255, horizontal_flip=True)", "mirrored 2"),
    ("ex3", "my_augmentation = dict(rescale=1 / 255, rotation_range=90)", "rotation_range=90"),
    ("ex4", "leaking_settings = {'rotation_range', 'zoom_range', 'rescale'}; "
            "validation_datagen = None", "rescale is not augmentation"),
    ("ex4", "leaking_settings = {'rotation_range'}; validation_datagen = None",
            "random transform per image"),
    ("ex4", "leaking_settings = {'rotation_range', 'zoom_range'}; validation_datagen = datagen",
            "still augments"),
    ("ex4", "leaking_settings = {'rotation_range', 'zoom_range'}; validation_datagen = "
            "augwidgets.ImageDataGenerator(rescale=1 / 255)", "same validation_split"),
    ("ex5", "sweet_spot = max(measured); memorising = set(); with_twice_the_data = {}",
            "too much augmentation"),
    ("ex5", "sweet_spot = min(measured); memorising = set(); with_twice_the_data = {}",
            "highest validation accuracy"),
    ("ex5", "sweet_spot = max(measured, key=lambda s: measured[s][0]); memorising = set(); "
            "with_twice_the_data = {}", "positive gap"),
    ("ex5", "sweet_spot = max(measured, key=lambda s: measured[s][0]); "
            "memorising = {s for s, (v, t) in measured.items() if t > v}; "
            "with_twice_the_data = {'gap_at_zero': 'larger', 'sweet_spot': 'left'}",
            "less to memorise"),
    ("ex5", "sweet_spot = max(measured, key=lambda s: measured[s][0]); "
            "memorising = {s for s, (v, t) in measured.items() if t > v}; "
            "with_twice_the_data = {'gap_at_zero': 'smaller', 'sweet_spot': 'right'}",
            "needs less augmentation"),
]


@pytest.mark.parametrize(("exercise", "answer", "hint"), WRONG_ANSWERS)
def test_exercise_checks_reject_wrong_answers_with_a_hint(
    exercise_namespace: dict, exercise: str, answer: str, hint: str
) -> None:
    namespace = dict(exercise_namespace)
    exec(answer, namespace)
    with pytest.raises(AssertionError, match=re.escape(hint)):
        exec(_exercise_cells()[f"{exercise}-check"], namespace)


@pytest.mark.parametrize("exercise", ["ex1", "ex2", "ex3", "ex4", "ex5"])
def test_exercise_checks_accept_the_solutions(
    exercise_namespace: dict, exercise: str, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = dict(exercise_namespace)
    cells = _exercise_cells()
    exec(cells[f"{exercise}-answer"], namespace)
    exec(cells[f"{exercise}-check"], namespace)
    assert "Correct" in capsys.readouterr().out


COLAB = "https://colab.research.google.com/github/augwidgets/augwidgets/blob/main/notebooks/"
PY_NAMES = [name for name in NAMES if name not in R_NAMES]


@pytest.mark.parametrize("name", PY_NAMES)
def test_open_in_colab_badge_and_an_install_cell_that_runs_only_there(name: str) -> None:
    nb = _read(name)
    assert nb.cells[0].cell_type == "markdown"
    assert f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]" \
           f"({COLAB}{name})" in nb.cells[0].source
    install, *rest = _code_cells(nb)
    lines = install.source.splitlines()
    guard = 'if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:'
    assert guard in lines
    assert lines[lines.index(guard) + 1:] == [
        '    %pip install -q "augwidgets @ git+https://github.com/augwidgets/augwidgets"']
    assert install.outputs == [], "on this machine the install cell does nothing"
    # the only network access: nothing else installs or downloads at run time
    for cell in rest:
        for marker in ("pip install", "http://", "https://", "urlretrieve", "wget ", "curl "):
            assert marker not in cell.source, (marker, cell.source)


def test_no_lesson_displays_a_widget_without_its_picture() -> None:
    """The saved lessons read on GitHub and nbviewer: every widget output has a picture
    (or, for a tqdm bar, its final text). tests/notebooks/test_static_pictures.py re-executes them."""
    from tests.notebooks.test_static_pictures import widget_outputs_without_picture

    for name in PY_NAMES:
        assert widget_outputs_without_picture(_read(name)) == [], name
