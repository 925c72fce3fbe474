"""``autograder audit HW --mutate``: grade operator mutants of the solution, so that the catalogue of
audit cases stops being the limit of what the tests are known to catch.

Each task cell of the solution notebook is mutated one change at a time, on its solution lines only
(between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; in a cell without markers, the bodies of
its functions less their docstrings), never a signature or a docstring. Every mutant is graded like
an audit case (the solution notebook with that one cell replaced, that task's tests only, in
``jobs`` grading processes) and classified:

- *killed*: the task loses points;
- *survived*: the task keeps every point, so no test tells the mutant from the solution;
- *equivalent*: listed in ``tests/audit_cases/<hw>/equivalent_mutants.toml`` (a change no correct
  test can see: a constant in a branch never taken, ``<`` vs ``<=`` on values that cannot be equal),
  with a one-line reason;
- *not viable*: the mutated cell does not parse (left out of every rate).

The kill rate is killed / (generated - not viable - equivalent); the goal is 100 %.

Why mutmut. Both well-kept libraries were read. cosmic-ray's operators are parso classes driven by
its own session database, test runner and plugin registry (stevedore, SQLAlchemy, GitPython come
along). mutmut 3's operators (``mutmut.mutation.mutators``) are plain functions from one libcst node
to its replacements, so they run as a library on a source string: parse the cell with libcst, offer
every node to every operator, put each replacement back with ``deep_replace``. They give the
arithmetic, comparison/boolean and constant kinds. mutmut has no slicing, argument-swap or
statement-removal operator: those three are ours (``OWN OPERATORS`` below), written on libcst too.
mutmut's string, assignment-to-None and argument-removal operators are left out: they mostly make
noise (messages, crashes on None) and cost a grading each.

A mutant's id is a hash of the task, the operator, the enclosing function, the changed lines'
text before and after (stripped), and which occurrence of that same change it is: it survives
edits elsewhere in the cell (lines moving, other statements changing) and changes only when the
mutated line itself does, which is exactly when an ``equivalent`` verdict must be judged again.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst
import nbformat
from libcst.metadata import MetadataWrapper, PositionProvider
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autograder.course import Course, CourseError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
KINDS = ("arithmetic", "comparison", "constant", "slice", "argswap", "statement")
EQUIVALENTS = "equivalent_mutants.toml"


@dataclass(frozen=True)
class Mutant:
    id: str
    task: str
    kind: str
    operator: str
    line: int  # 1-based, in the task cell
    where: str  # the enclosing function (qualified), or "<cell>"
    source: str  # the whole mutated cell
    diff: str  # unified diff of the mutated lines
    viable: bool = True


@dataclass(frozen=True)
class Graded:
    score: float
    max_score: float
    output: str
    failed: frozenset[str]  # the task's tests that failed


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # "killed" | "survived" | "equivalent" | "not viable"
    score: float = 0.0
    max_score: float = 0.0
    reason: str = ""  # why it is equivalent, or the grader's output for a killed one
    note: str = ""


# --------------------------------------------------------------------------------------------
# Which lines may change
# --------------------------------------------------------------------------------------------


def solution_lines(source: str, module: cst.Module | None = None) -> set[int]:
    """The 1-based lines of ``source`` that hold solution code (see the module docstring)."""
    lines = source.split("\n")
    marked: set[int] = set()
    inside = False
    for number, text in enumerate(lines, 1):
        if text.strip().startswith(BEGIN):
            inside = True
        elif text.strip().startswith(END):
            inside = False
        elif inside:
            marked.add(number)
    if any(line.strip().startswith(BEGIN) for line in lines):
        return marked
    wrapper = MetadataWrapper(module or cst.parse_module(source), unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    allowed: set[int] = set()
    for node in positions:
        if isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock):
            for index, statement in enumerate(node.body.body):
                if index == 0 and _is_docstring(statement):
                    continue
                span = positions[statement]
                allowed.update(range(span.start.line, span.end.line + 1))
    return allowed


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


# --------------------------------------------------------------------------------------------
# mutmut's operators, sorted into our kinds
# --------------------------------------------------------------------------------------------

Operator = Callable[[Any], Iterable[cst.CSTNode]]


def library_operators() -> list[tuple[type | tuple[type, ...], Operator, str, str]]:
    """(node types, mutmut operator, kind, name): the mutmut operators this audit uses."""
    try:  # imported here: only --mutate needs mutmut (a dev dependency)
        from mutmut.mutation import mutators as mm
    except ImportError as exc:
        raise CourseError("autograder audit --mutate needs mutmut: pip install 'mutmut>=3.8.1,<3.9'") from exc

    return [
        (cst.BinaryOperation, mm.operator_swap_op, "arithmetic", "binary_op"),
        (cst.AugAssign, mm.operator_swap_op, "arithmetic", "augmented_op"),
        (cst.AugAssign, mm.operator_augmented_assignment, "arithmetic", "augmented_to_plain"),
        (cst.UnaryOperation, mm.operator_swap_op, "arithmetic", "unary_sign"),
        (cst.UnaryOperation, mm.operator_remove_unary_ops, "comparison", "drop_not"),
        (cst.ComparisonTarget, mm.operator_swap_op, "comparison", "compare_op"),
        ((cst.Is, cst.IsNot, cst.In, cst.NotIn), mm.operator_keywords, "comparison", "is_in"),
        (cst.BooleanOperation, mm.operator_swap_op, "comparison", "and_or"),
        (cst.IfExp, mm.operator_if_exp, "comparison", "ternary"),
        (cst.BaseNumber, mm.operator_number, "constant", "number"),
        (cst.Name, mm.operator_name, "constant", "true_false"),
    ]


# --------------------------------------------------------------------------------------------
# OWN OPERATORS: the kinds mutmut lacks (same shape: one libcst node -> its replacements)
# --------------------------------------------------------------------------------------------


def _is_literal(node: cst.BaseExpression, values: tuple[str, ...]) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer) and "-" + node.expression.value in values
    return isinstance(node, cst.Integer) and node.value in values


def operator_slice(node: cst.Slice) -> Iterator[cst.CSTNode]:
    """x[a:b:c] -> x[:b:c], x[a:b:c] -> x[a:b], x[a:b] -> x[a + 1:b] / x[a:b + 1] / x[a:b - 1].

    A bound that is a plain integer is shifted by the constant operator already, so only
    expressions are shifted here; dropping a bound that is already the default (0 below, 1 as
    step) would change nothing, so it is not offered."""
    for part, default in (("lower", ("0",)), ("upper", ()), ("step", ("1",))):
        bound = getattr(node, part)
        if bound is None or _is_literal(bound, default):
            continue
        changes: dict[str, Any] = {part: None}
        if part == "step":
            changes["second_colon"] = cst.MaybeSentinel.DEFAULT
        yield node.with_changes(**changes)
        if part != "step" and not isinstance(bound, cst.BaseNumber | cst.UnaryOperation):
            offsets = (cst.Add(),) if part == "lower" else (cst.Add(), cst.Subtract())
            for operator in offsets:
                shifted = cst.BinaryOperation(
                    left=bound.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                    if isinstance(bound, cst.BinaryOperation)
                    else bound,
                    operator=operator,
                    right=cst.Integer("1"),
                )
                yield node.with_changes(**{part: shifted})


def operator_swap_args(node: cst.Call) -> Iterator[cst.CSTNode]:
    """f(a, b, c) -> f(b, a, c), f(a, c, b): swap each pair of neighbouring positional arguments."""
    args = list(node.args)
    for i in range(len(args) - 1):
        first, second = args[i], args[i + 1]
        if first.keyword or second.keyword or first.star or second.star:
            continue
        if cst.Module([]).code_for_node(first.value) == cst.Module([]).code_for_node(second.value):
            continue
        swapped = [
            *args[:i],
            first.with_changes(value=second.value),
            second.with_changes(value=first.value),
            *args[i + 2 :],
        ]
        yield node.with_changes(args=swapped)


def operator_remove_statement(
    node: cst.SimpleStatementLine | cst.BaseCompoundStatement,
) -> Iterator[cst.CSTNode]:
    """Replace one statement (simple or compound) with ``pass``."""
    if isinstance(node, cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in node.body):
        return
    yield cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=node.leading_lines)


STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


def own_operators() -> list[tuple[type | tuple[type, ...], Operator, str, str]]:
    return [
        (cst.Slice, operator_slice, "slice", "slice_bound"),
        (cst.Call, operator_swap_args, "argswap", "swap_args"),
        (STATEMENTS, operator_remove_statement, "statement", "to_pass"),
    ]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


class _Scopes(cst.CSTVisitor):
    """Every node with its enclosing function's qualified name; the statements that are not
    worth removing (docstrings, a function's closing ``return``: it only makes it return None)."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.where: dict[cst.CSTNode, str] = {}
        self.keep: set[cst.CSTNode] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.where[node] = ".".join(self.stack) or "<cell>"
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self.stack.append(node.name.value)
            if isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock):
                body = node.body.body
                if body and _is_docstring(body[0]):
                    self.keep.add(body[0])
                last = body[-1] if body else None
                if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return):
                    self.keep.add(last)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef | cst.ClassDef):
            self.stack.pop()


