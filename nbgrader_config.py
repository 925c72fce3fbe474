"""nbgrader's configuration for this course directory (the repository root).

assignments/ is nbgrader's source directory, release/ its release directory and solutions/ its
solution directory; the hidden tests live in hidden_tests/ and never enter release/.

`nbgrader autograde` grades with the course autograder: its Execute preprocessor (which would run
every submitted notebook, student code included, unconfined in a Jupyter kernel) and its
SaveAutoGrades (which would score the sanity-check cells) are replaced by the kit's KitGrade (the
sandboxed engine of `autograder grade`, hidden tests included) and KitSaveAutoGrades (the kit's
task scores on the check cells, its reasons as comments, nbgrader's rules for every other cell).
The sanitizing preprocessors and the late penalties stay nbgrader's own.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "ssl-course"
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 900
c.Execute.record_timing = False  # no timestamps: regenerated solutions stay comparable

# `nbgrader autograde`: the course autograder in place of a kernel (see the docstring).
c.Autograde.autograde_preprocessors = [
    "autograder.grade.nbgrader_autograde.KitGrade",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "autograder.grade.nbgrader_autograde.KitSaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Late submissions (timestamp.txt after the assignment's due date, set with
# `nbgrader db assignment add HW --duedate=...`): nbgrader's plugin, "none" (the default) or "zero".
c.LateSubmissionPlugin.penalty_method = "none"
