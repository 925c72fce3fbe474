"""From notebook cells to the code a worker runs: definitions only, never top-level work.

Rules (the notebook tells students the same):
- IPython syntax (``%matplotlib inline``, ``!pip list``, ``%%time``) is accepted and not run;
- imports, ``def`` and ``class`` are kept; an import or definition that fails fails the task;
- assignments (constants) are kept unless they call a function defined in the notebook (that is
  work such as training, not a constant); a kept assignment that fails is skipped with a warning;
- everything else at top level (calls, loops, ``if``, ``with``, prints, plots) is dropped;
- ``try`` blocks made only of imports and definitions are kept (optional imports).
A task's worker also gets the instructor's cells tagged ``setup`` (taken from the course's own
notebook, so a student's edits to them do not count) and any other task cell whose names it uses.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager

from autograder.sandbox.client import CellCode, Statement

_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign)
_transformer = TransformerManager()


class CellSyntaxError(Exception):
    pass


@dataclass
class ParsedCell:
    label: str
    statements: list[Statement]
    defines: set[str]
    uses: set[str]
    dropped_lines: list[int] = field(default_factory=list)

    def code(self) -> CellCode:
        return CellCode(self.label, tuple(self.statements))


def python_source(source: str) -> str:
    """IPython syntax to plain Python with the same line numbers; magics become no-ops."""
    try:
        ast.parse(source)
        return source  # already Python: IPython's transformer would change nothing
    except SyntaxError:
        pass
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        lines[0] = "pass  # cell magic (not run when grading)"
    transformed = _transformer.transform_cell("\n".join(lines) + "\n")
    return transformed


@functools.lru_cache(maxsize=4096)  # a class repeats most cells (set-up, untouched, shared ones)
def _python_tree(source: str) -> tuple[str, ast.Module]:
    """The cell as plain Python and its syntax tree (read-only: it is shared); SyntaxError if the
    cell does not parse."""
    text = python_source(source)
    return text, ast.parse(text)


def defined_functions(source: str) -> set[str]:
    """Names of functions and classes defined at top level (used by the 'no work' rule)."""
    try:
        _, tree = _python_tree(source)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def parse_cell(source: str, label: str, notebook_functions: set[str]) -> ParsedCell:
    try:
        text, tree = _python_tree(source)
    except SyntaxError as exc:
        raise CellSyntaxError(f"syntax error at line {exc.lineno} of the cell: {exc.msg}") from None
    lines = text.splitlines()
    cell = ParsedCell(label, [], set(), set())
    for node in tree.body:
        kind = _classify(node, notebook_functions)
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if kind is None:
            cell.dropped_lines.append(first)
            continue
        segment = "\n".join(lines[first - 1 : node.end_lineno])
        cell.statements.append(Statement(segment, first, soft=kind == "soft"))
        cell.defines |= _defined_names(node)
        cell.uses |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return cell


def _classify(node: ast.stmt, notebook_functions: set[str]) -> str | None:
    if isinstance(node, _DEFINITIONS):
        return "hard"
    if isinstance(node, _ASSIGNMENTS) and getattr(node, "value", None) is not None:
        return None if _calls_notebook_code(node, notebook_functions) else "soft"
    if isinstance(node, ast.Try) and all(
        isinstance(n, _DEFINITIONS | ast.Pass | ast.Assign)
        for block in (node.body, *(h.body for h in node.handlers), node.orelse)
        for n in block
    ):
        return "hard"
    return None


def _calls_notebook_code(node: ast.AST, notebook_functions: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name) and func.id in notebook_functions | {"get_ipython"}:
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                inner = func.value.func
                if isinstance(inner, ast.Name) and inner.id == "get_ipython":
                    return True
    return False


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def cells_for_task(task: str, tasks: dict[str, ParsedCell], order: list[str]) -> list[str]:
    """The task's own cell plus every other task cell it depends on by name (transitively),
    in notebook order."""
    needed = {task}
    frontier = [task]
    while frontier:
        current = tasks[frontier.pop()]
        for other, cell in tasks.items():
            if other not in needed and (current.uses - current.defines) & cell.defines:
                needed.add(other)
                frontier.append(other)
    return [t for t in order if t in needed]
