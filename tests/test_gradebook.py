"""`autograder grade` on an nbgrader submitted/ tree records the kit's task scores in nbgrader's
gradebook, as `nbgrader autograde` does with the course's configuration (the same
`gradebook.store`): scores on the check cells, reasons as comments, nbgrader's needs_manual_grade
rule, the submission's timestamp.txt; the gradebook's URL and course id come from nbgrader's
config. `nbgrader export` then lists the scores. (tests/test_nbgrader_workflow.py runs
`nbgrader autograde` itself.)"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course

COURSE = Course.find(Path(__file__).parent)
HW = "hw2_contrastive"


@pytest.mark.slow
def test_submitted_tree__scores_land_in_the_gradebook_and_the_export(real_folder):
    root = real_folder / "gradebook" / "course"
    root.mkdir(parents=True)
    for name in ("nbgrader_config.py", f"assignments/{HW}", f"hidden_tests/{HW}"):
        source, target = COURSE.root / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    db = root / "grading" / "marks.db"  # nbgrader's db_url and course id, not the kit's defaults
    db.parent.mkdir()
    with (root / "nbgrader_config.py").open("a") as config:
        config.write(
            f'\nc.CourseDirectory.db_url = "sqlite:///{db}"\nc.CourseDirectory.course_id = "ssl-test"\n'
        )
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=600)

    released = run(sys.executable, "-m", "autograder", "release", HW, "--no-execute")
    assert released.returncode == 0, released.stderr[-2000:]
    course = Course(root)
    submitted = {"alice": course.solution_notebook(HW), "bob": course.release_notebook(HW)}
    for student, notebook in submitted.items():
        folder = root / "submitted" / student / HW
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{HW}.ipynb")
    (root / "submitted" / "alice" / HW / "timestamp.txt").write_text("2026-01-02 12:00:00.000000 UTC\n")
    graded = run(sys.executable, "-m", "autograder", "grade", "--hw", HW, "submitted", "--out", "results")
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert "recorded in nbgrader's gradebook" in graded.stdout
    assert sorted(p.name for p in (root / "results").glob("*.json")) == [
        "alice.json",
        "bob.json",
        "summary.json",
    ]
    assert not (root / "gradebook.db").exists()
    exported = run(str(Path(sys.executable).parent / "nbgrader"), "export", "--to", "grades.csv")
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").open())}
    results = {s: json.loads((root / "results" / f"{s}.json").read_text()) for s in rows}
    for student, result in results.items():
        assert float(rows[student]["raw_score"]) == pytest.approx(result["score"], abs=1e-6)
    assert float(rows["bob"]["raw_score"]) == 0.0
    assert rows["alice"]["timestamp"].startswith("2026-01-02 12:00:00")
    spec = course.manifest(HW)
    nb = nbformat.read(course.source_notebook(HW), as_version=4)
    by_hand = sum(
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    )
    assert float(rows["alice"]["max_score"]) == spec.max_score + by_hand  # + the manually graded answers

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}", course_id="ssl-test") as gb:
        assert gb.find_assignment(HW).course_id == "ssl-test"
        for student, result in results.items():
            notebook = gb.find_submission_notebook(HW, HW, student)
            grades = {g.cell.name: g for g in notebook.grades}
            comments = {c.cell.name: c.auto_comment for c in notebook.comments}
            for task, outcome in result["tasks"].items():
                grade = grades[f"{task}_check"]
                assert (grade.extra_credit if outcome["bonus"] else grade.auto_score) == pytest.approx(
                    outcome["score"]
                )
                assert not grade.needs_manual_grade
                assert f"Autograder: {outcome['score']:g} / " in comments[task]
            answers = [g for name, g in grades.items() if name.startswith("answer_")]
            written = student == "alice"  # the solution's answers differ from the release's stub
            assert all((g.auto_score is None) == written and g.needs_manual_grade == written for g in answers)
