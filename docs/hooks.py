"""MkDocs hook: the lessons in ``notebooks/`` become pages of the site, under ``notebooks/``.

mkdocs-jupyter renders them with their saved outputs (``execute: false``); the notebooks
stay where the lessons and their tests expect them, outside ``docs/``.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files: Files, config) -> Files:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(File(f"notebooks/{path.name}", str(ROOT), config["site_dir"],
                          config["use_directory_urls"]))
    return files
