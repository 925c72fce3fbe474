"""Grade one notebook: an ordered pipeline of small stages.

    read      the notebook file → cells (or a readable reason it cannot be read)
    extract   task cells by grade_id → definitions-only code; set-up cells from the course notebook
    load      one sandboxed worker per task; a cell that fails at import fails only its task
    test      pytest runs the public and hidden tests in this (trusted) process
    score     weighted tests → task scores → the result

A ``Grader`` is built once per assignment and reused for every submission of a batch: the sandbox
template process, the parsed set-up cells and the pytest session (tests imported and collected)
are paid for once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.course import AssignmentSpec, Course
from autograder.grade.extract import (
    CellSyntaxError,
    ParsedCell,
    cells_for_task,
    defined_functions,
    is_release_stub,
    parse_cell,
    top_level_names,
)
from autograder.grade.notebook import ReadNotebook, SubmissionError, read_notebook
from autograder.grade.plugin import TaskUnavailable, TestOutcome
from autograder.grade.scoring import Graded, score
from autograder.grade.session import TestSession
from autograder.results import GradeResult
from autograder.sandbox.cells import CellCode
from autograder.sandbox.client import Budget, RemoteNamespace, Sandbox, SandboxError, Worker
from autograder.sandbox.confine import Policy
from autograder.seeds import salt_of, seed

SETUP_TAG = "setup"  # instructor cells with this tag run (definitions only) before every task cell
MAX_ERROR_TEXT = 300  # characters of a grader exception in an "internal grader error" reason
MAX_LISTED = 5  # dropped lines, or load notes, named per task
NOT_ATTEMPTED = "not attempted: the task cell is still the release's stub (raise NotImplementedError())"


@dataclass
class Submission:
    """What the stages pass along for one notebook."""

    path: Path
    label: str
    tasks: set[str]
    sha256: str = ""
    notebook: ReadNotebook | None = None
    parsed: dict[str, ParsedCell] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)  # task → reason it scores 0
    missing: set[str] = field(default_factory=set)  # tasks whose cell is not in the notebook
    not_attempted: set[str] = field(default_factory=set)  # task cells still the release's stub
    task_cell_indices: set[int] = field(default_factory=set)  # where the task cells are
    workers: dict[str, Worker] = field(default_factory=dict)
    budget: Budget | None = None
    confinement: dict[str, Any] = field(default_factory=dict)  # the sandbox layers in force
    errors: list[str] = field(default_factory=list)
    outcomes: list[TestOutcome] = field(default_factory=list)


class Grader:
    def __init__(
        self,
        spec: AssignmentSpec,
        test_dirs: list[Path],
        setup_notebook: Path | None,
        visible_dir: Path | None = None,
        sandbox: Sandbox | None = None,
        own_sandbox: bool = False,
    ) -> None:
        """``sandbox``: the template to fork workers from (default: a new one, closed with the
        grader; ``own_sandbox`` makes the grader close a given one too)."""
        self.spec = spec
        self.test_dirs = [d for d in test_dirs if d.is_dir()]
        self.visible_dir = visible_dir
        self.sandbox = sandbox or Sandbox(spec.preload)
        self._own_sandbox = sandbox is None or own_sandbox
        self.setup_cells, self.setup_functions, self.setup_sources = _setup_cells(setup_notebook)
        self.session = TestSession(self.test_dirs, visible_dir, set(spec.tasks))

    def close(self) -> None:
        self.session.close()
        if self._own_sandbox:
            self.sandbox.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the pipeline ------------------------------------------------------------------------
    def grade(self, path: Path, label: str | None = None, only_tasks: set[str] | None = None) -> GradeResult:
        """Grade one notebook; ``only_tasks`` restricts the tests (the audit grades one task)."""
        started = time.monotonic()
        sub = Submission(path, label or str(path), only_tasks or set(self.spec.tasks))
        self.sandbox.wait_ready()  # the template's start is the grader's, not this submission's
        sub.budget = Budget(self.spec.budget_seconds)
        try:
            for stage in (self.read, self.extract, self.load, self.test):
                try:
                    stage(sub)
                except Exception as exc:  # a grader bug costs the tasks not yet graded, no more
                    self._internal_error(sub, stage.__name__, exc)
        finally:
            for worker in sub.workers.values():
                worker.stop()
        # What the workers reported once confined (also those that failed later); without any
        # worker (nothing to load), the template's mode.
        confinement = sub.confinement or {"mode": self.sandbox.mode}
        spec = self.spec if sub.tasks == set(self.spec.tasks) else self.spec.restricted_to(sub.tasks)
        return score(
            Graded(
                spec,
                sub.label,
                sha256=sub.sha256,
                outcomes=sub.outcomes,
                unavailable=sub.unavailable,
                missing=sub.missing,
                not_attempted=sub.not_attempted,
                errors=sub.errors,
                seconds=time.monotonic() - started,
                sandbox=confinement,
            )
        )

    def read(self, sub: Submission) -> None:
        try:
            sub.notebook = read_notebook(sub.path)
            sub.sha256 = sub.notebook.sha256
            sub.errors += sub.notebook.notes
        except SubmissionError as exc:
            sub.errors.append(str(exc))
            sub.unavailable = {t: f"not graded: {exc}" for t in self.spec.tasks}

    def extract(self, sub: Submission) -> None:
        if sub.notebook is None:
            return
        cells, notes = sub.notebook.task_cells()
        sub.errors += notes + self._edited_setup_cells(sub.notebook)
        functions = set(self.setup_functions)
        for cell in cells.values():
            functions |= defined_functions(cell.source)
        sub.task_cell_indices = {c.index for c in cells.values()}
        for task in self.spec.tasks:
            if task not in cells:
                reason = (
                    f"task cell `{task}` not found: no code cell has grade_id {task!r}. Was it "
                    "deleted, or its metadata changed? Copy the cell from a fresh release notebook."
                )
                sub.unavailable[task] = reason
                sub.missing.add(task)
                sub.errors.append(reason)
                continue
            cell = cells[task]
            label = f"<task {task}, cell {cell.index + 1}>"
            if is_release_stub(cell.source):
                sub.not_attempted.add(task)
                sub.unavailable[task] = NOT_ATTEMPTED
                continue
            try:
                sub.parsed[task] = parsed = parse_cell(cell.source, label, functions)
            except CellSyntaxError as exc:
                sub.unavailable[task] = f"task `{task}` (cell {cell.index + 1}) does not parse: {exc}"
                continue
            except Exception as exc:  # the analysis failed on this cell only
                sub.unavailable[task] = internal_error(exc, f"reading task `{task}` (cell {cell.index + 1})")
                continue
            if parsed.dropped_lines:
                lines = ", ".join(map(str, parsed.dropped_lines[:MAX_LISTED]))
                sub.errors.append(
                    f"task `{task}` (cell {cell.index + 1}): top-level code at line(s) {lines} "
                    "was not run when grading (a task cell may only hold imports, "
                    "definitions and constants)"
                )

    def _names_of_skipped_cells(self, notebook: ReadNotebook, task_cells: set[int]) -> dict[str, int]:
        """What the student's own code cells outside the task cells define (the grader never runs
        them), by the cell that defines it, to explain a NameError of a task."""
        names: dict[str, int] = {}
        for index, cell in enumerate(notebook.cells):
            meta = cell.get("metadata", {})
            if cell.get("cell_type") != "code" or index in task_cells or SETUP_TAG in meta.get("tags", []):
                continue
            if meta.get("nbgrader", {}).get("grade_id") in self.setup_sources:
                continue
            for name in top_level_names(cell.get("source", "")):
                names.setdefault(name, index)
        return names

    def _edited_setup_cells(self, notebook: ReadNotebook) -> list[str]:
        notes = []
        for index, cell in enumerate(notebook.cells):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if (
                grade_id in self.setup_sources
                and cell["source"].strip() != self.setup_sources[grade_id].strip()
            ):
                notes.append(
                    f"cell {index + 1} (`{grade_id}`) was edited; the instructor's version "
                    "was used when grading"
                )
        return notes

    def load(self, sub: Submission) -> None:
        """Plan every task's worker, start them all side by side, then collect them; a task whose
        cells use names from a task that failed is failed once, naming the cause."""
        plan = self._plan_workers(sub)
        policy = Policy(memory_bytes=self.spec.memory_bytes, seed=seed(0, salt_of(sub.sha256)))
        starting: dict[str, Worker] = {}
        for task, needed in plan.items():
            code = (*self.setup_cells, *(sub.parsed[t].code() for t in needed))
            worker = Worker(
                self.sandbox, code, policy, self.spec.call_timeout, self.spec.load_timeout, sub.budget
            )
            try:
                worker.begin()  # all workers start side by side; finish() below waits for each
            except Exception as exc:
                sub.unavailable[task] = internal_error(exc, f"starting the worker of `{task}`")
                continue
            starting[task] = worker
        for task, worker in starting.items():
            try:
                worker.finish()
                sub.workers[task] = worker
                sub.errors += _load_notes(worker.warnings, sub.errors)
            except SandboxError as exc:
                worker.stop()
                sub.unavailable[task] = f"{sub.parsed[task].label.strip('<>')} fails at import: {exc}"
            sub.confinement = sub.confinement or worker.confinement  # set once it was confined
        for task in starting:  # its worker ran a failing cell too: name the cause, not the symptom
            self._fail_if_a_dependency_failed(sub, task, plan[task])
        for task in sub.workers:
            missing = [n for n in self.spec.tasks[task].names if n not in sub.parsed[task].defines]
            if missing:
                sub.errors.append(
                    f"task `{task}` ({sub.parsed[task].label.strip('<>')}): "
                    f"`{missing[0]}` is not defined — did you rename it?"
                )

    def _plan_workers(self, sub: Submission) -> dict[str, list[str]]:
        """Each task to load, with the task cells it needs (its own and those whose names it uses)."""
        order = list(sub.parsed)
        plan: dict[str, list[str]] = {}
        for task in self.spec.tasks:
            if task in sub.unavailable or task not in sub.tasks:
                continue
            plan[task] = cells_for_task(task, sub.parsed, order)
            self._fail_if_a_dependency_failed(sub, task, plan[task])
        return {t: needed for t, needed in plan.items() if t not in sub.unavailable}

    @staticmethod
    def _fail_if_a_dependency_failed(sub: Submission, task: str, needed: list[str]) -> None:
        broken = [t for t in needed if t in sub.unavailable and t != task]
        if broken:
            worker = sub.workers.pop(task, None)
            if worker is not None:
                worker.stop()
            sub.unavailable[task] = f"task `{task}` uses names from task `{broken[0]}`, which failed"

    def test(self, sub: Submission) -> None:
        def namespace_for(task: str) -> RemoteNamespace:
            if task in sub.unavailable:
                raise TaskUnavailable(sub.unavailable[task])
            return RemoteNamespace(sub.workers[task])

        sub.outcomes, problems = self.session.run(namespace_for, sub.tasks, salt_of(sub.sha256))
        sub.errors += problems
        self._explain_name_errors(sub)

    def _explain_name_errors(self, sub: Submission) -> None:
        """A NameError for a name the student defined in a non-task cell says so. The other cells
        are read only when some reason holds a NameError: most submissions never pay for it."""
        reasons = [o.reason for o in sub.outcomes] + list(sub.unavailable.values())
        if sub.notebook is None or not any(_NAME_ERROR.search(r) for r in reasons):
            return
        skipped = self._names_of_skipped_cells(sub.notebook, sub.task_cell_indices)
        sub.outcomes = [replace(o, reason=_explain_name_error(o.reason, skipped)) for o in sub.outcomes]
        for task, reason in sub.unavailable.items():
            sub.unavailable[task] = _explain_name_error(reason, skipped)

    def _internal_error(self, sub: Submission, stage: str, exc: Exception) -> None:
        """A stage failed outside any one task: the tasks without a result score 0 and say so."""
        reason = internal_error(exc, f"the {stage} stage")
        graded = {o.task for o in sub.outcomes}
        for task in sub.tasks:
            if task not in graded and task not in sub.unavailable:
                sub.unavailable[task] = reason
        sub.errors.append(reason)


_NAME_ERROR = re.compile(r"NameError: name '(\w+)' is not defined")


def _explain_name_error(reason: str, skipped: dict[str, int]) -> str:
    """A NameError for a name that one of the student's non-task cells defines: say so, since the
    grader runs only task cells (and the course's set-up cells)."""
    match = _NAME_ERROR.search(reason)
    if not match or match.group(1) not in skipped:
        return reason
    name, cell = match.group(1), skipped[match.group(1)] + 1
    return (
        f"`{name}` is defined in cell {cell}, which is not a task cell: the grader runs only task "
        f"cells, so move `{name}` into the task cell that uses it ({reason})"
    )


def internal_error(exc: BaseException, where: str = "") -> str:
    """The reason a task scores 0 when the grader itself failed on it (``where``: in what)."""
    place = f" in {where}" if where else ""
    return (
        f"internal grader error{place} ({type(exc).__name__}: {str(exc)[:MAX_ERROR_TEXT]}); please report it"
    )


def course_grader(
    course: Course, hw: str, sandbox: Sandbox | None = None, own_sandbox: bool = False
) -> Grader:
    """The instructor's grader: public and hidden tests, set-up cells from the course notebook."""
    course.check_assignment(hw)
    spec = course.manifest(hw)
    return Grader(
        spec,
        [course.public_tests(hw), course.hidden_test_dir(hw)],
        setup_notebook=course.source_notebook(hw),
        visible_dir=course.public_tests(hw),
        sandbox=sandbox,
        own_sandbox=own_sandbox,
    )


def _load_notes(warnings: object, already: list[str]) -> list[str]:
    """The worker's notes on assignments it skipped ("<task knn, cell 9>, line 4: skipped
    (MemoryError)"), each once; they come from the sandbox, so only short strings are kept."""
    notes = [w[:MAX_ERROR_TEXT] for w in warnings if type(w) is str] if isinstance(warnings, list) else []
    return [n for n in dict.fromkeys(notes[:MAX_LISTED]) if n not in already]


def _setup_cells(notebook: Path | None) -> tuple[tuple[CellCode, ...], set[str], dict[str, str]]:
    """The instructor's cells tagged ``setup``, definitions only, from the course's own notebook;
    the names of all functions the notebook defines (for the 'no work' rule); and the set-up
    cells' sources by grade_id (to tell a student that an edited locked cell did not count)."""
    if notebook is None or not notebook.is_file():
        return (), set(), {}
    code = [(i, c) for i, c in enumerate(read_notebook(notebook).cells) if c.get("cell_type") == "code"]
    functions = set().union(*(defined_functions(c["source"]) for _, c in code))
    setup = [
        (i, c)
        for i, c in code
        if SETUP_TAG in c.get("metadata", {}).get("tags", [])
        and not c.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]
    cells = tuple(parse_cell(c["source"], f"<setup cell {i + 1}>", functions).code() for i, c in setup)
    sources = {
        c["metadata"]["nbgrader"]["grade_id"]: c["source"]
        for _, c in setup
        if isinstance(c.get("metadata", {}).get("nbgrader", {}).get("grade_id"), str)
    }
    return cells, functions, sources