def generate(task: str, source: str) -> list[Mutant]:
    """Every mutant of one task cell, in source order, without duplicates (by mutated text)."""
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    allowed = solution_lines(source, module)
    scopes = _Scopes()
    module.visit(scopes)
    original_lines = source.split("\n")
    seen_text = {source}
    occurrences: Counter[str] = Counter()
    mutants = []
    operators = library_operators() + own_operators()
    for node in scopes.where:  # pre-order: source order
        if node not in positions or node in scopes.keep:
            continue
        span = positions[node]
        if not all(line in allowed for line in range(span.start.line, span.end.line + 1)):
            continue
        for types, operator, kind, name in operators:
            if not isinstance(node, types):
                continue
            for replacement in operator(node):
                mutated = module.deep_replace(node, replacement)
                assert isinstance(mutated, cst.Module)
                text = mutated.code
                if text in seen_text:
                    continue
                seen_text.add(text)
                before, after, diff = _changed(original_lines, text.split("\n"))
                key = "\n".join([task, name, scopes.where[node], before, "->", after])
                occurrences[key] += 1
                digest = hashlib.sha1(f"{key}\n#{occurrences[key]}".encode()).hexdigest()[:10]
                mutants.append(
                    Mutant(
                        id=f"{task}-{kind}-{digest}",
                        task=task,
                        kind=kind,
                        operator=name,
                        line=span.start.line,
                        where=scopes.where[node],
                        source=text,
                        diff=diff,
                        viable=_parses(text),
                    )
                )
    return mutants


