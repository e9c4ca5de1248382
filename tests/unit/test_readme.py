"""The README says what the repository is: its dependency table names exactly the packages
pyproject.toml installs, and it points at nothing outside the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# what the table names that pip does not install by that name: extras, vendored files and the
# Debian program a test runs
NOT_PIP_NAMES = {"structlog", "jinja2", "redis", "htmx", "swagger-ui-dist", "nginx", "qpdf"}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _installed_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_requirement_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_requirement_name(r) for r in extra if not r.startswith("radura[")}
    return names


def _table_names() -> set[str]:
    section = README.split("## Why each dependency is here", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    rows = [line for line in section.splitlines() if line.startswith("|")]
    for line in rows[2:]:  # after the header row and its rule
        cell = line.split("|")[1]
        cell = re.sub(r"\(.*?\)", "", cell)  # "(via litestar[jinja])", "(vendored …)"
        names |= {re.sub(r"\s.*", "", n.strip()).lower() for n in cell.split(",") if n.strip()}
    return names


def test_the_dependency_table_names_every_installed_package_and_no_other() -> None:
    table = _table_names() - NOT_PIP_NAMES
    assert table == _installed_names()


def test_the_readme_points_at_nothing_outside_the_repository() -> None:
    assert "../" not in README
    assert not re.search(r"\bSPEC\b|DOMAIN\.md", README)
