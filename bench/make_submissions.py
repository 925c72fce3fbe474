"""Generate a class of submissions for an assignment from its audit catalogue.

Each generated notebook is the release notebook with every task cell replaced by a case drawn at
random from ``tests/audit_cases/<hw>/`` (correct variants and realistic mistakes alike); a few
notebooks also lose a task cell, carry a syntax error, or leave training code in a task cell.
Deterministic for a given seed.

    .venv/bin/python bench/make_submissions.py hw2_contrastive OUT_DIR --count 200
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from pathlib import Path

import nbformat

from autograder.audit import load_cases
from autograder.course import Course


def make_class(course: Course, hw: str, out: Path, count: int, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    release = nbformat.read(course.release_notebook(hw), as_version=4)
    by_task: dict[str, list[str]] = defaultdict(list)
    for case in load_cases(course.audit_cases / hw):
        by_task[case.task].append(case.path.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        notebook = nbformat.from_dict(release)
        cells = notebook.cells
        for cell in cells:
            task = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if task in by_task and rng.random() < 0.9:  # 10% leave the task unanswered
                cell.source = rng.choice(by_task[task])
        accident = rng.random()
        task_cells = [
            c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in by_task
        ]
        if accident < 0.03 and task_cells:
            cells.remove(rng.choice(task_cells))
        elif accident < 0.06 and task_cells:
            rng.choice(task_cells).source += "\ndef broken(:\n"
        elif accident < 0.15 and task_cells:
            rng.choice(task_cells).source += "\nfor epoch in range(3):\n    print('training', epoch)\n"
        path = out / f"student{number:03d}.ipynb"
        nbformat.write(notebook, path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hw")
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = make_class(Course.find(Path(__file__).parent), args.hw, args.out, args.count, args.seed)
    print(f"{len(paths)} submissions written to {args.out}")


if __name__ == "__main__":
    main()
