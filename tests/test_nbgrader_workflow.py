"""nbgrader's own workflow, unchanged: a submitted/ tree of three students, `nbgrader autograde` as
the only grading command, then `nbgrader export` and formgrader.

- the exported scores equal `autograder grade` on the same notebooks (the course's
  nbgrader_config.py makes autograde grade with the kit's sandboxed engine, not a kernel);
- autograded/ notebooks exist, each check cell carries its task's result, nothing was executed;
- each task's reasons are the comment of its answer cell; answers follow nbgrader's
  needs_manual_grade rule; a late timestamp.txt costs nbgrader's late penalty;
- a running formgrader serves each student's grading page and comments.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course

COURSE = Course.find(Path(__file__).parent)
HW = "hw2_contrastive"
BIN = Path(sys.executable).parent
DUE = "2026-01-01 00:00:00 UTC"
TIMESTAMPS = {"alice": "2025-12-31 12:00:00.000000 UTC", "carol": "2026-01-02 12:00:00.000000 UTC"}

pytestmark = pytest.mark.slow


# nt_xent with a typical mistake (each anchor's similarity with itself stays in the denominator),
# and an experiment left in the task cell (not run by the grader, noted in the result)
WRONG_NT_XENT = """def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    sim = u @ u.T / temperature
    targets = torch.arange(2 * n).roll(n)
    return F.cross_entropy(sim, targets)

