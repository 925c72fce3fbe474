"""Put autograded task scores into nbgrader's own gradebook.

Each task's score becomes the ``auto_score`` of the task's sanity-check grade cell
(``<task>_check``), so formgrader shows it next to the manually graded cells and
``nbgrader export`` produces the final CSV. Bonus tasks have 0-point check cells; their score is
recorded as nbgrader's ``extra_credit``. The assignment must already be in the gradebook, which
``autograder release`` (nbgrader's generate_assignment) does.
"""

from __future__ import annotations

from pathlib import Path

from autograder.course import Course, CourseError
from autograder.results import GradeResult


def record(course: Course, hw: str, results: dict[str, GradeResult]) -> int:
    """Record each student's task scores; returns how many grades were written."""
    from nbgrader.api import Gradebook, MissingEntry

    db_url = f"sqlite:///{course.gradebook}"
    written = 0
    with Gradebook(db_url, course_id=_course_id(course.root)) as gb:
        try:
            gb.find_assignment(hw)
        except MissingEntry:
            raise CourseError(
                f"{hw} is not in the gradebook {course.gradebook}; run `autograder release {hw}` "
                "first (it registers the assignment with nbgrader)"
            ) from None
        for student, result in results.items():
            gb.update_or_create_student(student)
            gb.update_or_create_submission(hw, student)
            for task, outcome in result.tasks.items():
                try:
                    grade = gb.find_grade(f"{task}_check", hw, hw, student)
                except MissingEntry:
                    continue  # a task without a check cell is not in nbgrader's gradebook
                if outcome.bonus:
                    grade.auto_score, grade.extra_credit = 0.0, outcome.score
                else:
                    grade.auto_score = min(outcome.score, grade.max_score)
                grade.needs_manual_grade = False
                written += 1
            gb.db.commit()
    return written


def _course_id(root: Path) -> str:
    """nbgrader's course id from nbgrader_config.py (the gradebook is keyed by it)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return str(config.CourseDirectory.get("course_id", "default_course"))
