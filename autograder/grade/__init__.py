"""``autograder grade`` and ``autograder check``: the Python API behind the CLI verbs."""

from __future__ import annotations

import contextlib
import csv
import json
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from autograder import safe_text
from autograder.course import Course, CourseError, read_manifest
from autograder.grade.batch import grade_entries
from autograder.grade.engine import Grader, course_grader  # noqa: F401 - the Python API
from autograder.grade.notebook import SubmissionError, read_notebook
from autograder.grade.report import check_table, print_failures, print_result, summary_table
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
    verbose: bool = False,
) -> dict[str, GradeResult]:
    """Grade SUBMISSION; ``gradebook`` (default: when SUBMISSION is an nbgrader submitted/ tree)
    also records the task scores in nbgrader's gradebook. A batch prints one line per finished
    submission as it finishes (and a progress bar on a terminal); ``verbose`` adds every table."""
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
        if verbose:
            print_result(result, console, title=f"{ident}: {result.submission['path']}")
    write_summary(results, target)
    if gradebook or (gradebook is None and is_nbgrader_tree(submission, hw)):
        from autograder.grade.gradebook import record

        with warnings.catch_warnings():  # nbgrader's SQLAlchemy warnings are not the grader's news
            warnings.simplefilter("ignore")
            written = record(course, hw, results)
        console.print(f"{written} task scores recorded in nbgrader's gradebook {course.gradebook}")
    if verbose:
        console.print(summary_table(results))
    print_failures(results, console)
    console.print(f"{len(results)} results and summary.csv / summary.json written to {target}")
    return results


@contextlib.contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[Entry, GradeResult], None]]:
    """One line per finished submission, flushed as it finishes (a CI log shows it at once), and
    on a terminal a progress bar below the lines. One submission gets its table instead."""
    finished = 0

    def line(entry: Entry, result: GradeResult) -> Text:
        nonlocal finished
        finished += 1
        name = safe_text.label(entry.id)  # a student's file name: neither markup nor escapes
        troubled = [n for n, t in result.tasks.items() if t.status not in ("passed", "not attempted")]
        skipped = [n for n, t in result.tasks.items() if t.status == "not attempted"]
        text = f"[{finished}/{total}] {name}: {result.score:g}/{result.max_score:g}"
        if troubled:
            text += f"  lost points: {', '.join(troubled)}"
        if skipped:
            text += f"  not attempted: {', '.join(skipped)}"
        return Text(text)

    if total == 1:
        yield lambda entry, result: None
        return
    if not console.is_terminal:

        def print_line(entry: Entry, result: GradeResult) -> None:
            console.print(line(entry, result), soft_wrap=True)
            console.file.flush()

        yield print_line
        return
    columns = (
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("", total=total)

        def on_done(entry: Entry, result: GradeResult) -> None:
            progress.console.print(line(entry, result), soft_wrap=True)
            progress.update(bar, advance=1)

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
    *,
    notebook: Path,
    hw: str | None = None,
    console: Console | None = None,
    sandbox: Sandbox | None = None,
    only_tasks: set[str] | None = None,
) -> GradeResult:
    """The student's self-check: public tests only, against the student's own notebook
    (``only_tasks``: those tasks' tests only, as ``autograder.student.check("task")`` asks)."""
    console = console or Console()
    folder = notebook.resolve().parent
    if (folder / "tasks.toml").is_file():  # a release folder: its manifest is the assignment's
        stem = re.sub(r"\s*\(\d+\)$", "", notebook.stem)  # "hw2_contrastive (1)": a browser's copy
        hw = hw or (stem if stem.isidentifier() else folder.name)
        spec, tests = read_manifest(folder / "tasks.toml", hw), folder / "tests"
    else:
        course = Course.find()
        if hw is None:
            hw = detect_assignment(notebook, course)
            if hw != notebook.stem:
                note = f"checked as {hw} (from the notebook's task cells; --hw chooses)"
                console.print(f"[yellow]note:[/] {note}")
        spec, tests = course.manifest(course.check_assignment(hw)), course.public_tests(hw)
    with Grader(
        spec,
        [tests],
        setup_notebook=notebook,
        visible_dir=tests,
        sandbox=sandbox,
    ) as grader:
        result = grader.grade(notebook, label=str(notebook), only_tasks=only_tasks)
    console.print(check_table(result, f"{hw}: public checks of {notebook.name}"))
    for error in result.errors:
        console.print(Text.assemble(("note:", "yellow"), " ", safe_text.message(error)))
    passed = sum(t.status == "passed" for t in result.tests)
    console.print(
        f"public checks passed {passed} / {len(result.tests)}. "
        "Your grade comes from hidden tests, which this check does not run: passing every public "
        "check does not mean full marks."
    )
    if result.sandbox.get("mode") == "none":
        console.print(
            "[yellow]note:[/] no sandbox on this machine: your code ran unconfined, as in Jupyter "
            "(only your own code runs in a check; the course grades in a sandbox)"
        )
    return result


def detect_assignment(notebook: Path, course: Course) -> str:
    """The assignment a notebook belongs to: its file name when that names one, else the one
    whose task cells (grade_ids) it holds most of ("hw2_contrastive (1).ipynb" is still hw2)."""
    known = course.assignment_ids()
    if notebook.stem in known:
        return notebook.stem
    choices = ", ".join(known)
    try:
        ids = read_notebook(notebook).grade_ids()
    except SubmissionError as exc:
        raise CourseError(f"{notebook}: {exc}; pass --hw (one of {choices})") from None
    overlap = {hw: len(ids & set(course.manifest(hw).tasks)) for hw in known}
    best = max(overlap.values(), default=0)
    winners = [hw for hw, n in overlap.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise CourseError(
            f"{notebook.name}: cannot tell which assignment this notebook is (its file name is not "
            f"an assignment's and its task cells match none); pass --hw (one of {choices})"
        )
    return winners[0]


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
