"""Wall time of grading one submission: `autograder grade` vs `nbgrader autograde`.

Both grade the hw2_contrastive solution notebook from a cold start (a new process each run, as a
CI job or a TA at the terminal would), three runs each; the median is printed.

    .venv/bin/python bench/grade_one.py [--runs 3]
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
    shutil.copy(ROOT / "nbgrader_config.py", tmp / "nbgrader_config.py")
    shutil.copytree(ROOT / "assignments", tmp / "assignments")
    timed([str(BIN / "nbgrader"), "generate_assignment", HW, "--force"], tmp)
    timed([str(BIN / "nbgrader"), "db", "student", "add", "student1"], tmp)
    submitted = tmp / "submitted" / "student1" / HW
    submitted.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / HW / f"{HW}.ipynb", submitted / f"{HW}.ipynb")
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
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


if __name__ == "__main__":
    main()
