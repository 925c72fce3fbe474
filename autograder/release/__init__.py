"""``autograder release``: nbgrader's own generate_assignment and generate_solution, then a leak
check of the student version.

    generate_assignment   assignments/<hw> → release/<hw>   (solutions cleared, checksums)
    generate_solution     assignments/<hw> → solutions/<hw> (markers removed; executed unless
                                                            --no-execute)
    leak check            release/<hw> holds no solution code, hidden test or marker
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.converters import GenerateSolution
from nbgrader.converters.base import NbGraderException
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.course import Course, CourseError
from autograder.errors import KitError
from autograder.release.leaks import find_leaks


class ReleaseError(KitError):
    pass


def _config(course: Course, execute: bool) -> Config:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    config.CourseDirectory.root = str(course.root)
    config.Exchange.root = str(course.root / ".exchange")  # never used; keeps nbgrader off /srv
    if not execute:
        config.GenerateSolution.preprocessors = [
            "nbgrader.preprocessors.IncludeHeaderFooter",
            "nbgrader.preprocessors.LockCells",
            "nbgrader.preprocessors.ClearOutput",
            "nbgrader.preprocessors.ClearMarkScheme",
        ]
    return config


def _put_environment_on_path() -> None:
    """nbgrader runs the ``alembic`` executable for its gradebook; when the CLI is started as
    ``.venv/bin/autograder`` without activating the environment, that folder is not on PATH."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def cells_without_solution_markers(notebook: Path) -> list[str]:
    """Code cells marked as solution cells (task cells) without a BEGIN/END SOLUTION pair."""
    found = []
    for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            if "### BEGIN SOLUTION" not in cell.source or "### END SOLUTION" not in cell.source:
                found.append(f"task cell {index + 1} (`{meta.get('grade_id')}`)")
    return found


def main(*, course: Course, assignments: list[str] | None = None, execute: bool = True) -> list[str]:
    """Regenerate release/ and solutions/ for each assignment; returns the leak report lines
    (empty when clean). Raises ``ReleaseError`` when nbgrader fails."""
    ids = assignments or course.assignment_ids()
    for hw in ids:
        course.check_assignment(hw)
        unmarked = cells_without_solution_markers(course.source_notebook(hw))
        if unmarked:
            raise ReleaseError(
                f"{course.source_notebook(hw)}: {unmarked[0]} has no `### BEGIN SOLUTION` / "
                "`### END SOLUTION` block; nbgrader would replace the whole cell (signature and "
                "docstring too). Put the markers around the solution lines only."
            )
    _put_environment_on_path()
    api = NbGraderAPI(config=_config(course, execute))
    problems: list[str] = []
    for hw in ids:
        for target in (course.release / hw, course.solutions / hw):
            shutil.rmtree(target, ignore_errors=True)
        outcome = api.generate_assignment(hw, force=True, create=True)
        if not outcome["success"]:
            raise ReleaseError(
                f"nbgrader generate_assignment {hw} failed:\n{outcome.get('error') or outcome.get('log')}"
            )
        app = GenerateSolution(coursedir=api.coursedir, parent=api)
        app.coursedir.assignment_id = hw
        app.force = True
        try:
            app.start()
        except NbGraderException as exc:
            raise ReleaseError(f"nbgrader generate_solution {hw} failed: {exc}") from None
        finally:
            app.coursedir.assignment_id = ""
        problems += find_leaks(course, hw)
    return problems


__all__ = ["main", "ReleaseError", "CourseError"]
