"""The README and the docs pages: short, linked, and speaking only of the project.

The strict site build itself is ``scripts/test_docs`` (``mkdocs build --strict``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
# Phrases that describe how the project was made, not what it is.
MAKING_OF = re.compile(r"this session|this task|before this (?:session|change)|"
                       r"what this session|the lead|helper|filed by", re.IGNORECASE)


def _relative_links(text: str) -> list[str]:
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    return [link.split("#")[0] for link in links
            if not re.match(r"[a-z]+:", link) and not link.startswith("#")]


def test_readme_is_short_and_every_relative_link_exists() -> None:
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    links = _relative_links(text)
    assert "docs/index.md" in links and "docs/api/index.md" in links
    for link in links:
        assert (ROOT / link).exists(), f"README links to a missing {link}"


def test_readme_keeps_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "bash scripts/start" in text and "bash scripts/test" in text


def test_every_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    for page in PAGES:
        name = page.relative_to(ROOT / "docs").as_posix()
        assert name in config, f"docs/{name} is not in mkdocs.yml's nav"


@pytest.mark.parametrize("path", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_the_project_speaks_only_of_itself(path: Path) -> None:
    found = MAKING_OF.findall(path.read_text())
    assert not found, f"{path.relative_to(ROOT)} says {found}"


def test_the_api_reference_documents_every_public_name() -> None:
    import augwidgets

    documented = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        for target in re.findall(r"^::: (augwidgets\.[\w.]+)$", page.read_text(), re.M):
            documented.add(target.rsplit(".", 1)[-1])
            if target.startswith("augwidgets.datasets."):
                documented.add("datasets")
    missing = set(augwidgets.__all__) - documented - {"__version__"}
    assert not missing, f"not in docs/api: {sorted(missing)}"


def test_docstring_examples_are_google_style_examples_sections() -> None:
    # mkdocstrings renders ">>>" lines as code only under "Examples:"; under "Example:" they
    # would become Markdown block quotes in the API reference.
    singular = [f"{path.relative_to(ROOT)}:{number}"
                for path in sorted((ROOT / "augwidgets").rglob("*.py"))
                for number, line in enumerate(path.read_text().splitlines(), 1)
                if line.strip() == "Example:"]
    assert not singular, f"use 'Examples:' in {singular}"
