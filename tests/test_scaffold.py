"""`autograder new HW` gives a homework that releases, audits and grades out of the box, in a
course folder outside /tmp; `autograder release` refuses a task cell without solution markers."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder import audit, release
from autograder.cli import cli
from autograder.course import Course, CourseError
from autograder.grade import course_grader

REPO = Path(__file__).resolve().parent.parent
HW = "hw9_example"


@pytest.fixture
def empty_course(real_folder: Path, request: pytest.FixtureRequest) -> Course:
    root = real_folder / request.node.name
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    (root / "assignments").mkdir()
    return Course(root)


@pytest.mark.slow
def test_new_homework__releases_audits_and_grades_out_of_the_box(empty_course):
    course = empty_course
    outcome = CliRunner().invoke(cli, ["new", HW, "--course", str(course.root)])
    assert outcome.exit_code == 0, outcome.output
    assert course.assignment_ids() == [HW]
    assert release.main(course=course, assignments=[HW]) == [], "no leaks"
    assert course.release_notebook(HW).is_file() and course.solution_notebook(HW).is_file()
    assert audit.main(course=course, hw=HW)
    with course_grader(course, HW) as grader:
        solution = grader.grade(course.solution_notebook(HW))
        untouched = grader.grade(course.release_notebook(HW))
    assert solution.score == solution.max_score == 1.0
    assert untouched.score == 0 and untouched.tasks["normalize_rows"].status == "not attempted"


def test_new_homework__refuses_a_bad_id_and_an_existing_one(empty_course):
    from autograder import scaffold

    with pytest.raises(CourseError, match="lower case"):
        scaffold.main(course=empty_course, hw="HW 9")
    scaffold.main(course=empty_course, hw=HW)
    with pytest.raises(CourseError, match="already exists"):
        scaffold.main(course=empty_course, hw=HW)


def test_release__refuses_a_task_cell_without_solution_markers(empty_course):
    from autograder import scaffold

    scaffold.main(course=empty_course, hw=HW)
    path = empty_course.source_notebook(HW)
    notebook = nbformat.read(path, as_version=4)
    task = next(c for c in notebook.cells if c.metadata["nbgrader"].get("grade_id") == "normalize_rows")
    task.source = task.source.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    nbformat.write(notebook, path)
    with pytest.raises(release.ReleaseError, match="`normalize_rows`.*BEGIN SOLUTION"):
        release.main(course=empty_course, assignments=[HW])
