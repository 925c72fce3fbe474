"""``autograder audit HW``: test the tests.

The catalogue lives in ``tests/audit_cases/<hw>/``: one small file per case holding a task cell's
code, with a first line such as ``# audit: task=nt_xent expect=full`` (a correct variant, must keep
every point) or ``expect=less`` (a realistic mistake, must lose points). Each case is graded like a
submission — the solution notebook with that task's cell replaced — against that task's tests.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import nbformat
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autograder.course import Course, CourseError
from autograder.grade.batch import grade_entries
from autograder.grade.submissions import Entry

HEADER = re.compile(r"#\s*audit:\s*task=(\w+)\s+expect=(full|less)\b")


@dataclass(frozen=True)
class Case:
    path: Path
    task: str
    expect: str  # "full" or "less"


@dataclass(frozen=True)
class Verdict:
    case: Case
    score: float
    max_score: float
    reason: str
    failed_tests: frozenset[str]

    @property
    def ok(self) -> bool:
        full = self.score >= self.max_score - 1e-9
        return full if self.case.expect == "full" else not full


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.py")):
        match = HEADER.search(path.read_text(encoding="utf-8").split("\n", 1)[0])
        if not match:
            raise CourseError(f"{path}: the first line must be '# audit: task=<task> expect=full|less'")
        cases.append(Case(path, match.group(1), match.group(2)))
    return cases


def run_cases(
    course: Course, hw: str, cases: list[Case], jobs: int = 1
) -> tuple[list[Verdict], set[tuple[str, str]]]:
    """Grade every case (in ``jobs`` grading processes); return the verdicts and every test seen."""
    solution = nbformat.read(course.solution_notebook(hw), as_version=4)
    with tempfile.TemporaryDirectory(prefix="autograder-audit-") as tmp:
        entries = []
        for case in cases:
            folder = Path(tmp) / case.path.stem
            folder.mkdir()
            notebook = _with_task_source(solution, case.task, case.path.read_text(encoding="utf-8"))
            nbformat.write(notebook, folder / f"{hw}.ipynb")
            entries.append(Entry(case.path.stem, folder / f"{hw}.ipynb", frozenset({case.task})))
        results = grade_entries(
            course,
            hw,
            entries,
            jobs=jobs,
            sandbox=None,
            on_done=lambda entry, result: None,
        )
    verdicts = []
    tests_seen: set[tuple[str, str]] = set()
    for case in cases:
        result = results[case.path.stem]
        task = result.tasks[case.task]
        failed = frozenset(t.name for t in result.tests if t.status == "failed")
        verdicts.append(Verdict(case, task.score, task.max_score, task.output, failed))
        tests_seen.update((t.task, t.name) for t in result.tests)
    return verdicts, tests_seen


def _with_task_source(notebook: nbformat.NotebookNode, task: str, source: str) -> nbformat.NotebookNode:
    copy = nbformat.from_dict(notebook)
    cells = [c for c in copy.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == task]
    if len(cells) != 1:
        raise CourseError(f"the solution notebook has {len(cells)} cells with grade_id {task!r}")
    cells[0].source = source
    return copy


def main(*, course: Course, hw: str, jobs: int = 1, console: Console | None = None) -> bool:
    console = console or Console()
    course.check_assignment(hw)
    cases = load_cases(course.audit_cases / hw)
    spec = course.manifest(hw)
    unknown = sorted({c.task for c in cases} - set(spec.tasks))
    if unknown:
        raise CourseError(f"audit cases name unknown tasks: {', '.join(unknown)}")
    verdicts, tests_seen = run_cases(course, hw, cases, jobs)
    by_task: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_task[verdict.case.task].append(verdict)
    table = Table(title=f"audit of {hw}")
    for column in ("task", "mistakes caught", "correct variants at full marks"):
        table.add_column(column)
    for task in spec.tasks:
        runs = by_task.get(task, [])
        mistakes = [v for v in runs if v.case.expect == "less"]
        variants = [v for v in runs if v.case.expect == "full"]
        table.add_row(
            task,
            f"{sum(v.ok for v in mistakes)}/{len(mistakes)}",
            f"{sum(v.ok for v in variants)}/{len(variants)}",
        )
    console.print(table)
    bad = [v for v in verdicts if not v.ok]
    for v in bad:
        what = "mistake NOT caught" if v.case.expect == "less" else "correct variant LOST points"
        console.print(
            f"[red]{what}:[/] {v.case.path.name} scored {v.score:g}/{v.max_score:g} {escape(v.reason)}"
        )
    catching = set().union(*(v.failed_tests for v in verdicts if v.case.expect == "less"))
    idle = sorted(name for task, name in tests_seen if name not in catching)
    if idle:
        console.print(
            f"[yellow]tests that catch no catalogued mistake (add one):[/] {escape(', '.join(idle))}"
        )
    missing = [t for t in spec.tasks if not by_task.get(t)]
    for task in missing:
        console.print(f"[red]no audit cases for task[/] {task}")
    return not bad and not missing
