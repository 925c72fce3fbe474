"""Run an assignment's public and hidden tests on its solution under many seeds.

Every test builds its inputs with ``autograder.testing.generator(base)``; this script shifts all
those seeds (and the workers' global seeds) by setting AUTOGRADER_SEED to 0, 1, …, N−1, grading the
solution notebook once per value in one grader process. It prints the seeds on which any test
failed; a sound suite prints none.

    .venv/bin/python bench/seed_sweep.py hw2_contrastive --seeds 200
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder.course import Course
from autograder.grade import course_grader
from autograder.testing import SEED_VARIABLE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hw")
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    course = Course.find(Path(__file__).parent)
    failures: dict[int, list[str]] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, course_grader(course, args.hw) as grader:
        # A private copy: `autograder release` may rewrite solutions/ while the sweep runs.
        solution = Path(shutil.copy(course.solution_notebook(args.hw), tmp))
        for offset in range(args.seeds):
            os.environ[SEED_VARIABLE] = str(offset)
            result = grader.grade(solution)
            failed = [f"{t.name}: {t.output}" for t in result.tests if t.status != "passed"]
            if failed:
                failures[offset] = failed
                print(f"seed offset {offset}: {len(failed)} failed: {failed[0]}", flush=True)
    print(
        f"{args.hw}: {args.seeds} seed offsets, {len(failures)} with failures, "
        f"{time.monotonic() - started:.0f} s"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