print(nt_xent_loss(torch.randn(4, 8), torch.randn(4, 8)))
"""


def _submitted(root: Path) -> None:
    """alice: the solution (answers written); bob: the release untouched; carol: the solution
    with a wrong nt_xent, byol left as the stub, and handed in late."""
    course = Course(root)
    solution, release = course.solution_notebook(HW), course.release_notebook(HW)
    stubs = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(release, as_version=4).cells
        if "grade_id" in c.metadata.get("nbgrader", {})
    }
    carol = nbformat.read(solution, as_version=4)
    for cell in carol.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "nt_xent":
            cell.source = WRONG_NT_XENT
        elif grade_id == "byol":
            cell.source = stubs["byol"]
    for student in ("alice", "bob", "carol"):
        (root / "submitted" / student / HW).mkdir(parents=True)
    shutil.copy(solution, root / "submitted" / "alice" / HW / f"{HW}.ipynb")
    shutil.copy(release, root / "submitted" / "bob" / HW / f"{HW}.ipynb")
    nbformat.write(carol, root / "submitted" / "carol" / HW / f"{HW}.ipynb")
    for student, stamp in TIMESTAMPS.items():
        (root / "submitted" / student / HW / "timestamp.txt").write_text(stamp + "\n")


@pytest.fixture(scope="module")
def course(real_folder: Path) -> Iterator[Path]:
    root = real_folder / "nbgrader-workflow" / "course"
    root.mkdir(parents=True)
    for name in ("nbgrader_config.py", f"assignments/{HW}", f"hidden_tests/{HW}"):
        source, target = COURSE.root / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    with (root / "nbgrader_config.py").open("a") as config:  # this course takes late work at 0
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    # nbgrader's generate_assignment (registers the assignment) and generate_solution
    _run(root, sys.executable, "-m", "autograder", "release", HW, "--no-execute")
    _submitted(root)
    yield root


def _run(root: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_RUNTIME_DIR": str(root / ".rt"),
    }
    done = subprocess.run(
        [str(a) for a in args], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def graded(course: Path) -> dict[str, dict[str, str]]:
    """The due date, `nbgrader autograde` (the only grading run that touches the
    gradebook), `nbgrader export`; returns the exported rows by student."""
    _run(course, BIN / "nbgrader", "db", "assignment", "add", HW, f"--duedate={DUE}")
    started = time.monotonic()
    autograde = _run(course, BIN / "nbgrader", "autograde", HW)
    print(f"nbgrader autograde, 3 students: {time.monotonic() - started:.1f} s")
    assert "course autograder, sandbox" in autograde.stderr
    _run(course, BIN / "nbgrader", "export", "--to", "grades.csv")
    with (course / "grades.csv").open(newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def kit(course: Path, graded: dict[str, dict[str, str]]) -> dict[str, dict]:
    """`autograder grade` on the same notebooks, leaving the gradebook alone."""
    _run(
        course,
        sys.executable,
        "-m",
        "autograder",
        "grade",
        "--hw",
        HW,
        "submitted",
        "--out",
        "kit",
        "--no-gradebook",
    )
    return {s: json.loads((course / "kit" / f"{s}.json").read_text()) for s in ("alice", "bob", "carol")}


def test_exported_scores_equal_the_kits(graded, kit):
    assert set(graded) == {"alice", "bob", "carol"}
    for student, result in kit.items():
        assert float(graded[student]["raw_score"]) == pytest.approx(result["score"], abs=1e-6), student
    assert kit["bob"]["score"] == 0
    assert 0 < kit["carol"]["score"] < kit["alice"]["score"]
    assert (
        kit["carol"]["tasks"]["byol"]["score"] == 0 and kit["carol"]["tasks"]["nt_xent"]["status"] != "passed"
    )
    spec = COURSE.manifest(HW)
    nb = nbformat.read(COURSE.source_notebook(HW), as_version=4)
    by_hand = sum(
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    )
    assert float(graded["alice"]["max_score"]) == spec.max_score + by_hand


def test_late_penalty_uses_the_recorded_timestamp(graded):
    assert graded["carol"]["timestamp"].startswith("2026-01-02 12:00:00")
    assert float(graded["carol"]["late_submission_penalty"]) == float(graded["carol"]["raw_score"])
    assert float(graded["carol"]["score"]) == 0.0
    assert float(graded["alice"]["late_submission_penalty"]) == 0.0
    assert float(graded["alice"]["score"]) == float(graded["alice"]["raw_score"])


def test_gradebook_holds_task_scores_comments_and_nbgraders_manual_rule(course, graded, kit):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="ssl-course") as gb:
        for student, result in kit.items():
            submitted = gb.find_submission_notebook(HW, HW, student)
            grades = {g.cell.name: g for g in submitted.grades}
            comments = {c.cell.name: c.auto_comment for c in submitted.comments}
            for task, outcome in result["tasks"].items():
                grade = grades[f"{task}_check"]
                earned = grade.extra_credit if outcome["bonus"] else grade.auto_score
                assert earned == pytest.approx(outcome["score"]), (student, task)
                assert not grade.needs_manual_grade
                assert f"Autograder: {outcome['score']:g} / {outcome['max_score']:g}" in comments[task]
            answers = [g for name, g in grades.items() if name.startswith("answer_")]
            assert answers
            if student == "bob":  # left as released: nbgrader's "no response", 0, nothing to grade
                assert all(g.auto_score == 0 and not g.needs_manual_grade for g in answers)
                assert all(comments[g.cell.name] == "No response." for g in answers)
            else:  # written: a grader's
                assert all(g.auto_score is None and g.needs_manual_grade for g in answers)
        carol = {c.cell.name: c.auto_comment for c in gb.find_submission_notebook(HW, HW, "carol").comments}
        assert "checks failed" in carol["nt_xent"] and "top-level code" in carol["nt_xent"]
        assert carol["byol"].startswith("No response.")


def test_autograded_notebooks_carry_the_results_and_ran_nothing(course, graded, kit):
    for student, result in kit.items():
        nb = nbformat.read(course / "autograded" / student / HW / f"{HW}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            task = grade_id.removesuffix("_check")
            if grade_id.endswith("_check") and task in result["tasks"]:
                text = "".join(o.get("text", "") for o in cell.outputs)
                assert "Graded by the course autograder" in text
                assert f"{result['tasks'][task]['score']:g} / " in text
            else:
                assert cell.outputs == [] and cell.execution_count is None, grade_id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _formgrader(course: Path) -> Iterator[str]:
    """A Jupyter server with nbgrader's formgrader extension, rooted at the course."""
    port, token = _free_port(), "kit-formgrader-test"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_RUNTIME_DIR": str(course / ".rt"),
    }
    args = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course}",
        "--no-browser",
        f"--Exchange.root={course / '.exchange'}",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = (course / "formgrader.log").open("w")
    server = subprocess.Popen(args, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, (
                    course / "formgrader.log"
                ).read_text()
                time.sleep(0.5)
        yield f"{base}{{}}{{}}token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_formgrader_renders_each_grading_view(course, graded, kit):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="ssl-course") as gb:
        ids = {s: gb.find_submission_notebook(HW, HW, s).id for s in kit}
    with _formgrader(course) as url:
        for student, submission_id in ids.items():
            with urllib.request.urlopen(url.format(f"/formgrader/submissions/{submission_id}/", "?")) as page:
                html = page.read().decode()
                assert page.status == 200
            assert "Graded by the course autograder" in html and "nt_xent_loss" in html, student
            with urllib.request.urlopen(
                url.format(f"/formgrader/api/comments?submission_id={submission_id}", "&")
            ) as answer:
                comments = {c["name"]: c["auto_comment"] for c in json.loads(answer.read())}
            assert comments["nt_xent"].startswith(("Autograder:", "No response.")), student
        with urllib.request.urlopen(url.format(f"/formgrader/gradebook/{HW}/{HW}", "?")) as listing:
            assert listing.status == 200
