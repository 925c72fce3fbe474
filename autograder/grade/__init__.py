"""``autograder grade`` and ``autograder check``: the Python API behind the CLI verbs."""

from __future__ import annotations

import contextlib
import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from autograder import safe_text
from autograder.course import Course, read_manifest
from autograder.grade.batch import grade_entries
from autograder.grade.engine import Grader, course_grader  # noqa: F401 - the Python API
from autograder.grade.report import print_failures, print_result, summary_table
from autograder.grade.submissions import Entry, find_submissions, is_nbgrader_tree, shard
from autograder.results import GradeResult
from autograder.sandbox.template import Sandbox


def main(
    *,
    course: Course,
    hw: str,
    submission: Path,
    json_out: Path | None = None,
    out_dir: Path | None = None,
    jobs: int = 1,
    console: Console | None = None,
    sandbox: Sandbox | None = None,
    gradebook: bool | None = None,
    shard_spec: str | None = None,
) -> dict[str, GradeResult]:
    """Grade SUBMISSION; ``gradebook`` (default: when SUBMISSION is an nbgrader submitted/ tree)
    also records the task scores in nbgrader's gradebook."""
    console = console or Console()
    with tempfile.TemporaryDirectory(prefix="autograder-unzip-") as unpack:
        entries = find_submissions(submission, hw, Path(unpack))
        if shard_spec:
            entries = shard(entries, shard_spec)
        with _progress(console, len(entries)) as on_done:
            results = grade_entries(course, hw, entries, jobs=jobs, sandbox=sandbox, on_done=on_done)
    if len(entries) == 1 and out_dir is None and not shard_spec:
        only = next(iter(results.values()))
        print_result(only, console)
        if json_out is not None:
            only.write_json(json_out)
            console.print(f"result written to {json_out}")
        return results
    target = out_dir or Path("grades") / hw
    for ident, result in results.items():
        result.write_json(target / f"{ident}.json")
        if len(results) <= 10:  # a small batch (the demo, a TA's spot check): every table
            print_result(result, console, title=f"{ident}: {result.submission['path']}")
    write_summary(results, target)
    if gradebook or (gradebook is None and is_nbgrader_tree(submission, hw)):
        from autograder.grade.gradebook import record

        written = record(course, hw, results)
        console.print(f"{written} task scores recorded in nbgrader's gradebook {course.gradebook}")
    if len(results) <= 50:
        console.print(summary_table(results))
    print_failures(results, console)
    console.print(f"{len(results)} results and summary.csv / summary.json written to {target}")
    return results


@contextlib.contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[Entry, GradeResult], None]]:
    columns = (
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=total == 1) as progress:
        bar = progress.add_task("", total=total)

        def on_done(entry: Entry, result: GradeResult) -> None:
            name = escape(safe_text.label(entry.id))  # a student's file name: neither markup nor escapes
            progress.update(bar, advance=1, description=f"{name}: {result.score:g}/{result.max_score:g}")

        yield on_done


def write_summary(results: dict[str, GradeResult], folder: Path) -> None:
    """summary.csv and summary.json; every CSV cell goes through ``safe_text.csv_cell`` (one line,
    capped, and never a formula a spreadsheet would evaluate)."""
    from autograder.safe_text import csv_cell

    folder.mkdir(parents=True, exist_ok=True)
    task_names = list(next(iter(results.values())).tasks) if results else []
    with (folder / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(map(csv_cell, ["submission", "score", "max_score", *task_names, "errors"]))
        for ident, r in results.items():
            row = [ident, r.score, r.max_score, *(r.tasks[t].score for t in task_names), " | ".join(r.errors)]
            writer.writerow(map(csv_cell, row))
    summary = {
        ident: {
            "score": r.score,
            "max_score": r.max_score,
            "tasks": {t: r.tasks[t].score for t in task_names},
            "errors": r.errors,
        }
        for ident, r in results.items()
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def check(
    *, notebook: Path, hw: str | None = None, console: Console | None = None, sandbox: Sandbox | None = None
) -> GradeResult:
    """The student's self-check: public tests only, against the student's own notebook."""
    console = console or Console()
    folder = notebook.resolve().parent
    hw = hw or notebook.stem
    if (folder / "tasks.toml").is_file():
        spec, tests = read_manifest(folder / "tasks.toml", hw), folder / "tests"
    else:
        course = Course.find()
        spec, tests = course.manifest(course.check_assignment(hw)), course.public_tests(hw)
    with Grader(
        spec,
        [tests],
        setup_notebook=notebook,
        visible_dir=tests,
        sandbox=sandbox,
    ) as grader:
        result = grader.grade(notebook, label=str(notebook))
    print_result(result, console, title=f"{hw}: public tests only (the hidden tests decide the grade)")
    if result.sandbox.get("mode") == "none":
        console.print(
            "[yellow]note:[/] no sandbox on this machine: your code ran unconfined, as in Jupyter "
            "(only your own code runs in a check; the course grades in a sandbox)"
        )
    return result


def merge(*, folders: list[Path], out_dir: Path, console: Console | None = None) -> dict[str, GradeResult]:
    """Join the result folders of several shards into one folder with one class summary."""
    console = console or Console()
    results: dict[str, GradeResult] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            if path.stem == "summary":
                continue
            if path.stem in results:
                console.print(f"[yellow]note:[/] {path.stem} appears in several shards; the last one is kept")
            results[path.stem] = GradeResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    for ident, result in results.items():
        result.write_json(out_dir / f"{ident}.json")
    write_summary(dict(sorted(results.items())), out_dir)
    console.print(f"{len(results)} results from {len(folders)} shards merged into {out_dir}")
    return results
