"""From notebook cells to the code a worker runs: definitions only, never top-level work.

Rules (the notebook tells students the same):
- IPython syntax (``%matplotlib inline``, ``!pip list``, ``%%time``) is accepted and not run;
- a cell Python would not compile (a syntax error, ``return`` outside a function) fails its task;
- imports, ``def`` and ``class`` (decorated or not) are kept; an import or definition that fails
  fails the task;
- assignments (constants, ``__all__``, lambdas) are kept unless they call a function defined in
  the notebook (that is work such as training, not a constant); a kept assignment that fails is
  skipped with a warning;
- ``try`` and ``if`` blocks are kept with only the code that would be kept at top level (optional
  imports: ``try: import scipy`` / ``except ImportError: scipy = None``); the rest of a kept block
  is not run, and a block with nothing to keep, or an ``if`` whose test calls a function defined in
  the notebook, is dropped; a kept ``if`` that fails is skipped with a warning (its test may use a
  name from a cell that is not loaded);
- as in Python, ``TYPE_CHECKING`` is false when the code runs: an ``if TYPE_CHECKING:`` body is
  not run; ``from __future__`` imports apply to the whole cell;
- everything else at top level (calls, loops, ``with``, prints, plots, top-level ``await``, the
  ``if __name__ == "__main__":`` block) is dropped.
Code that is dropped is reported (docstrings and ``pass`` need no report).
A task's worker also gets the instructor's cells tagged ``setup`` (taken from the course's own
notebook, so a student's edits to them do not count) and any other task cell whose names it uses.
"""

from __future__ import annotations

import ast
import bisect
import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager

from autograder.sandbox.cells import CellCode, Statement

_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # their bodies run later, if ever
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign)
_TRY = (ast.Try, ast.TryStar)
_COMPOUND = (*_NAMED, ast.If, *_TRY)  # kept statements that cannot follow another on its line
_WORK_CALLS = {"get_ipython"}  # magics and shell escapes, as IPython's transformer writes them
_transformer = TransformerManager()


class CellSyntaxError(Exception):
    """The cell cannot be graded; the message is the reason the student reads."""


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
    first, newline, rest = source.partition("\n")  # not splitlines(): "\x0c" is no line end here
    if first.lstrip().startswith("%%"):
        source = "pass  # cell magic (not run when grading)" + newline + rest
    return _transformer.transform_cell(source if source.endswith("\n") else source + "\n")


@functools.lru_cache(maxsize=4096)  # a class repeats most cells (set-up, untouched, shared ones)
def _python_tree(source: str) -> tuple[str, ast.Module]:
    """The cell as plain Python and its syntax tree (read-only: it is shared); CellSyntaxError if
    Python would not compile the cell, whatever the reason."""
    # Python reads "\r\n" and "\r" as "\n", in string literals too; with one kind of line end the
    # line numbers of the tree index text.split("\n") (str.splitlines also splits at "\x0c", ...).
    # CPython also adds a "\n" after a final "\r\n" (so a cell may end in a backslash and "\r\n").
    source = source.replace("\r\n", "\n").replace("\r", "\n") + ("\n" if source.endswith("\r\n") else "")
    try:
        with warnings.catch_warnings():  # SyntaxWarnings are the student's business, not ours
            warnings.simplefilter("ignore")
            text = python_source(source)
            tree = ast.parse(text)
            # The parser accepts what the compiler refuses (`return` at top level, a misplaced
            # `from __future__`, duplicate arguments): such a cell would not run in Jupyter either.
            # Top-level `await` is allowed, as IPython allows it.
            compile(text, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as exc:
        where = f" at line {exc.lineno}" if isinstance(exc.lineno, int) else ""
        raise CellSyntaxError(f"syntax error{where} of the cell: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise CellSyntaxError("the cell is nested too deeply for Python to compile it") from None
    except Exception as exc:  # e.g. a lone surrogate (ValueError), or IPython's transformer failing
        raise CellSyntaxError(f"the cell cannot be read as Python ({type(exc).__name__})") from None
    return text, tree


def defined_functions(source: str) -> set[str]:
    """Names of the functions and classes a cell defines outside function bodies (used by the
    'no work' rule); none for a cell that does not compile."""
    try:
        _, tree = _python_tree(source)
    except CellSyntaxError:
        return set()
    names = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, _NAMED):
            names.add(node.name)
        else:  # a definition inside an `if`, a `try`, a loop is still the notebook's own
            stack.extend(_inner_statements(node))
    return names


def is_release_stub(source: str) -> bool:
    """Whether a task cell is still what the release hands out: it defines functions, and every
    one of them (methods too) only raises NotImplementedError (after an optional docstring), as
    nbgrader writes a solution block. Such a task is "not attempted", not "failed"."""
    try:
        _, tree = _python_tree(source)
    except CellSyntaxError:
        return False
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return bool(functions) and all(_only_raises_not_implemented(f.body) for f in functions)


def _only_raises_not_implemented(body: list[ast.stmt]) -> bool:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    raised = body[0].exc
    if isinstance(raised, ast.Call) and not raised.args and not raised.keywords:
        raised = raised.func
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def top_level_names(source: str) -> set[str]:
    """Names a cell binds at top level (definitions, assignments, imports); none if it does not
    compile. Used to tell a student that a name a task needs lives in a cell the grader skips."""
    try:
        _, tree = _python_tree(source)
    except CellSyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, _NAMED):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, _ASSIGNMENTS):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def parse_cell(source: str, label: str, notebook_functions: set[str]) -> ParsedCell:
    """The statements of the cell a worker runs, or CellSyntaxError (never another exception:
    whatever a student writes must cost at most this task)."""
    text, tree = _python_tree(source)
    try:
        return _Extraction(text, label, notebook_functions | _WORK_CALLS).run(tree)
    except Exception as exc:  # a bug of ours, found by a cell: it costs this task, not the batch
        raise CellSyntaxError(
            f"the grader could not analyse this cell ({type(exc).__name__}); please report it"
        ) from exc


