"""The real course: releases are reproducible and leak-free, solutions get every point, releases
none, and every assignment's audit passes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import audit, release
from autograder.course import Course
from autograder.grade import course_grader

COURSE = Course.find(Path(__file__).parent)
ASSIGNMENTS = COURSE.assignment_ids()


def _without_outputs(path: Path) -> list[tuple[str, str, dict]]:
    """What a solution notebook says, apart from what executing it adds (outputs, kernel info)."""
    nb = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.source, c.metadata.get("nbgrader", {})) for c in nb.cells]


def test_release_and_solutions__are_exactly_what_autograder_release_regenerates(tmp_path):
    for name in ("nbgrader_config.py", "assignments", "hidden_tests"):
        source = COURSE.root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    copy = Course(tmp_path)
    assert release.main(course=copy, execute=False) == []
    for hw in ASSIGNMENTS:
        committed = sorted(
            p.relative_to(COURSE.release) for p in (COURSE.release / hw).rglob("*") if p.is_file()
        )
        fresh = sorted(p.relative_to(copy.release) for p in (copy.release / hw).rglob("*") if p.is_file())
        assert committed == fresh, f"release/{hw}: files differ; run `autograder release {hw}`"
        for rel in committed:
            assert (COURSE.release / rel).read_bytes() == (copy.release / rel).read_bytes(), (
                f"release/{rel} is stale; run `autograder release {hw}` and commit"
            )
        assert _without_outputs(COURSE.solution_notebook(hw)) == _without_outputs(
            copy.solution_notebook(hw)
        ), f"solutions/{hw} is stale; run `autograder release {hw}` and commit"


@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_solution__gets_every_point_through_the_cli(hw, tmp_path):
    out = tmp_path / "r.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "--hw",
            hw,
            str(COURSE.solution_notebook(hw)),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=COURSE.root,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    failed = {n: t["output"] for n, t in result["tasks"].items() if t["status"] != "passed"}
    assert not failed
    spec = COURSE.manifest(hw)
    assert result["score"] == pytest.approx(sum(t.points for t in spec.tasks.values()))
    assert result["max_score"] == pytest.approx(spec.max_score)


@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_release__gets_zero(hw):
    with course_grader(COURSE, hw) as grader:
        result = grader.grade(COURSE.release_notebook(hw))
    assert result.score == 0, {n: t.score for n, t in result.tasks.items()}


@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_audit__catches_every_mistake_and_spares_every_variant(hw):
    assert audit.main(course=COURSE, hw=hw, jobs=2)


@pytest.mark.parametrize("hw", ASSIGNMENTS)
def test_notebook__task_cells_and_points_match_the_manifest(hw):
    spec = COURSE.manifest(hw)
    nb = nbformat.read(COURSE.source_notebook(hw), as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    solution_ids = [m["grade_id"] for m in meta if m.get("solution") and m.get("grade_id") in spec.tasks]
    assert sorted(solution_ids) == sorted(spec.tasks), "one solution cell per task"
    check_points = {
        m["grade_id"].removesuffix("_check"): m["points"]
        for m in meta
        if m.get("grade") and not m.get("solution")
    }
    for task, spec_task in spec.tasks.items():
        expected = 0 if spec_task.bonus else spec_task.points  # bonus scores reach nbgrader as extra credit
        assert check_points.get(task) == expected, f"{task}: `{task}_check` should carry {expected:g} points"
