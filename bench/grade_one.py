"""Wall time of grading one submission: `autograder grade` vs `nbgrader autograde`.

Both grade the hw2_contrastive solution notebook (every test runs to the end: the slowest case)
from a cold start, a new process each run, as a CI job or a TA at the terminal would; the median
of the runs is printed. Then the same notebook inside a running grader (what each submission of a
batch costs once Python, torch and the tests are loaded).

    .venv/bin/python bench/grade_one.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stock_nbgrader import copy_config  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HW = "hw2_contrastive"
BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return elapsed


def nbgrader_course(tmp: Path) -> Path:
    """A throwaway nbgrader course holding the solution as student1's submission."""
    copy_config(ROOT / "nbgrader_config.py", tmp / "nbgrader_config.py")
    shutil.copytree(ROOT / "assignments", tmp / "assignments")
    timed([str(BIN / "nbgrader"), "generate_assignment", HW, "--force"], tmp)
    timed([str(BIN / "nbgrader"), "db", "student", "add", "student1"], tmp)
    submitted = tmp / "submitted" / "student1" / HW
    submitted.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / HW / f"{HW}.ipynb", submitted / f"{HW}.ipynb")
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    solution = ROOT / "solutions" / HW / f"{HW}.ipynb"
    with tempfile.TemporaryDirectory() as out:
        ours = [
            timed(
                [
                    sys.executable,
                    "-m",
                    "autograder",
                    "grade",
                    "--hw",
                    HW,
                    str(solution),
                    "--json",
                    f"{out}/r.json",
                ],
                ROOT,
            )
            for _ in range(args.runs)
        ]
    with tempfile.TemporaryDirectory() as tmp:
        course = nbgrader_course(Path(tmp))
        theirs = [
            timed([str(BIN / "nbgrader"), "autograde", HW, "--force"], course) for _ in range(args.runs)
        ]
    print(f"one {HW} submission, {args.runs} cold runs each, {os.cpu_count()} cores")
    for name, times in (("autograder grade", ours), ("nbgrader autograde", theirs)):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {name:<19} median {statistics.median(times):6.2f} s  (runs: {runs})")
    print("  (nbgrader runs the notebook's visible asserts; autograder the public and hidden suites)")
    warm = warm_seconds(solution, args.runs)
    runs = ", ".join(f"{t:.2f}" for t in warm)
    print(f"  in a running grader   median {statistics.median(warm):6.2f} s  (runs: {runs})")


def warm_seconds(solution: Path, runs: int) -> list[float]:
    from autograder.course import Course
    from autograder.grade import course_grader

    with course_grader(Course(ROOT), HW) as grader:
        grader.grade(solution)  # the first submission also waits for the template to start
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            grader.grade(solution)
            times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