def cells_for_task(task: str, tasks: dict[str, ParsedCell], order: list[str]) -> list[str]:
    """The task's own cell plus every other task cell it depends on by name (transitively),
    in notebook order."""
    needed = {task} & tasks.keys()
    frontier = list(needed)
    while frontier:
        current = tasks[frontier.pop()]
        for other, cell in tasks.items():
            if other not in needed and (current.uses - current.defines) & cell.defines:
                needed.add(other)
                frontier.append(other)
    return [t for t in order if t in needed]


# -- what to keep ------------------------------------------------------------------------------
@dataclass
class _Verdict:
    """What becomes of one statement: ``kind`` is "hard" (kept; failing fails the task), "soft"
    (kept; failing is a warning), "drop" (not run, reported) or "skip" (not run, nothing to
    report: docstrings, ``pass``, a ``TYPE_CHECKING`` body). Inside a kept block, what is not run
    is a text range replaced by ``pass`` (``blanked``), its statements are ``not_run`` and the
    lines to report are ``dropped_lines``."""

    kind: str
    blanked: list[tuple[int, int]] = field(default_factory=list)
    not_run: list[ast.stmt] = field(default_factory=list)
    dropped_lines: list[int] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.kind in ("hard", "soft")

    def absorb(self, other: _Verdict) -> None:
        self.blanked += other.blanked
        self.not_run += other.not_run
        self.dropped_lines += other.dropped_lines


def _calls_any(node: ast.AST, functions: set[str]) -> bool:
    """Whether running ``node`` now calls one of ``functions`` by name (a lambda's body runs only
    when the lambda is called: ``loss = lambda z: nt_xent_loss(z, z)`` is a definition)."""
    stack: list[ast.AST] = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Lambda):
            stack += [d for d in (*sub.args.defaults, *sub.args.kw_defaults) if d is not None]
            continue
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in functions:
            return True
        stack.extend(ast.iter_child_nodes(sub))
    return False


