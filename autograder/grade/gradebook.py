"""Put the kit's task scores into nbgrader's own gradebook, the one rule for both ways in.

``nbgrader autograde`` (through :mod:`autograder.grade.nbgrader_autograde`) and
``autograder grade`` on an nbgrader ``submitted/`` tree both call :func:`store`, so the gradebook
holds the same scores whichever command the instructor ran:

- each task's score is the ``auto_score`` of its sanity-check grade cell (``<task>_check``); a
  bonus task's check cell has 0 points and its score is nbgrader's ``extra_credit``;
- each task's readable result (score, first problem, the checks that failed) is the
  ``auto_comment`` of the task's answer cell (grade_id ``<task>``): formgrader shows it in the
  comment box, ``nbgrader generate_feedback`` sends it to the student;
- every other cell follows nbgrader's own rules: a manually graded answer left as released scores
  0 ("No response."), any other answer waits for a grader; a code grade cell the kit does not
  grade is never given points (nbgrader would have executed it: here it waits for a grader);
- ``needs_manual_grade`` is nbgrader's rule: set when the cell has no automatic score or a grader
  already gave a manual one (which then stays in force, as in nbgrader).

The gradebook's URL and the course id are nbgrader's (``CourseDirectory.db_url`` and
``CourseDirectory.course_id`` from ``nbgrader_config.py``). ``record`` also records the
submission's ``timestamp.txt`` and applies nbgrader's late-penalty plugin, as ``nbgrader
autograde`` does.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.course import Course, CourseError
from autograder.results import GradeResult

if TYPE_CHECKING:
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

CHECK_SUFFIX = "_check"  # a task's sanity-check grade cell is "<task>_check"
MAX_COMMENT = 3000  # characters of one task's comment
MAX_FAILED_LISTED = 8  # failed checks named per comment
NO_RESPONSE = "No response."  # nbgrader's own comment on an answer left as released

log = logging.getLogger(__name__)


def check_cell(task: str) -> str:
    return f"{task}{CHECK_SUFFIX}"


@dataclass(frozen=True)
class Settings:
    """nbgrader's view of the course: its configuration and course directory."""

    config: Config
    coursedir: CourseDirectory

    @property
    def db_url(self) -> str:
        return str(self.coursedir.db_url)

    @property
    def course_id(self) -> str:
        return str(self.coursedir.course_id)


