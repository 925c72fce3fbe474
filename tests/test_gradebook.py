"""Grading an nbgrader submitted/ tree records task scores in nbgrader's gradebook, and
`nbgrader export` then lists them."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.course import Course

COURSE = Course.find(Path(__file__).parent)
HW = "hw2_contrastive"


def test_submitted_tree__scores_land_in_the_gradebook_and_the_export(tmp_path):
    for name in ("nbgrader_config.py", "assignments", "hidden_tests"):
        source = COURSE.root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)

    assert run(sys.executable, "-m", "autograder", "release", HW, "--no-execute").returncode == 0
    submitted = {"alice": COURSE.solution_notebook(HW), "bob": COURSE.release_notebook(HW)}
    for student, notebook in submitted.items():
        folder = tmp_path / "submitted" / student / HW
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{HW}.ipynb")
    graded = run(sys.executable, "-m", "autograder", "grade", "--hw", HW, "submitted", "--out", "results")
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert "recorded in nbgrader's gradebook" in graded.stdout
    assert sorted(p.name for p in (tmp_path / "results").glob("*.json")) == [
        "alice.json",
        "bob.json",
        "summary.json",
    ]
    exported = run(str(Path(sys.executable).parent / "nbgrader"), "export", "--to", "grades.csv")
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    spec = COURSE.manifest(HW)
    every_point = sum(t.points for t in spec.tasks.values())  # bonus tasks arrive as extra credit
    assert float(rows["alice"]["raw_score"]) == every_point
    assert float(rows["bob"]["raw_score"]) == 0.0
    nb = nbformat.read(COURSE.source_notebook(HW), as_version=4)
    by_hand = sum(
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    )
    assert float(rows["alice"]["max_score"]) == spec.max_score + by_hand  # + the manually graded answers
