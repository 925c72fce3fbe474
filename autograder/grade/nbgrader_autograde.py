"""``nbgrader autograde`` with the kit's sandboxed engine in place of a Jupyter kernel.

nbgrader's ``Autograde`` converter runs two lists of preprocessors on each submitted notebook:
``sanitize_preprocessors`` (kept as nbgrader ships them: clear outputs, de-duplicate ids, restore
the kernelspec, overwrite locked cells, points and checksums from the gradebook) and
``autograde_preprocessors``, whose ``Execute`` would run the whole notebook, student code included,
unconfined in a kernel, and whose ``SaveAutoGrades`` would then score the sanity-check cells by
their output. The course's ``nbgrader_config.py`` replaces those two with:

``KitGrade``          grades the submitted notebook (``submitted/<student>/<hw>/<hw>.ipynb``, the
                      same file ``autograder grade`` reads, so the same seeds and scores) with the
                      kit's engine: student code runs only in the sandbox's workers, the hidden
                      tests in this process. Nothing is executed in a kernel. Each task's result is
                      written as the output of its check cell in ``autograded/``, and the result is
                      passed on in the resources.
``KitSaveAutoGrades`` writes the kit's task scores, comments and nbgrader's own rules for every
                      other cell to the gradebook (``autograder.grade.gradebook.store``).

``AssignLatePenalties`` (with the submission's ``timestamp.txt``, which ``Autograde`` records
itself) and the other stock preprocessors stay. One grader (one sandbox template, one pytest
session) serves every notebook of the run and is closed when the process ends.
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

from autograder.course import Course
from autograder.grade import gradebook

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

    from autograder.grade.engine import Grader
    from autograder.results import GradeResult

RESULT_KEY = "autograder_result"  # where KitGrade leaves the kit's result for KitSaveAutoGrades

_graders: dict[tuple[str, str], Grader] = {}


def _grader(course: Course, hw: str) -> Grader:
    """The grader of this process for ``hw`` (one at a time: another assignment closes it)."""
    from autograder.grade.engine import course_grader

    key = (str(course.root), hw)
    if key not in _graders:
        close_graders()
        _graders[key] = course_grader(course, hw)
    return _graders[key]


def close_graders() -> None:
    while _graders:
        _, grader = _graders.popitem()
        grader.close()


atexit.register(close_graders)  # the sandbox template ends with nbgrader's process


def _coursedir(pp: NbGraderPreprocessor) -> CourseDirectory:
    """The converter's course directory (a preprocessor's parent is the exporter, whose parent is
    nbgrader's converter); nbgrader's configuration otherwise."""
    exporter = getattr(pp, "parent", None)
    coursedir = getattr(getattr(exporter, "parent", None), "coursedir", None)
    if coursedir is None:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=pp.config)
    return coursedir


class KitGrade(NbGraderPreprocessor):
    """Grade the submission with the kit's sandboxed engine (in place of nbgrader's Execute)."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from autograder.grade.batch import safe_grade
        from autograder.grade.submissions import Entry, _refuse_links

        info = resources["nbgrader"]
        hw, student, notebook_id = info["assignment"], info["student"], info["notebook"]
        coursedir = _coursedir(self)
        course = Course(Path(coursedir.root).resolve())
        resources[RESULT_KEY] = None
        if notebook_id != hw or hw not in course.assignment_ids():
            self.log.warning(
                "%s/%s: not a notebook the course autograder grades (it grades %s.ipynb of the "
                "assignments in %s); its grade cells wait for a grader",
                hw,
                notebook_id,
                hw,
                course.assignments,
            )
            return nb, resources
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, hw))
        submitted_root = Path(coursedir.root) / coursedir.submitted_directory
        root = submitted_root if folder.is_relative_to(submitted_root) else folder
        entry = _refuse_links(Entry(student, folder / f"{notebook_id}.ipynb"), root)
        result = safe_grade(_grader(course, hw), entry)
        resources[RESULT_KEY] = result
        self.log.info(
            "%s: %g / %g (course autograder, sandbox %s)",
            student,
            result.score,
            result.max_score,
            result.sandbox.get("mode", "?"),
        )
        _write_outputs(nb, result)
        return nb, resources


def _write_outputs(nb: Any, result: GradeResult) -> None:
    """Each task's result as the output of its check cell (the cell itself never ran)."""
    checks = {gradebook.check_cell(t): t for t in result.tasks}
    notes = gradebook.general_notes(result)
    first = True
    for cell in nb.cells:
        task = checks.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
        if task is None or cell.get("cell_type") != "code":
            continue
        text = "Graded by the course autograder (hidden tests; this cell was not run).\n"
        text += gradebook.task_comment(result, task) + "\n"
        if first and notes:
            text += "".join(f"Note: {n}\n" for n in notes)
        first = False
        cell.outputs = [new_output("stream", name="stdout", text=text)]
        cell.execution_count = None


class KitSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades with the kit's task scores and comments (in its place)."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        coursedir = _coursedir(self)
        with Gradebook(info["db_url"], course_id=coursedir.course_id) as gb:
            gradebook.store(
                gb,
                info["assignment"],
                info["notebook"],
                info["student"],
                resources.get(RESULT_KEY),
                list(nb.cells),
            )
        return nb, resources