def settings(course: Course) -> Settings:
    """``nbgrader_config.py`` of the course, read as nbgrader reads it (its root is the course's)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    config.CourseDirectory.root = str(course.root)
    return Settings(config, CourseDirectory(config=config))


def task_comment(result: GradeResult, task: str) -> str:
    """What the grader and the student read about one task: its score, its first problem, the
    checks that failed with their reasons, and the notebook-level notes that name the task."""
    outcome = result.tasks[task]
    bonus = " bonus" if outcome.bonus else ""
    lines = [f"Autograder: {outcome.score:g} / {outcome.max_score:g}{bonus} points ({outcome.status})."]
    tests = [t for t in result.tests if t.task == task]
    failed = [t for t in tests if t.status != "passed"]
    if outcome.output:
        lines.append(outcome.output)
    reasons = {t.output for t in failed}
    if failed and reasons <= {outcome.output, ""}:  # one reason for all (a stub, an import error)
        lines.append(f"{len(failed)} of {len(tests)} checks failed for that reason.")
    elif failed:
        lines.append(f"{len(failed)} of {len(tests)} checks failed:")
        lines += [f"- {t.name}: {t.output}" for t in failed[:MAX_FAILED_LISTED]]
        if len(failed) > MAX_FAILED_LISTED:
            lines.append(f"- (+{len(failed) - MAX_FAILED_LISTED} more)")
    elif tests:
        lines.append(f"All {len(tests)} checks passed.")
    lines += [f"Note: {e}" for e in result.errors if f"`{task}`" in e]
    text = "\n".join(lines)
    return text if len(text) <= MAX_COMMENT else text[: MAX_COMMENT - 1] + "…"


def general_notes(result: GradeResult) -> list[str]:
    """Notebook-level notes that name no task (they go with the first task)."""
    return [e for e in result.errors if not any(f"`{t}`" in e for t in result.tasks)]


def store(
    gb: Gradebook,
    hw: str,
    notebook_id: str,
    student: str,
    result: GradeResult | None,
    cells: list[Any] | None,
) -> int:
    """Write one submitted notebook's grades and comments; ``result`` is the kit's (None: the kit
    does not grade this notebook), ``cells`` the submitted notebook's cells (None: unreadable).
    Returns how many task scores were written."""
    from nbgrader import utils
    from nbgrader.api import MissingEntry, TaskCell

    submitted = gb.find_submission_notebook(notebook_id, hw, student)
    by_id: dict[str, Any] = {}
    for cell in cells or []:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str):
            by_id.setdefault(grade_id, cell)
    tasks = result.tasks if result is not None else {}
    checks = {check_cell(t): t for t in tasks}
    notes = general_notes(result) if result is not None else []

    def source_checksum(name: str) -> str | None:
        try:
            return gb.find_source_cell(name, notebook_id, hw).checksum
        except MissingEntry:
            return None

    def unchanged(name: str) -> bool:
        """nbgrader's "no response": the cell is as released (its checksum is the source's)."""
        cell = by_id.get(name)
        if cell is None or "nbgrader" not in cell.get("metadata", {}):
            return False
        try:
            return utils.compute_checksum(cell) == source_checksum(name)
        except (KeyError, TypeError, ValueError):
            return False

    written = 0
    for grade in submitted.grades:
        name = grade.cell.name
        if name in checks:
            outcome = tasks[checks[name]]
            if outcome.bonus:
                grade.auto_score, grade.extra_credit = 0.0, outcome.score
            else:
                grade.auto_score = min(outcome.score, grade.max_score)
            written += 1
        elif name not in by_id:
            continue  # nbgrader leaves a grade whose cell is gone as it was
        elif _is_solution(gb, name, notebook_id, hw):
            # nbgrader's determine_grade for an answer: 0 when left as released, else a grader's
            grade.auto_score = 0.0 if unchanged(name) else None
        else:
            # an autograded code cell the kit has no task for: nbgrader would run it; the kit never
            # runs a notebook, so a grader decides (and no points come for free)
            log.warning("%s: grade cell %s is not a task check; it waits for a grader", student, name)
            grade.auto_score = None
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    first_task = next(iter(tasks), None)
    for comment in submitted.comments:
        name = comment.cell.name
        if name in tasks:
            text = task_comment(result, name) if result is not None else ""
            if name == first_task and notes:
                text += "\n" + "\n".join(f"Note: {n}" for n in notes)
            comment.auto_comment = f"{NO_RESPONSE}\n{text}" if unchanged(name) else text
        elif name in by_id:
            is_task = isinstance(comment.cell, TaskCell)
            comment.auto_comment = NO_RESPONSE if unchanged(name) and not is_task else None
    gb.db.commit()
    return written


def _is_solution(gb: Gradebook, name: str, notebook_id: str, hw: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_solution_cell(name, notebook_id, hw)
    except MissingEntry:
        return False
    return True


def record(course: Course, hw: str, results: dict[str, GradeResult]) -> int:
    """``autograder grade`` on a ``submitted/`` tree: record each student's submission (with its
    ``timestamp.txt``), grades and comments as ``nbgrader autograde`` would, then nbgrader's late
    penalty; returns how many task scores were written."""
    from nbgrader.api import Gradebook, MissingEntry

    nb_settings = settings(course)
    coursedir = nb_settings.coursedir
    written = 0
    with Gradebook(nb_settings.db_url, course_id=nb_settings.course_id) as gb:
        try:
            assignment = gb.find_assignment(hw)
        except MissingEntry:
            raise CourseError(
                f"{hw} is not in nbgrader's gradebook {nb_settings.db_url}; run `autograder release "
                f"{hw}` first (it registers the assignment with nbgrader)"
            ) from None
        notebook_ids = [n.name for n in assignment.notebooks]
        for student, result in results.items():
            notebook = _submitted_notebook(coursedir, hw, student, result)
            timestamp = coursedir.get_existing_timestamp(str(notebook.parent))
            gb.update_or_create_student(student)
            if timestamp:
                gb.update_or_create_submission(hw, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(hw, student)
            notebook_id = hw if hw in notebook_ids else notebook.stem
            if notebook_id not in notebook_ids:
                continue
            written += store(gb, hw, notebook_id, student, result, _cells(notebook))
    for student in results:
        for notebook_id in notebook_ids:
            late_penalty(nb_settings, hw, notebook_id, student)
    return written


def late_penalty(nb_settings: Settings, hw: str, notebook_id: str, student: str) -> None:
    """nbgrader's own AssignLatePenalties (and the configured plugin) on one submitted notebook."""
    from nbformat.v4 import new_notebook
    from nbgrader.preprocessors import AssignLatePenalties

    ids = {"notebook": notebook_id, "assignment": hw, "student": student}
    resources = {"nbgrader": {**ids, "db_url": nb_settings.db_url}}
    AssignLatePenalties(config=nb_settings.config).preprocess(new_notebook(), resources)


def _submitted_notebook(coursedir: CourseDirectory, hw: str, student: str, result: GradeResult) -> Path:
    graded = Path(result.submission.get("path", ""))
    if graded.name.endswith(".ipynb") and graded.is_file():
        return graded
    return Path(coursedir.format_path(coursedir.submitted_directory, student, hw)) / f"{hw}.ipynb"


def _cells(notebook: Path) -> list[Any] | None:
    """The submission's cells as data (nothing runs), for nbgrader's "no response" rule."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
        return [copy.deepcopy(c) for c in nb.get("cells", []) if isinstance(c, dict)]
    except Exception:  # an unreadable notebook: the kit's result already says why
        return None


__all__ = ["record", "settings", "store", "task_comment", "check_cell"]
