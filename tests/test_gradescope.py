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
            "pyproject.toml",  # at the root: Gradescope extracts the zip INTO /autograder/source
            f"hidden_tests/{HW}/test_nt_xent.py",
            f"assignments/{HW}/tasks.toml",
            "autograder/cli.py",
        } <= names
        assert not any(n.startswith("source/") for n in names)
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111, "run_autograder is executable"
        notebook = zf.read(f"assignments/{HW}/{HW}.ipynb").decode()
    assert "BEGIN SOLUTION" not in notebook and "F.cross_entropy(sim, positive)" not in notebook


def _gradescope_layout(bundle: Path, root: Path, submission: Path | None) -> Path:
    """/autograder as Gradescope lays it out: source/ (the bundle extracted into it, unchanged),
    run_autograder (copied from the zip's root), submission/, results/."""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
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


def test_results_json__hidden_visibility_follows_the_policy_and_untouched_tasks_collapse():
    result = GradeResult(
        assignment=HW,
        submission={"path": "sub.ipynb", "sha256": ""},
        score=1.0,
        max_score=3.0,
        tasks={
            "nt_xent": TaskResult(1.0, 1.0, False, "passed", ""),
            "byol": TaskResult(0.0, 2.0, False, "not attempted", "not attempted: the task cell is a stub"),
        },
        tests=[
            CheckResult("test_a", "nt_xent", 0.5, 0.5, "passed", "", "visible"),
            CheckResult("test_b", "nt_xent", 0.5, 0.5, "passed", "", "hidden"),
            *(
                CheckResult(f"test_{i}", "byol", 0.0, 0.6667 if i else 0.6666, "failed", "stub", "hidden")
                for i in range(3)
            ),
        ],
        errors=[],
        execution_time=1.0,
        feedback={"hidden_tests": "after_published", "due": None},
    )
    data = gradescope.results_json(result)
    assert next(t for t in data["tests"] if t["name"].endswith("test_b"))["visibility"] == "after_published"
    byol = [t for t in data["tests"] if t["name"].startswith("byol")]
    assert [t["name"] for t in byol] == ["byol: not attempted"], "one entry for the untouched task"
    assert byol[0]["max_score"] == 2.0 and byol[0]["score"] == 0.0


# Gradescope's own steps, at its exact paths: the zip extracted unchanged into /autograder/source,
# setup.sh run from there (a real venv and install; pip's cache on this machine is reused), then
# run_autograder per submission. /autograder is a tmpfs in a private mount namespace.
GRADESCOPE_STEPS = r"""
set -euo pipefail
mount -t tmpfs -o size=16g,mode=755 tmpfs /autograder
mkdir -p /autograder/source /autograder/submission /autograder/results
cd /autograder/source && unzip -q "$BUNDLE"
cp /autograder/source/run_autograder /autograder/run_autograder && chmod +x /autograder/run_autograder
started=$(date +%s); bash /autograder/source/setup.sh > "$OUT/setup.log" 2>&1
echo $(( $(date +%s) - started )) > "$OUT/setup.seconds"
for case in solution release; do
    rm -f /autograder/submission/* /autograder/results/results.json
    cp "$OUT/$case.ipynb" "/autograder/submission/$HW.ipynb"
    cd /autograder && ./run_autograder > "$OUT/$case.log" 2>&1 || true
    cp /autograder/results/results.json "$OUT/$case.json"
done
"""
GRADESCOPE_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
                     "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}  # fmt: skip
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_gradescope_exact_layout__setup_then_run_autograder(bundle, tmp_path):
    Path("/autograder").mkdir(exist_ok=True)  # a mount point; the tmpfs lives in the namespace only
    shutil.copy(COURSE.solution_notebook(HW), tmp_path / "solution.ipynb")
    shutil.copy(COURSE.release_notebook(HW), tmp_path / "release.ipynb")
    env = {**os.environ, "BUNDLE": str(bundle), "OUT": str(tmp_path), "HW": HW}
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", "-c", GRADESCOPE_STEPS],
        env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    setup_log = (tmp_path / "setup.log").read_text() if (tmp_path / "setup.log").exists() else ""
    assert done.returncode == 0, done.stderr[-2000:] + setup_log[-3000:]
    spec = COURSE.manifest(HW)
    solution = json.loads((tmp_path / "solution.json").read_text())
    release = json.loads((tmp_path / "release.json").read_text())
    assert solution["score"] == pytest.approx(sum(t.points for t in spec.tasks.values()))
    assert release["score"] == 0 and release["tests"]
    for data in (solution, release):
        assert set(data) - {"sandbox"} <= GRADESCOPE_FIELDS and data["sandbox"]["mode"] != "none"
        assert all(set(t) <= TEST_FIELDS for t in data["tests"])
        for name, task in spec.tasks.items():  # per-test maxima add up to the task's points exactly
            total = sum(t["max_score"] for t in data["tests"] if t["name"].startswith(f"{name}: "))
            assert total == pytest.approx(task.points, abs=1e-9), name
