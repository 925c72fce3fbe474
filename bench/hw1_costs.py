"""What hw1_pretext costs: each task's hidden and public tests on the solution (seconds per task,
in one warm grader), the solution's functions at full-mode sizes (what a training step pays for
its pretext batches), and the competition scorer on a full-size STL-10-like submission.

    .venv/bin/python bench/hw1_costs.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import numpy as np
import torch

from autograder.competition import score
from autograder.competition.build import _csv_text
from autograder.competition.layout import CompetitionDir, CompetitionInfo
from autograder.course import Course
from autograder.grade import course_grader

HW = "hw1_pretext"


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def solution_namespace(course: Course) -> dict[str, object]:
    """The solution notebook's set-up and task cells, executed here (trusted instructor code)."""
    notebook = nbformat.read(course.solution_notebook(HW), as_version=4)
    namespace: dict[str, object] = {}
    tasks = set(course.manifest(HW).tasks)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "setup" in cell.metadata.get("tags", []) or meta.get("grade_id") in tasks and meta.get("solution"):
            exec(compile(cell.source, meta.get("grade_id", "cell"), "exec"), namespace)
    return namespace


def grading(course: Course, repeats: int) -> None:
    print("grading the solution, seconds per task (median):")
    with course_grader(course, HW) as grader:
        notebook = course.solution_notebook(HW)
        grader.grade(notebook, only_tasks={"rotation"})  # warm the sandbox
        for task in course.manifest(HW).tasks:
            seconds = median_seconds(lambda t=task: grader.grade(notebook, only_tasks={t}), repeats)
            print(f"  {task:<22} {seconds:6.2f}")


def functions(course: Course, repeats: int) -> None:
    ns = solution_namespace(course)
    g = torch.Generator().manual_seed(0)
    images = torch.rand(256, 3, 96, 96, generator=g)
    perms = ns["jigsaw_permutations"](100, generator=g)  # type: ignore[operator]
    cases = {
        "jigsaw_permutations(100, 9)": lambda: ns["jigsaw_permutations"](100, generator=g),  # type: ignore[operator]
        "rotate_batch(256x3x96x96)": lambda: ns["rotate_batch"](images),  # type: ignore[operator]
        "make_jigsaw_batch(256, tile 27)": lambda: ns["make_jigsaw_batch"](images, perms, 27, generator=g),  # type: ignore[operator]
        "sample_patch_pair x256 (96px, p=24)": lambda: [
            ns["sample_patch_pair"](images[i], 24, 4, 3, generator=g)  # type: ignore[operator]
            for i in range(256)
        ],
    }
    print("solution functions at full-mode sizes, seconds (median):")
    for name, fn in cases.items():
        print(f"  {name:<36} {median_seconds(fn, 1 if 'permutations' in name else repeats):6.3f}")


def scorer(repeats: int) -> None:
    """score.main on an 8000-row submission (STL-10's test split)."""
    with tempfile.TemporaryDirectory() as tmp:
        layout = CompetitionDir(Path(tmp))
        layout.host.mkdir(parents=True)
        rng = np.random.default_rng(0)
        labels = rng.integers(0, 10, 8000)
        info = CompetitionInfo("stl10", 0, 10, tuple(map(str, range(10))), (3, 96, 96), 0, 5000, 8000, 4000)
        layout.info_file.write_text(info.to_json())
        usage = ["Public" if i % 2 else "Private" for i in range(8000)]
        layout.solution.write_text(
            _csv_text(
                ["id", "label", "Usage"],
                [[i, int(y), u] for i, (y, u) in enumerate(zip(labels, usage, strict=True))],
            )
        )
        submission = Path(tmp) / "submission.csv"
        submission.write_text(
            _csv_text(["id", "label"], [[i, int(y)] for i, y in enumerate(rng.integers(0, 10, 8000))])
        )
        seconds = median_seconds(lambda: score.main(submission=submission, competition=layout.root), repeats)
        print(f"competition score, 8000-row submission: {seconds:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    course = Course.find(Path(__file__).parent)
    grading(course, args.repeats)
    functions(course, args.repeats)
    scorer(args.repeats)


if __name__ == "__main__":
    main()
