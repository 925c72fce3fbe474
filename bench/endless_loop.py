"""Wall time of grading a hw2 submission whose functions never return: in one task, and in every
task. Each task's first call times out (the call limit); its later tests then fail at once, and the
submission's time budget (tasks.toml ``time_budget``) ends whatever is left.

    .venv/bin/python bench/endless_loop.py

Each notebook is the hw2 solution with ``while True: pass`` put at the top of every function
body of the chosen task cells, graded by a cold ``autograder grade`` started from the course root.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HW = "hw2_contrastive"


def looping(source: str) -> str:
    """The cell with an endless loop at the top of every function."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.body.insert(0, ast.While(test=ast.Constant(True), body=[ast.Pass()], orelse=[]))
    return ast.unparse(tree)


def notebook(tasks: set[str], path: Path) -> Path:
    nb = nbformat.read(ROOT / "solutions" / HW / f"{HW}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in tasks:
            cell.source = looping(cell.source)
    nbformat.write(nb, path)
    return path


def grade(path: Path, out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--hw", HW, str(path), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"grading failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return elapsed, json.loads(out.read_text())


def main() -> None:
    from autograder.course import Course

    spec = Course(ROOT).manifest(HW)
    print(f"call limit {spec.call_timeout:g} s, submission budget {spec.budget_seconds:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        for label, tasks in (("one task (nt_xent)", {"nt_xent"}), ("every task", set(spec.tasks))):
            seconds, result = grade(notebook(tasks, Path(tmp) / f"{len(tasks)}.ipynb"), Path(tmp) / "r.json")
            score = f"{result['score']:g}/{result['max_score']:g}"
            print(f"endless loop in {label}: {seconds:.1f} s wall, score {score}")


if __name__ == "__main__":
    main()
