"""Convert pasted ``ImageDataGenerator`` code to Keras 3, R keras3 or augwidgets.

``migrate(source, to=...)`` reads Python with ``ast`` (R with ``tools.migrate_r``); it
never runs the code. It finds every ``ImageDataGenerator(...)`` call and the ``flow_*``
calls that use it, even through variables (``datagen = ImageDataGenerator(...)`` then
``datagen.flow_from_directory(...)``), and the ``fit`` calls that consume them, and
returns a ``Migration``:

- ``code``: the pasted code with those calls rewritten, everything else as it was. For
  ``to="keras3"``: each generator becomes a ``keras.layers.Pipeline`` of ``Random*``
  layers (units converted by ``tools.codegen``), each ``flow_from_directory`` an
  ``image_dataset_from_directory`` mapped through it (validation with ``training=False``,
  so it is no longer augmented), ``fit_generator`` becomes ``fit`` and ``steps_per_epoch``
  goes. For ``to="augwidgets"``: the import (R: ``library(keras)``) changes and the code
  stays, less ``fit_generator`` and a folder-counting ``steps_per_epoch``.
- ``notes``: ``(line, text)`` for every line whose translation is not exact;
- ``findings``: ``diagnose()`` on each generator found, plus the step-count mistakes.

Examples:
    >>> result = migrate("datagen = ImageDataGenerator(rescale=1./255, shear_range=0.2)")
    >>> print(result.code)  # doctest: +NORMALIZE_WHITESPACE
    import keras
    # The generator fuses all geometry into one warp; these layers warp one after another, so borders can differ slightly.
    datagen = keras.layers.Pipeline([
        keras.layers.RandomShear(x_factor=0.0035, y_factor=0.0, fill_mode="nearest"),  # close: sin(0.2 degrees); legacy shears about the centre, Keras 3 about the top-left corner
        keras.layers.Rescaling(1/255),  # exact
    ])
    >>> [f.parameter for f in result.findings]
    ['shear_range']
"""

from __future__ import annotations

import ast
import re

from augwidgets.tools.migration import Migration, Note

TARGETS = ("keras3", "r-keras3", "augwidgets")
_MAGIC = re.compile(r"^([ \t]*)([%!].*)$", re.M)


def migrate(source: str, to: str = "keras3", *, language: str | None = None) -> Migration:
    """Convert pasted generator code; the code is parsed, never run.

    Args:
        source: Python or R code.
        to: ``"keras3"`` (Keras 3 layers and ``image_dataset_from_directory``; for R code
            the same in R's ``keras3``), ``"r-keras3"`` (R code only) or ``"augwidgets"``
            (the same code on the augwidgets generator: for R, the augwidgets R package
            with ``library(augwidgets)``).
        language: ``"python"`` or ``"r"``; ``None`` guesses (Python if it parses).

    Raises:
        ValueError: for an unknown ``to`` or ``language``, ``"r-keras3"`` asked of Python,
            or code that is neither valid Python nor R.
    """
    if to not in TARGETS:
        raise ValueError(f"`to` must be one of {TARGETS}. Received: to={to!r}")
    if language not in (None, "python", "r"):
        raise ValueError(f"`language` must be None, 'python' or 'r'. Received: language={language!r}")
    if not isinstance(source, str):
        raise ValueError(f"`source` must be a str of code. Received: source={type(source)!r}")
    # Notebook magics and shell lines (%matplotlib inline, !pip install ...) are not Python:
    # they are read as comments of the same length, and put back in the result.
    masked = _MAGIC.sub(lambda m: m.group(1) + "#" + m.group(2)[1:], source)
    if language is None:
        language = "python" if _parses(masked) else "r"
    if language == "r":
        from augwidgets.tools.migrate_r import migrate_r

        return migrate_r(source, "r-keras3" if to == "keras3" else to)
    if to == "r-keras3":
        raise ValueError("`to` must be 'keras3' or 'augwidgets' for Python code (pasted Python "
                         "stays Python). Received: to='r-keras3'")
    try:
        tree = ast.parse(masked)
    except SyntaxError as error:
        raise ValueError(f"`source` is not valid Python (line {error.lineno}: {error.msg}) "
                         f"nor recognisable R. Received: source={source[:60]!r}...") from None
    from augwidgets.tools.migrate_python import PythonMigration

    result = PythonMigration(masked, tree, to).run()
    magics = {m.group(1) + "#" + m.group(2)[1:]: m.group(0) for m in _MAGIC.finditer(source)}
    if magics:
        result.code = "\n".join(magics.get(line, line) for line in result.code.split("\n"))
        for number, line in enumerate(source.splitlines(), 1):
            if line in magics.values():
                result.notes.append(Note(number, "notebook magic or shell line, kept as it was "
                                                 "(not Python: the check that the result "
                                                 "compiles leaves it out)"))
        result.notes.sort(key=lambda n: n.line)
    return result


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True
