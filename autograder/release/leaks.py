"""The leak check: what a release must never contain."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from autograder.course import Course

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _solution_lines(source_notebook: Path) -> set[str]:
    """Distinctive lines inside the source notebook's solution blocks."""
    lines: set[str] = set()
    for cell in nbformat.read(source_notebook, as_version=4).cells:
        for block in _SOLUTION.findall(cell.source):
            lines |= {
                ln.strip()
                for ln in block.splitlines()
                if len(ln.strip()) >= 12 and not ln.strip().startswith("#")
            }
    return lines


def _hidden_test_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
        }
    return names


def find_leaks(course: Course, hw: str) -> list[str]:
    release = course.release / hw
    solution_lines = _solution_lines(course.source_notebook(hw))
    hidden = course.hidden_test_dir(hw)
    hidden_sources = (
        {p.read_text(encoding="utf-8") for p in hidden.rglob("*.py")} if hidden.is_dir() else set()
    )
    hidden_names = _hidden_test_names(hidden) if hidden.is_dir() else set()
    problems = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(course.root)
        for marker in MARKERS:
            if marker in text:
                problems.append(f"{where}: contains the marker '{marker}'")
        if path.suffix == ".ipynb":
            code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
            for line in sorted(solution_lines):
                if line in code:
                    problems.append(f"{where}: contains solution code: {line[:60]!r}")
        if text in hidden_sources:
            problems.append(f"{where}: is a copy of a hidden test file")
        for name in sorted(hidden_names):
            if re.search(rf"\b{re.escape(name)}\b", text):
                problems.append(f"{where}: names the hidden test {name}")
    return problems
