"""Grade a generated class: `autograder grade --jobs N` on all of it vs `nbgrader autograde`.

Generates COUNT hw2 submissions from the audit catalogue (bench/make_submissions.py), grades them
all in one command, and times `nbgrader autograde` on the first NB_COUNT of them (nbgrader has no
parallel autograding; its per-submission time is extrapolated to the class).

    .venv/bin/python bench/grade_class.py [--count 200] [--jobs 2] [--nbgrader-count 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_submissions import make_class  # noqa: E402
from stock_nbgrader import copy_config  # noqa: E402

from autograder.course import Course  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def run(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def nbgrader_seconds(hw: str, notebooks: list[Path]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        copy_config(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(ROOT / "assignments", course / "assignments")
        run([str(BIN / "nbgrader"), "generate_assignment", hw, "--force"], course)
        for number, notebook in enumerate(notebooks):
            target = course / "submitted" / f"student{number}" / hw
            target.mkdir(parents=True)
            shutil.copy(notebook, target / f"{hw}.ipynb")
            run([str(BIN / "nbgrader"), "db", "student", "add", f"student{number}"], course)
        return run([str(BIN / "nbgrader"), "autograde", hw, "--force"], course)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hw", default="hw2_contrastive")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--nbgrader-count", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        notebooks = make_class(Course(ROOT), args.hw, folder, args.count)
        ours = run(
            [
                sys.executable,
                "-m",
                "autograder",
                "grade",
                "--hw",
                args.hw,
                str(folder),
                "--out",
                str(Path(tmp) / "results"),
                "--jobs",
                str(args.jobs),
            ],
            ROOT,
        )
        summary = json.loads((Path(tmp) / "results" / "summary.json").read_text())
        per_submission = [
            json.loads((Path(tmp) / "results" / f"{i}.json").read_text())["execution_time"] for i in summary
        ]
        theirs = nbgrader_seconds(args.hw, notebooks[: args.nbgrader_count])
    scores = [s["score"] for s in summary.values()]
    print(f"{args.count} generated {args.hw} submissions, {os.cpu_count()} cores")
    print(
        f"  autograder grade --jobs {args.jobs}: {ours:7.1f} s wall for the class "
        f"({ours / args.count:.2f} s per submission; in-process grading time per submission: "
        f"median {sorted(per_submission)[len(per_submission) // 2]:.2f} s)"
    )
    each = theirs / args.nbgrader_count
    print(
        f"  nbgrader autograde: {theirs:7.1f} s for {args.nbgrader_count} submissions ({each:.2f} s each, "
        f"about {each * args.count / 60:.0f} min for the class, sequential)"
    )
    print(f"  scores: mean {sum(scores) / len(scores):.2f}, min {min(scores):g}, max {max(scores):g}")


if __name__ == "__main__":
    main()
