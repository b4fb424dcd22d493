"""Re-execute the teaching notebooks in place and save them clean, ready to commit.

nbval compares the checked cells with the saved outputs, so after a change that alters a
checked output (a message, a count), re-run this and review the diff. It executes each
notebook top to bottom with the ``python3`` kernel of this environment (an R notebook with
the ``ir`` kernel, whose reticulate uses this Python), then removes what
changes on every run: cell timing metadata, the saved widget state (about 1 MB of preview
images; the text fallbacks stay) and TensorFlow's start-up lines on stderr.

Example:
    python tests/notebooks/execute_notebooks.py                        # all of notebooks/*.ipynb
    python tests/notebooks/execute_notebooks.py notebooks/03-train-and-validate.ipynb
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
CHATTER = ("absl::InitializeLog", "oneDNN custom operations")


def clean(nb: nbformat.NotebookNode) -> int:
    """Strip volatile metadata and start-up chatter in place; return the number of errors."""
    nb.metadata.pop("widgets", None)
    errors = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                lines = [line for line in output.text.splitlines(True)
                         if not any(marker in line for marker in CHATTER)]
                if not "".join(lines).strip():
                    continue
                output.text = "".join(lines)
            errors += output.output_type == "error"
            kept.append(output)
        cell.outputs = kept
    return errors


def execute(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.get("kernelspec", {}).get("language") == "R":
        kernel = "ir"  # notebook 06 runs on IRkernel, reaching this Python through reticulate
    else:
        kernel = "python3"
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                     "language": "python", "name": "python3"}
    started = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name=kernel, allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = clean(nb)
    nbformat.write(nb, path)
    print(f"{path.name}: {time.perf_counter() - started:.1f} s, {errors} error output(s)")
    return errors


def main(arguments: list[str]) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("RETICULATE_PYTHON", sys.executable)  # the R kernel's Python
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    paths = [Path(a).resolve() for a in arguments] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    return 1 if sum(execute(path) for path in paths) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
