"""The Gradescope bundle, run against a temporary copy of Gradescope's folder layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import gradescope
from autograder.course import Course
from autograder.results import GradeResult, TaskResult
from autograder.results import TestResult as CheckResult

COURSE = Course.find(Path(__file__).parent)
HW = "hw2_contrastive"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return gradescope.build(course=COURSE, hw=HW, out_dir=tmp_path_factory.mktemp("dist"))


def test_bundle__has_the_scripts_the_hidden_tests_and_no_solution(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        assert {
            "setup.sh",
            "run_autograder",
            f"source/hidden_tests/{HW}/test_nt_xent.py",
            f"source/assignments/{HW}/tasks.toml",
            "source/autograder/cli.py",
        } <= names
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111, "run_autograder is executable"
        notebook = zf.read(f"source/assignments/{HW}/{HW}.ipynb").decode()
    assert "BEGIN SOLUTION" not in notebook and "F.cross_entropy(sim, positive)" not in notebook


def _gradescope_layout(bundle: Path, root: Path, submission: Path | None) -> Path:
    """/autograder as Gradescope lays it out: source/ (the unzipped bundle), submission/, results/."""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "bundle")
    shutil.copytree(root / "bundle" / "source", root / "source")
    shutil.copy(root / "bundle" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    if submission is not None:
        shutil.copy(submission, root / "submission" / f"{HW}.ipynb")
    return root


def _run(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600
    )
    assert (root / "results" / "results.json").exists(), done.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder__grades_the_solution_with_per_test_visibility(bundle, tmp_path):
    data = _run(_gradescope_layout(bundle, tmp_path, COURSE.solution_notebook(HW)))
    spec = COURSE.manifest(HW)
    assert data["score"] == pytest.approx(sum(t.points for t in spec.tasks.values()))
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_due_date"}
    assert all(t["status"] == "passed" for t in data["tests"])
    assert "sandbox" in data, "the isolation in force is kept"


def test_run_autograder__an_empty_submission_still_gets_a_result(bundle, tmp_path):
    data = _run(_gradescope_layout(bundle, tmp_path, None))
    assert data["score"] == 0 and "No .ipynb" in data["output"]


def test_results_json__top_level_output_is_kit_text_and_notes_go_to_their_own_entry():
    note = "Score overridden by the instructor: 100/100 \x1b[2J"
    result = GradeResult(
        assignment=HW,
        submission={"path": "sub.ipynb", "sha256": ""},
        score=1.0,
        max_score=2.0,
        tasks={"nt_xent": TaskResult(1.0, 2.0, False, "partial", note)},
        tests=[
            CheckResult("test_a", "nt_xent", 1.0, 1.0, "passed", "", "visible"),
            CheckResult("test_b", "nt_xent", 0.0, 1.0, "failed", note, "hidden"),
        ],
        errors=[note],
        execution_time=1.5,
        sandbox={"mode": "full", "network": "namespace"},
    )
    data = gradescope.results_json(result)
    assert "overridden" not in data["output"] and data["output"].startswith("Score: 1 / 2")
    assert data["output_format"] == data["test_output_format"] == "text"
    notes = [t for t in data["tests"] if t["name"] == gradescope.NOTES_NAME]
    assert len(notes) == 1 and "overridden" in notes[0]["output"] and "\x1b" not in notes[0]["output"]
    assert "score" not in notes[0], "the notes entry adds no points"
    hidden = next(t for t in data["tests"] if t["name"].endswith("test_b"))
    assert hidden["visibility"] == "after_due_date" and "\x1b" not in hidden["output"]
    assert data["sandbox"] == result.sandbox
    json.dumps(data).encode("ascii")