def _changed(old: list[str], new: list[str]) -> tuple[str, str, str]:
    """The changed lines (stripped, before and after) and a unified diff of them."""
    before, after, diff = [], [], []
    for line in difflib.unified_diff(old, new, lineterm="", n=0):
        if line.startswith(("---", "+++")):
            continue
        diff.append(line)
        if line.startswith("-"):
            before.append(line[1:].strip())
        elif line.startswith("+"):
            after.append(line[1:].strip())
    return "\n".join(before), "\n".join(after), "\n".join(diff)


def _parses(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def task_sources(
    course: Course, hw: str, notebook: nbformat.NotebookNode | None = None
) -> dict[str, str]:
    """Each task's cell in the solution notebook (the cell every audit case replaces)."""
    notebook = notebook or nbformat.read(course.solution_notebook(hw), as_version=4)
    sources = {}
    for cell in notebook.cells:
        task = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and task in course.manifest(hw).tasks:
            sources[task] = cell.source
    return sources


def select(mutants: list[Mutant], limit: int | None) -> list[Mutant]:
    """At most ``limit`` mutants: a stable sample (the lowest ids), kept in source order."""
    if limit is None or len(mutants) <= limit:
        return mutants
    chosen = {m.id for m in sorted(mutants, key=lambda m: m.id.rsplit("-", 1)[1])[:limit]}
    return [m for m in mutants if m.id in chosen]


# --------------------------------------------------------------------------------------------
# Equivalents
# --------------------------------------------------------------------------------------------


def load_equivalents(path: Path) -> dict[str, dict[str, str]]:
    """``[[equivalent]]`` entries (task, id, reason; optional change) by id."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: dict[str, dict[str, str]] = {}
    for entry in data.get("equivalent", []):
        missing = [k for k in ("task", "id", "reason") if not str(entry.get(k, "")).strip()]
        if missing:
            raise CourseError(f"{path}: an entry lacks {', '.join(missing)}: {entry}")
        if entry["id"] in entries:
            raise CourseError(f"{path}: mutant {entry['id']} is listed twice")
        entries[entry["id"]] = entry
    return entries


# --------------------------------------------------------------------------------------------
# Grading and the report
# --------------------------------------------------------------------------------------------


def grade(
    course: Course,
    hw: str,
    mutants: list[Mutant],
    controls: dict[str, str],
    jobs: int,
    on_done: Callable[[int, int], None] = lambda done, total: None,
    solution: nbformat.NotebookNode | None = None,
) -> dict[str, Graded]:
    """How each mutant's task fared, and each control's (the unmutated cell, under the id
    ``control-<task>``), graded as the audit grades its cases."""
    import tempfile

    from autograder.audit import _with_task_source
    from autograder.grade.batch import grade_entries
    from autograder.grade.submissions import Entry

    solution = solution or nbformat.read(course.solution_notebook(hw), as_version=4)
    cells = [(f"control-{task}", task, source) for task, source in controls.items()]
    cells += [(m.id, m.task, m.source) for m in mutants]
    done = 0
    with tempfile.TemporaryDirectory(prefix="autograder-mutants-") as tmp:
        entries = []
        for key, task, source in cells:
            folder = Path(tmp) / key
            folder.mkdir()
            nbformat.write(_with_task_source(solution, task, source), folder / f"{hw}.ipynb")
            entries.append(Entry(key, folder / f"{hw}.ipynb", frozenset({task})))

        def progress(entry: Entry, result: object) -> None:
            nonlocal done
            done += 1
            on_done(done, len(entries))

        results = grade_entries(course, hw, entries, jobs=jobs, sandbox=None, on_done=progress)
    graded = {}
    for key, task, _ in cells:
        result = results[key]
        failed = frozenset(t.name for t in result.tests if t.task == task and t.status != "passed")
        outcome = result.tasks[task]
        graded[key] = Graded(outcome.score, outcome.max_score, outcome.output, failed)
    return graded


def classify(
    mutants: list[Mutant], graded: dict[str, Graded], equivalents: dict[str, dict[str, str]]
) -> list[Outcome]:
    """Killed: the mutant fails a test that the unmutated cell passes, or scores less than it (or,
    without a control, less than full marks). A broken test thus kills nothing by itself."""
    outcomes = []
    for mutant in mutants:
        if not mutant.viable:
            outcomes.append(Outcome(mutant, "not viable"))
            continue
        mine = graded[mutant.id]
        score, max_score, output = mine.score, mine.max_score, mine.output
        control = graded.get(f"control-{mutant.task}", Graded(max_score, max_score, "", frozenset()))
        killed = bool(mine.failed - control.failed) or score < control.score - 1e-9
        listed = equivalents.get(mutant.id)
        if listed and not killed:
            outcomes.append(Outcome(mutant, "equivalent", score, max_score, listed["reason"]))
        elif killed:
            note = "listed as equivalent but loses points: check the entry or the test" if listed else ""
            outcomes.append(Outcome(mutant, "killed", score, max_score, output, note))
        else:
            outcomes.append(Outcome(mutant, "survived", score, max_score))
    return outcomes


@dataclass
class Figures:
    generated: int = 0
    not_viable: int = 0
    killed: int = 0
    equivalent: int = 0
    survived: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [killed, counted]

    def add(self, outcome: Outcome) -> None:
        self.generated += 1
        key = outcome.status.replace(" ", "_")
        setattr(self, key, getattr(self, key) + 1)
        if outcome.status in ("killed", "survived"):
            kind = self.by_kind.setdefault(outcome.mutant.kind, [0, 0])
            kind[0] += outcome.status == "killed"
            kind[1] += 1

    @property
    def kill_rate(self) -> float | None:
        counted = self.killed + self.survived
        return self.killed / counted if counted else None


def figures(outcomes: list[Outcome]) -> tuple[dict[str, Figures], Figures]:
    per_task: dict[str, Figures] = defaultdict(Figures)
    total = Figures()
    for outcome in outcomes:
        per_task[outcome.mutant.task].add(outcome)
        total.add(outcome)
    return per_task, total


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def write_report(
    path: Path, hw: str, outcomes: list[Outcome], controls: dict[str, Any], seconds: float
) -> None:
    per_task, total = figures(outcomes)

    def row(f: Figures) -> dict[str, Any]:
        data = {k: v for k, v in asdict(f).items() if k != "by_kind"}
        return {**data, "kill_rate": f.kill_rate, "by_kind": f.by_kind}

    report = {
        "hw": hw,
        "seconds": round(seconds, 1),
        "controls": controls,
        "tasks": {task: row(f) for task, f in per_task.items()},
        "total": row(total),
        "mutants": [
            {
                **{k: v for k, v in asdict(o.mutant).items() if k != "source"},
                "status": o.status,
                "score": o.score,
                "max_score": o.max_score,
                "reason": o.reason,
                "note": o.note,
            }
            for o in outcomes
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def main(
    *,
    course: Course,
    hw: str,
    jobs: int = 1,
    tasks: list[str] | None = None,
    limit: int | None = None,
    report: Path | None = None,
    console: Console | None = None,
) -> bool:
    """Generate, grade and classify; print the figures and the survivors. True when every mutant
    is killed or listed as equivalent (and every unmutated cell keeps full marks)."""
    console = console or Console()
    started = time.monotonic()
    course.check_assignment(hw)
    spec = course.manifest(hw)
    unknown = sorted(set(tasks or ()) - set(spec.tasks))
    if unknown:
        raise CourseError(f"unknown tasks: {', '.join(unknown)}")
    equivalents = load_equivalents(course.audit_cases / hw / EQUIVALENTS)
    solution = nbformat.read(course.solution_notebook(hw), as_version=4)  # once: a release may rewrite it
    sources = task_sources(course, hw, solution)
    chosen = [t for t in spec.tasks if t in sources and (not tasks or t in tasks)]
    mutants = [m for t in chosen for m in select(generate(t, sources[t]), limit)]
    viable = [m for m in mutants if m.viable]
    console.print(f"{hw}: {len(mutants)} mutants of {len(chosen)} tasks, grading {len(viable)} (jobs={jobs})")

    def progress(done: int, total: int) -> None:
        if done % 25 == 0 or done == total:
            console.print(f"  graded {done}/{total} ({time.monotonic() - started:.0f} s)")

    graded = grade(course, hw, viable, {t: sources[t] for t in chosen}, jobs, progress, solution)
    outcomes = classify(mutants, graded, equivalents)
    per_task, total = figures(outcomes)
    seconds = time.monotonic() - started

    table = Table(title=f"mutants of {hw} ({seconds:.0f} s)")
    for column in ("task", "generated", "not viable", "killed", "equiv.", "survived", "kill rate"):
        table.add_column(column, justify="left" if column == "task" else "right")
    for task in chosen:
        f = per_task.get(task, Figures())
        table.add_row(task, *map(str, _counts(f)), _rate(f.kill_rate))
    table.add_row("total", *map(str, _counts(total)), _rate(total.kill_rate), style="bold")
    console.print(table)

    controls: dict[str, dict[str, Any]] = {}
    for t in chosen:
        control = graded[f"control-{t}"]
        controls[t] = {**asdict(control), "failed": sorted(control.failed)}
    broken = [t for t, c in controls.items() if c["score"] < c["max_score"] - 1e-9]
    for task in broken:
        failed = ", ".join(controls[task]["failed"])
        console.print(f"[red]the unmutated {task} cell lost points; mutants count as killed only by "
                      f"the other tests[/] (failed: {escape(failed)})")
        console.print(escape(controls[task]["output"][:300]), highlight=False)
    for o in outcomes:
        if o.note:
            console.print(f"[yellow]{o.mutant.id}: {o.note}[/] {escape(o.reason[:200])}")
    survivors = [o for o in outcomes if o.status == "survived"]
    for o in survivors:
        m = o.mutant
        console.print(f"[red]survived[/] {m.id} ({m.operator} in {m.where}, line {m.line})", soft_wrap=True)
        console.print(escape(o.mutant.diff), highlight=False, soft_wrap=True)
    generated = {m.id for m in mutants}
    stale = sorted(i for i, e in equivalents.items() if e["task"] in chosen and i not in generated)
    if stale and limit is None:
        console.print(f"[yellow]equivalent entries that match no mutant any more:[/] {', '.join(stale)}")
    if report:
        write_report(report, hw, outcomes, controls, seconds)
        console.print(f"report written to {report}")
    return not survivors and not broken


def _counts(f: Figures) -> tuple[int, ...]:
    return (f.generated, f.not_viable, f.killed, f.equivalent, f.survived)