def _never_runs(test: ast.expr | None) -> bool:
    """Whether the branch under ``test`` must not run when grading: ``TYPE_CHECKING`` is false at
    run time; ``__name__ == "__main__"`` is true in a worker, yet its block is work."""
    return test is not None and (_is_type_checking(test) or _is_main_guard(test))


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` either way round: true in the worker, so it must not run."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, *test.comparators]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def _inner_statements(node: ast.stmt) -> Iterator[ast.stmt]:
    """The statements directly inside a compound statement that is not a definition."""
    for name in ("body", "orelse", "finalbody"):
        yield from getattr(node, name, [])
    for handler in getattr(node, "handlers", []):
        yield from handler.body
    for case in getattr(node, "cases", []):
        yield from case.body


# -- from statements to source -----------------------------------------------------------------
class _Extraction:
    """One cell's text cut into the statements a worker compiles one by one."""

    def __init__(self, text: str, label: str, calls: set[str]) -> None:
        self.text = text
        self.label = label
        self.calls = calls  # names whose call is work: the notebook's functions, get_ipython
        self.lines = text.split("\n")
        self.line_starts = [0]
        for line in self.lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)

    def run(self, tree: ast.Module) -> ParsedCell:
        cell = ParsedCell(self.label, [], set(), set())
        futures: list[str] = []
        previous_end = 0
        for node in tree.body:
            start, end = self._start_after(previous_end), self._offset(node.end_lineno, node.end_col_offset)
            previous_end = end
            line = bisect.bisect_right(self.line_starts, start)
            verdict = self.judge(node)
            if not verdict.kept:
                if verdict.kind == "drop":
                    cell.dropped_lines.append(line)
                continue
            statement = Statement(self._source(start, end, verdict.blanked), line, verdict.kind == "soft")
            if futures:
                statement = _with_futures(statement, futures, isinstance(node, _COMPOUND))
            if not _compiles(statement, self.label):
                # It compiled within the whole cell, so it needs what only the cell has: top-level
                # `await` (IPython runs it; a worker does not). That is work: dropped.
                cell.dropped_lines.append(line)
                continue
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                futures += [a.name for a in node.names]
            cell.statements.append(statement)
            cell.dropped_lines += verdict.dropped_lines
            not_run = {id(s) for s in verdict.not_run}
            cell.defines |= _bound_names(node, not_run)
            cell.uses |= {n.id for n in _walk_kept(node, not_run) if isinstance(n, ast.Name)}
        cell.dropped_lines.sort()
        return cell

    # -- the rules ---------------------------------------------------------------------------
    def judge(self, node: ast.stmt) -> _Verdict:
        if isinstance(node, _DEFINITIONS):
            return _Verdict("hard")
        if isinstance(node, _ASSIGNMENTS):
            return _Verdict("drop" if _calls_any(node, self.calls) else "soft")
        if isinstance(node, ast.Pass | ast.Global) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)  # docstring, `...`
        ):
            return _Verdict("skip")
        if isinstance(node, ast.If):
            return self._judge_if(node)
        if isinstance(node, _TRY):
            handlers = [s for h in node.handlers for s in h.body]
            return self._judge_block([*node.body, *handlers, *node.orelse, *node.finalbody])
        return _Verdict("drop")

    def _judge_if(self, node: ast.If) -> _Verdict:
        """An ``if`` / ``elif`` / ``else`` chain. Every test in it runs when it loads, so one that
        calls notebook code drops the chain; a branch that must not run here is blanked whole."""
        branches: list[tuple[ast.expr | None, list[ast.stmt]]] = []
        current: ast.If | None = node
        while current is not None:
            branches.append((current.test, current.body))
            rest = current.orelse
            following = rest[0] if len(rest) == 1 and isinstance(rest[0], ast.If) else None
            is_elif = following is not None and self._is_elif(following)
            current = following if is_elif else None
            if rest and not is_elif:
                branches.append((None, rest))
        if _is_main_guard(node.test) or any(t is not None and _calls_any(t, self.calls) for t, _ in branches):
            return _Verdict("drop")
        verdict = self._judge_block([s for test, body in branches if not _never_runs(test) for s in body])
        reported = False
        for test, body in branches:
            if test is not None and _never_runs(test):
                # Blanked from the colon on, as one range: the body may hold decorated
                # definitions, whose `@` their tree nodes do not locate.
                verdict.blanked.append(
                    (self._after_colon(test), self._offset(body[-1].end_lineno, body[-1].end_col_offset))
                )
                verdict.not_run += body
                if _is_main_guard(test):  # `elif __name__ == "__main__":` is work, as at top level
                    verdict.dropped_lines.append(test.lineno)
                    reported = True
        if not verdict.kept and reported:
            return _Verdict("drop")
        if verdict.kept:  # its test may use a name from a cell not loaded: failing is a warning
            verdict.kind = "soft"
        return verdict

    def _judge_block(self, statements: list[ast.stmt]) -> _Verdict:
        """A block is kept when something in it is kept; what is not kept inside it is blanked."""
        verdict = _Verdict("skip")
        kinds = set()
        for stmt in statements:
            inner = self.judge(stmt)
            kinds.add(inner.kind)
            if inner.kept:
                verdict.absorb(inner)
                continue
            # Never a definition (those are kept), so the node's position is where it starts.
            verdict.blanked.append(
                (
                    self._offset(stmt.lineno, stmt.col_offset),
                    self._offset(stmt.end_lineno, stmt.end_col_offset),
                )
            )
            verdict.not_run.append(stmt)
            if inner.kind == "drop":
                verdict.dropped_lines.append(stmt.lineno)
        if "hard" in kinds:
            verdict.kind = "hard"
        elif "soft" in kinds:  # only assignments: failing inside is a warning, as at top level
            verdict.kind = "soft"
        elif "drop" in kinds:
            return _Verdict("drop")  # nothing to keep: the block is reported at its first line
        return verdict

    # -- positions ---------------------------------------------------------------------------
    def _offset(self, line: int | None, col: int | None) -> int:
        """Text offset of a tree position (the tree counts columns in UTF-8 bytes). ``ast.parse``
        sets every position; None would be a bug of the analysis (caught per cell)."""
        if line is None or col is None:
            raise ValueError("a statement without a position")
        text_line = self.lines[line - 1]
        if not text_line.isascii():
            col = len(text_line.encode("utf-8")[:col].decode("utf-8"))
        return self.line_starts[line - 1] + col

    def _start_after(self, offset: int) -> int:
        """Where the statement after ``offset`` starts: past what may separate two statements
        (blanks, newlines, ``;``, comments, backslash continuations). A decorated definition
        starts at its ``@``, which its tree node does not locate."""
        text, end = self.text, len(self.text)
        while offset < end:
            char = text[offset]
            if char in " \t\x0c\n;":
                offset += 1
            elif char == "#":
                newline = text.find("\n", offset)
                offset = end if newline < 0 else newline
            elif text.startswith("\\\n", offset):
                offset += 2
            else:
                break
        return offset

    def _after_colon(self, test: ast.expr) -> int:
        """The offset just past the ``:`` that ends an ``if``/``elif`` header: after the test
        only closing brackets, blanks, comments and line breaks can come before it."""
        text, offset = self.text, self._offset(test.end_lineno, test.end_col_offset)
        while text[offset] != ":":  # a comment there may hold a colon: it ends at a line break
            offset = text.index("\n", offset) if text[offset] == "#" else offset + 1
        return offset + 1

    def _is_elif(self, node: ast.If) -> bool:
        """Whether an ``if`` alone in an ``else`` is an ``elif`` (the tree does not say)."""
        line = self.lines[node.lineno - 1].encode("utf-8")
        return line[node.col_offset : node.col_offset + 4] == b"elif"

    def _source(self, start: int, end: int, blanked: list[tuple[int, int]]) -> str:
        """The text from ``start`` to ``end`` with each blanked range replaced by ``pass``,
        continued by backslashes over the lines it spanned so that no line number moves."""
        pieces, cursor = [], start
        for blank_start, blank_end in sorted(blanked):
            pieces += [
                self.text[cursor:blank_start],
                "pass" + "\\\n" * self.text.count("\n", blank_start, blank_end),
            ]
            cursor = blank_end
        pieces.append(self.text[cursor:end])
        return "".join(pieces)


def _with_futures(statement: Statement, futures: list[str], compound: bool) -> Statement:
    """The statement with the cell's ``from __future__`` import in front: a worker compiles each
    statement on its own, and a future import compiled alone changes nothing after it. It goes on
    the statement's own line, or on the line above for a compound statement (there is one: the
    import itself came before)."""
    imports = f"from __future__ import {', '.join(dict.fromkeys(futures))}"
    if not compound:
        return Statement(f"{imports}; {statement.source}", statement.line, statement.soft)
    if statement.line > 1:
        return Statement(f"{imports}\n{statement.source}", statement.line - 1, statement.soft)
    return statement


def _compiles(statement: Statement, label: str) -> bool:
    """Whether the statement compiles alone, as a worker compiles it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile("\n" * (statement.line - 1) + statement.source, label, "exec", dont_inherit=True)
    except Exception:  # SyntaxError; RecursionError or MemoryError would fail in the worker too
        return False
    return True


def _walk_kept(node: ast.AST, blanked: set[int]) -> Iterator[ast.AST]:
    """``ast.walk`` without the statements that are not run."""
    stack = [node]
    while stack:
        sub = stack.pop()
        if id(sub) not in blanked:
            yield sub
            stack.extend(ast.iter_child_nodes(sub))


def _bound_names(node: ast.stmt, blanked: set[int]) -> set[str]:
    """Names a kept statement binds in the cell's namespace (generously: a comprehension's
    variable counts; it only makes a task load one cell more)."""
    names = set()
    stack: list[ast.AST] = [node]
    while stack:
        sub = stack.pop()
        if id(sub) in blanked:
            continue
        if isinstance(sub, _NAMED):
            names.add(sub.name)  # its body binds names of its own scope, not the cell's
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        else:
            stack.extend(ast.iter_child_nodes(sub))
    return names
